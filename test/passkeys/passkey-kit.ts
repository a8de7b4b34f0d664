// A passkey service over a store suite's database, and the software authenticator that talks to
// it, for the service rules (test/passkeys/passkey-service.test.ts).
import { loadConfig } from '../../src/config/config.ts';
import { enqueueEmail } from '../../src/courier/outbox.ts';
import { createAccountStore } from '../../src/identity/account-store.ts';
import { createPasskeyService } from '../../src/passkeys/passkey-service.ts';
import { createPasskeyStore } from '../../src/passkeys/passkey-store.ts';
import type { StoreSuite } from '../stores/store-kit.ts';

export const ORIGIN = 'https://shop.example.com';
export const ICLOUD = 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd';
export const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export function passkeyServiceOn(s: StoreSuite, env: Record<string, string> = {}) {
  const config = loadConfig({ PUBLIC_URL: ORIGIN, GATEHOUSE_SECRET: 'passkey-test-secret-0123456789abcdef01234567', ...env });
  const store = createPasskeyStore(s.db, s.clock);
  let wakes = 0;
  const service = createPasskeyService({ db: s.db, config, store, accounts: createAccountStore(s.db), secrets: s.secrets, clock: s.clock, enqueueEmail, wakeCourier: () => wakes++ });
  return { service, store, config, wakes: () => wakes };
}
