// `gatehouse client …` and `gatehouse keys rotate`: the store's apps for "Sign in with <Store>"
// (OpenID Connect, oidc/). Each prints JSON on stdout, for scripts; a secret is printed once, when
// it is made, and is kept only as a keyed hash.
import { createClientStore, ID_TOKEN_ALGS, redirectUriProblem, type IdTokenAlg, type RegisteredClient } from '../oidc/client-store.ts';
import { createSigningKeys } from '../oidc/signing-keys.ts';
import type { AdminServices } from './admin-services.ts';
import { UsageError } from './usage-error.ts';

export interface ClientOptions {
  name?: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  public?: boolean;
  firstParty?: boolean;
  idTokenAlg?: string;
}

const describe = (client: RegisteredClient) => ({
  client_id: client.clientId,
  name: client.name,
  public: client.public,
  first_party: client.firstParty,
  id_token_alg: client.idTokenAlg,
  redirect_uris: client.redirectUris,
  post_logout_redirect_uris: client.postLogoutRedirectUris,
  created_at: new Date(client.createdAt).toISOString(),
});

const storeOf = (services: AdminServices) => createClientStore(services.db, services.secrets, services.clock);

export async function createClient(services: AdminServices, options: ClientOptions): Promise<string> {
  const name = options.name?.trim();
  if (!name || name.length > 100 || /[\u0000-\u001f\u007f]/.test(name)) throw new UsageError('client create needs --name "App name" (1 to 100 characters, no control characters)');
  if (options.redirectUris.length === 0) throw new UsageError('client create needs at least one --redirect-uri https://app.example/callback');
  for (const uri of [...options.redirectUris, ...options.postLogoutRedirectUris]) {
    const problem = redirectUriProblem(uri);
    if (problem) throw new UsageError(problem);
  }
  const idTokenAlg = options.idTokenAlg ?? 'ES256';
  if (!(ID_TOKEN_ALGS as readonly string[]).includes(idTokenAlg)) throw new UsageError(`--id-token-alg is ES256 (the default) or RS256, not ${JSON.stringify(idTokenAlg.slice(0, 20))}`);
  const { client, clientSecret } = await storeOf(services).create({
    idTokenAlg: idTokenAlg as IdTokenAlg,
    name,
    redirectUris: options.redirectUris,
    postLogoutRedirectUris: options.postLogoutRedirectUris,
    public: options.public === true,
    firstParty: options.firstParty === true,
  });
  return JSON.stringify(clientSecret === null ? { client_id: client.clientId } : { client_id: client.clientId, client_secret: clientSecret });
}

export async function listClients(services: AdminServices): Promise<string> {
  return JSON.stringify((await storeOf(services).list()).map(describe));
}

async function existing(services: AdminServices, clientId: string | undefined) {
  if (!clientId) throw new UsageError('name the app by its client_id (gatehouse client list shows them)');
  const client = await storeOf(services).find(clientId);
  if (!client) throw new UsageError(`no app with client_id ${JSON.stringify(clientId.slice(0, 100))}`);
  return client;
}

export async function showClient(services: AdminServices, clientId: string | undefined): Promise<string> {
  return JSON.stringify(describe(await existing(services, clientId)));
}

/** Deletes the app and every token, grant and consent it holds. */
export async function deleteClient(services: AdminServices, clientId: string | undefined): Promise<string> {
  const client = await existing(services, clientId);
  await storeOf(services).remove(client.clientId);
  return JSON.stringify({ deleted: client.clientId });
}

export async function rotateClientSecret(services: AdminServices, clientId: string | undefined): Promise<string> {
  const client = await existing(services, clientId);
  if (client.public) throw new UsageError(`${client.clientId} is a public app: it has no secret (it proves itself with PKCE)`);
  const clientSecret = await storeOf(services).rotateSecret(client.clientId);
  return JSON.stringify({ client_id: client.clientId, client_secret: clientSecret });
}

export async function rotateSigningKeys(services: AdminServices): Promise<string> {
  const keys = createSigningKeys(services.db, services.secrets);
  await keys.ensureInitialKeys(Date.now());
  const rotated = await keys.rotate(Date.now());
  return JSON.stringify({ added: rotated.added, retiring: rotated.retiring, signs_from: new Date(rotated.activatesAt).toISOString() });
}
