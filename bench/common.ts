// What the bench's processes share: the Gatehouse configuration they all start from and the
// seeded data's shape. Only bench/ uses this.
import { loadConfig, type Config } from '../src/config/config.ts';

export const BENCH_PASSWORD = 'bench correct horse battery 42';
export const emailFor = (i: number) => `shopper${i}@example.com`;

/**
 * One bench data directory → one SQLite file shared by Gatehouse, the seeder and the bare server.
 * As environment variables, because the bench starts Gatehouse the way production does: `node
 * dist/main.js` reading its configuration from the environment.
 */
export function benchEnv(dataDir: string): Record<string, string> {
  return {
    DATABASE_URL: `sqlite:${dataDir}/bench.db`,
    DATA_DIR: dataDir,
    GATEHOUSE_SECRET: 'bench-secret-bench-secret-bench-secret-0123456789',
    // A real deployment names its mail server; nothing is sent during the bench (no dispatcher, no
    // flow that mails), so nothing needs to listen here and no mail catcher runs in the process.
    SMTP_URL: 'smtp://127.0.0.1:2525',
    RUN_DISPATCHER: 'false',
    LOG_LEVEL: 'silent',
    // bench/flows.ts gives each simulated shopper its own address (X-Forwarded-For).
    TRUST_PROXY: '1',
    PORT: '0',
    // The token endpoint's limits stay on (their cost is measured) but out of reach of the load.
    OIDC_TOKEN_REQUESTS_PER_ADDRESS: '10000000',
    OIDC_TOKEN_REQUESTS_PER_CLIENT: '10000000',
    // BENCH_METRICS=1 runs the same bench with Prometheus metrics on, to measure what they cost.
    ...(process.env.BENCH_METRICS === '1' ? { METRICS_TOKEN: 'bench-metrics-token-0123456789abcdef0123' } : {}),
  };
}

/** The same configuration as Gatehouse reads it from benchEnv (for the seeder and the argon2 reference). */
export function benchConfig(dataDir: string): Config {
  return loadConfig(benchEnv(dataDir));
}

export interface SeedResult {
  accounts: number;
  /** Session tokens, one per account (account i ↔ tokens[i]). */
  tokens: string[];
  /** ES256 passkeys of the first accounts, with their private keys, for the passkey sign-in row. */
  passkeys: import('./passkey-sign-ins.ts').SeededPasskey[];
  /** A first-party app registered for the OpenID rows. */
  app: import('./oidc-tokens.ts').BenchApp;
  seedMs: number;
}
