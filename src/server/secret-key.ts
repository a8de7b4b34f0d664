// The installation's secret: GATEHOUSE_SECRET, or for a single development node a key kept in
// the data directory. Its own module so the CLI's admin commands can read it without loading
// every service.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { randomToken } from '../shared/secrets.ts';

/** GATEHOUSE_SECRET, or for a single development node a key kept in the data directory. */
export function resolveSecret(config: Config, logger: Logger): string {
  if (config.secret) return config.secret;
  const file = join(config.dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomToken();
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  if (config.database.kind === 'postgres') logger.warn('GATEHOUSE_SECRET is not set: using a key from the data directory; every node sharing the database needs the same key');
  return secret;
}
