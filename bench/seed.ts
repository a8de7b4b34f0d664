// Child process: creates the bench database through Gatehouse's own services (migrations,
// account store, session service), then exits so the measured server starts clean.
// Usage: node --import tsx bench/seed.ts <dataDir> <accounts>; writes <dataDir>/seed.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGatehouse } from '../src/server/compose.ts';
import { seedPasskeys, type SeededPasskey } from './passkey-sign-ins.ts';
import { BENCH_PASSWORD, benchConfig, emailFor, type SeedResult } from './common.ts';
import { BENCH_REDIRECT_URI } from './oidc-tokens.ts';

const [dataDir, countArg] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: seed.ts <dataDir> <accounts>');
const count = Number(countArg ?? 10_000);

const started = performance.now();
const gatehouse = await createGatehouse(benchConfig(dataDir), { runDispatcher: false });
const { services } = gatehouse;
// One argon2id hash for everyone: hashing 10,000 passwords would take minutes and measure nothing.
const passwordHash = await services.hasher.hash(BENCH_PASSWORD);
const tokens: string[] = [];
const passkeyAccounts: string[] = [];
const passkeyCount = Math.min(count, Number(process.env.BENCH_PASSKEYS || 64));
let passkeys: SeededPasskey[] = [];
await services.db.transaction().execute(async (trx) => {
  const now = services.clock.now();
  for (let i = 0; i < count; i++) {
    const account = await services.accounts.insert(trx, {
      email: emailFor(i),
      loginName: null,
      passwordHash,
      locale: 'en',
      emailVerifiedAt: now,
      now,
    });
    const session = await services.sessions.startSession(trx, {
      accountId: account.id,
      kind: 'browser',
      authenticatedVia: 'password',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
      clientAddress: '127.0.0.1',
    });
    tokens.push(session.token);
    if (i < passkeyCount) passkeyAccounts.push(account.id);
  }
  passkeys = await seedPasskeys(trx, services.passkeyStore, passkeyAccounts);
});
const registered = await services.oidc.clients.create({ name: 'Bench app', redirectUris: [BENCH_REDIRECT_URI], postLogoutRedirectUris: [], public: false, firstParty: true });
const app = { clientId: registered.client.clientId, clientSecret: registered.clientSecret! };
await gatehouse.close();
const result: SeedResult = { accounts: count, tokens, passkeys, app, seedMs: performance.now() - started };
writeFileSync(join(dataDir, 'seed.json'), JSON.stringify(result));
