// The `gatehouse` command: serve, migrate, and account administration.
//
// Each command imports what it runs when it runs: `--help`, a configuration error or `migrate`
// need neither the HTTP server nor the mail catcher, and loading every module of the server
// first made each of them take about a second (measured: --help 0.95 s, most of it module loading).
import { parseArgs } from 'node:util';
import type { Config } from '../config/config.ts';
import { ConfigError, loadConfig } from '../config/config.ts';
import { UsageError } from './usage-error.ts';

/** What an administration command works with (admin-services.ts): nothing that delivers. */
async function adminServices(config: Config) {
  const { openAdminServices } = await import('./admin-services.ts');
  return openAdminServices(config);
}

async function openMigrated(config: Config) {
  const [{ openDatabase }, { migrateToLatest }] = await Promise.all([import('../storage/database.ts'), import('../storage/migrations.ts')]);
  const database = openDatabase(config.database);
  return { database, applied: await migrateToLatest(database.db).catch(async (error) => {
    await database.close();
    throw error;
  }) };
}

const HELP = `Usage: gatehouse <command> [options]

Commands:
  serve                          Start the HTTP server (same as npm start)
  migrate                        Apply database migrations and exit
  prune                          Delete rows no rule reads any more (old rate events, flows, sent
                                 mail, ended sessions…) and print how many; courier nodes also do
                                 this every 15 minutes
  user create --email ADDRESS [--login NAME] [--locale en|ru] [--password-stdin] [--unverified]
                                 Create an account (password read from standard input)
  user import FILE.jsonl         Import existing shoppers, one JSON object a line (email,
                                 email_verified, login_name, locale, password_hash from the old
                                 system); skipped lines are listed with their numbers, then a summary
  user lock EMAIL|LOGIN          Lock an account and end all its sessions
  user unlock EMAIL|LOGIN        Unlock an account
  user reset-factors EMAIL|LOGIN Remove the phone, authenticator app and backup codes, turn two-step
                                 sign-in off and end all sessions (after support checked the owner)
  client create --name NAME --redirect-uri URI [--redirect-uri URI …] [--post-logout-redirect-uri URI …]
                [--public] [--first-party] [--id-token-alg ES256|RS256]
                                 Register an app for "Sign in with <Store>" (OpenID Connect); prints
                                 {"client_id", "client_secret"} (no secret with --public: PKCE only);
                                 --first-party: the store's own app, no consent page
  client list | client show ID   The registered apps (JSON)
  client delete ID               Delete an app, its tokens and every shopper's consent to it
  client rotate-secret ID        A new secret for the app; the old one stops working at once
  keys rotate                    New signing keys for ID and access tokens; they sign from about two
                                 minutes on, and the old ones stay published until their tokens expire
  webhook add --url URL --events TYPE,TYPE…|"*"
                                 Post these security events to URL, signed (Standard Webhooks);
                                 prints the endpoint and its signing secret, once
  webhook list                   The endpoints (JSON; never their secrets)
  webhook remove ID              Stop posting to an endpoint
  webhook test ID                Send a signed webhook.test event now and print the answer
  admin-token create --name NAME Make a token for the admin API (/api/v1/admin); it is printed once
                                 and stored only as its SHA-256
  admin-token list               The admin tokens (JSON): name, created, last used, revoked — never a token
  admin-token revoke NAME        Refuse that token from now on
  outbox                         List mail and texts not delivered: pending, retrying, parked and
                                 expired, with tries, next try and reason (addresses masked)
  outbox retry ID|--parked       Queue a parked (or retrying) message again, or every parked one;
                                 a code mail whose code has expired is never queued again

Configuration comes from environment variables (see README, "Configuration"),
e.g. DATABASE_URL=postgres://user:pass@host/db gatehouse migrate

Options:
  -h, --help                     Show this help
`;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      email: { type: 'string' },
      login: { type: 'string' },
      locale: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      unverified: { type: 'boolean' },
      parked: { type: 'boolean' },
      name: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-redirect-uri': { type: 'string', multiple: true },
      public: { type: 'boolean' },
      'first-party': { type: 'boolean' },
      'id-token-alg': { type: 'string' },
      url: { type: 'string' },
      events: { type: 'string' },
    },
  });
  const [command, sub, arg] = positionals;
  if (values.help || !command) {
    process.stdout.write(HELP);
    return values.help ? 0 : 1;
  }
  const config = loadConfig();

  if (command === 'serve') {
    const { createGatehouse } = await import('../server/compose.ts');
    const gatehouse = await createGatehouse(config);
    const address = await gatehouse.listen();
    console.log(`Gatehouse is running: open ${config.publicUrl}/login  (listening on ${address}, ${config.database.kind})`);
    const stop = () => gatehouse.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return await new Promise<number>(() => {});
  }

  if (command === 'migrate') {
    const { database, applied } = await openMigrated(config);
    await database.close();
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
    return 0;
  }

  if (command === 'prune') {
    const { database } = await openMigrated(config);
    try {
      const { deleteOldRows } = await import('../housekeeping/delete-old-rows.ts');
      const pruned = await deleteOldRows(database.db, Date.now());
      console.log(Object.entries(pruned).map(([table, n]) => `${table}: ${n}`).join(', '));
    } finally {
      await database.close();
    }
    return 0;
  }

  if (command === 'outbox' && (sub === undefined || sub === 'retry')) {
    const { retryOutbox, showOutbox } = await import('./outbox-commands.ts');
    const services = await adminServices(config);
    try {
      console.log(sub === 'retry' ? await retryOutbox(services, arg, values.parked) : await showOutbox(services));
    } finally {
      await services.close();
    }
    return 0;
  }

  if (command === 'webhook' && ['add', 'list', 'remove', 'test'].includes(sub ?? '')) {
    const commands = await import('./webhook-commands.ts');
    const services = await adminServices(config);
    try {
      if (sub === 'add') console.log(await commands.addWebhook(services, { url: values.url, events: values.events }));
      else if (sub === 'list') console.log(await commands.listWebhooks(services));
      else if (sub === 'remove') console.log(await commands.removeWebhook(services, arg));
      else console.log(await commands.testWebhook(services, arg));
    } finally {
      await services.close();
    }
    return 0;
  }

  if (command === 'user' && sub === 'import') {
    const { importUsers, readableImportFile } = await import('./import-command.ts');
    const file = await readableImportFile(arg);
    const services = await adminServices(config);
    try {
      await importUsers(services, file, (line) => console.log(line));
    } finally {
      await services.close();
    }
    return 0;
  }

  if (command === 'user' && (sub === 'create' || sub === 'lock' || sub === 'unlock' || sub === 'reset-factors')) {
    const { createUser, resetUserFactors, setUserLocked } = await import('./user-commands.ts');
    const services = await adminServices(config);
    try {
      if (sub === 'create') {
        const account = await createUser(services, { email: values.email, login: values.login, locale: values.locale, passwordStdin: values['password-stdin'], unverified: values.unverified });
        console.log(`created account ${account.id}`);
      } else if (sub === 'reset-factors') {
        const account = await resetUserFactors(services, arg);
        console.log(`removed the second factors of account ${account.id}; two-step sign-in is off`);
      } else {
        const account = await setUserLocked(services, arg, sub === 'lock');
        console.log(`${sub === 'lock' ? 'locked' : 'unlocked'} account ${account.id}`);
      }
    } finally {
      await services.close();
    }
    return 0;
  }

  if (command === 'admin-token' && ['create', 'list', 'revoke'].includes(sub ?? '')) {
    const commands = await import('./admin-token-commands.ts');
    const services = await adminServices(config);
    try {
      if (sub === 'create') console.log(await commands.createAdminToken(services, values.name));
      else if (sub === 'list') console.log(await commands.listAdminTokens(services));
      else console.log(await commands.revokeAdminToken(services, arg));
    } finally {
      await services.close();
    }
    return 0;
  }

  if ((command === 'client' && ['create', 'list', 'show', 'delete', 'rotate-secret'].includes(sub ?? '')) || (command === 'keys' && sub === 'rotate')) {
    const commands = await import('./client-commands.ts');
    const services = await adminServices(config);
    try {
      if (command === 'keys') console.log(await commands.rotateSigningKeys(services));
      else if (sub === 'create') {
        console.log(await commands.createClient(services, {
          name: values.name,
          redirectUris: values['redirect-uri'] ?? [],
          postLogoutRedirectUris: values['post-logout-redirect-uri'] ?? [],
          public: values.public,
          firstParty: values['first-party'],
          idTokenAlg: values['id-token-alg'],
        }));
      } else if (sub === 'list') console.log(await commands.listClients(services));
      else if (sub === 'show') console.log(await commands.showClient(services, arg));
      else if (sub === 'delete') console.log(await commands.deleteClient(services, arg));
      else console.log(await commands.rotateClientSecret(services, arg));
    } finally {
      await services.close();
    }
    return 0;
  }

  throw new UsageError(`unknown command "${positionals.join(' ')}"; see gatehouse --help`);
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`gatehouse: configuration error: ${error.message}`);
    process.exitCode = 2;
  } else if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`gatehouse: ${(error as Error).message}`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
