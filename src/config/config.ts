// The one place that reads process.env. Every variable is listed here with its default and a
// parser; a bad value stops start-up with one line naming the variable (see README "Configuration").
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { ConfigError } from './config-error.ts';
import { brandFrom, type Brand } from './brand.ts';
import { flag, integer, url, type Env } from './env-readers.ts';
import { securityFrom, type SecurityConfig } from './security-config.ts';
export type { SecurityConfig };
export { ConfigError };

export type DatabaseConfig =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string };


export interface Config {
  host: string;
  port: number;
  publicUrl: string;
  /** The WebAuthn relying party id: PUBLIC_URL's host, or a registrable parent of it (PASSKEY_RP_ID). */
  passkeyRpId: string;
  database: DatabaseConfig;
  dataDir: string;
  secret: string | undefined;
  smtpUrl: string | undefined;
  /** Serve /dev/mailbox and catch SMS locally when no provider is set; on by default only without SMTP_URL. */
  devMailbox: boolean;
  mailFrom: string;
  storeName: string;
  /** BRAND_COLOR, BRAND_LOGO and the footer links (brand.ts). */
  brand: Brand;
  logLevel: string;
  trustProxy: TrustProxy;
  runDispatcher: boolean;
  security: SecurityConfig;
  sms: SmsConfig;
  oidc: OidcConfig;
  /** Prometheus metrics (operations/): off unless a token or a localhost port is given. */
  metrics: { token: string | undefined; port: number | undefined };
}

/** "Sign in with <Store>" for other apps (oidc/). */
export interface OidcConfig {
  /** Posts to the provider (token, introspection, revocation, sign-out) per minute per client address, and per app from one address. */
  tokenRequestsPerMinutePerAddress: number;
  tokenRequestsPerMinutePerClient: number;
  /** Authorization and sign-out requests (browser pages, each stores a row) per minute per client address. */
  browserRequestsPerMinutePerAddress: number;
}

/** A Twilio-compatible provider; without accountSid the built-in SMS catcher stands in for it. */
export interface SmsConfig {
  providerUrl: string;
  accountSid: string | undefined;
  authToken: string | undefined;
  /** Sender number (E.164), alphanumeric sender ID, or Messaging Service SID (MG…). */
  from: string | undefined;
  perNumberPerHour: number;
  perCountryPerHour: number;
  /** Texts to numbers being added: caps of their own, apart from texts to verified numbers. */
  newNumbers: { perAccountPerHour: number; perClientPerHour: number; perCountryPerHour: number };
}

/**
 * Which proxies in front of Gatehouse may tell it the client's address (X-Forwarded-For). The
 * client is the right-most address they did not add themselves: anything to the left of it was
 * written by the client and proves nothing (DESIGN.md §2 "client address").
 */
export type TrustProxy =
  | { kind: 'none' }
  /** This many proxies, each appending the address it saw; only when nothing else can reach Gatehouse. */
  | { kind: 'hops'; hops: number }
  /** Proxies by address or CIDR (or loopback, linklocal, uniquelocal): the peer must be one of them. */
  | { kind: 'addresses'; addresses: string[] };


function smsFrom(env: Env): SmsConfig {
  // http: is allowed for a self-hosted gateway on a private network and for tests; with Twilio
  // itself it would send the auth token in the clear, so the default is https.
  const providerUrl = url(env, 'SMS_PROVIDER_URL', 'https://api.twilio.com', ['https:', 'http:'])!.replace(/\/+$/, '');
  const accountSid = env.SMS_ACCOUNT_SID || undefined;
  const authToken = env.SMS_AUTH_TOKEN || undefined;
  if (!accountSid !== !authToken) throw new ConfigError('SMS_ACCOUNT_SID and SMS_AUTH_TOKEN go together: set both or neither');
  // The SID becomes part of the request path.
  if (accountSid && !/^[A-Za-z0-9_-]{1,64}$/.test(accountSid)) throw new ConfigError('SMS_ACCOUNT_SID must be letters and digits, like AC0123…');
  const from = env.SMS_FROM || undefined;
  if (accountSid && !from) throw new ConfigError('SMS_FROM is required with SMS_ACCOUNT_SID: a number like +15005550006, a sender ID, or a Messaging Service SID (MG…)');
  // E.164, an alphanumeric sender ID (up to 11 letters, digits and spaces, not all digits), or MG + 32 hex.
  if (from && !/^(\+[1-9]\d{6,14}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}|MG[0-9a-fA-F]{32})$/.test(from)) {
    throw new ConfigError(`SMS_FROM must be a number like +15005550006, a sender ID of up to 11 letters and digits, or MG…; got "${from}"`);
  }
  return {
    providerUrl,
    accountSid,
    authToken,
    from,
    perNumberPerHour: integer(env, 'SMS_PER_NUMBER_PER_HOUR', 3, 1, 100),
    perCountryPerHour: integer(env, 'SMS_PER_COUNTRY_PER_HOUR', 50, 1, 1_000_000),
    newNumbers: {
      perAccountPerHour: integer(env, 'SMS_NEW_NUMBER_PER_ACCOUNT_PER_HOUR', 3, 1, 100),
      perClientPerHour: integer(env, 'SMS_NEW_NUMBER_PER_CLIENT_PER_HOUR', 10, 1, 10_000),
      perCountryPerHour: integer(env, 'SMS_NEW_NUMBER_PER_COUNTRY_PER_HOUR', 20, 1, 1_000_000),
    },
  };
}

const TRUST_PROXY_HELP =
  'name your proxies instead: TRUST_PROXY=1 for one proxy in front (nginx, haproxy), 2 for two, or their addresses, e.g. TRUST_PROXY=127.0.0.1,10.0.0.0/8';

/** An address, a CIDR range, or one of proxy-addr's names for a reserved range. */
function isProxyAddress(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address = '', prefix, extra] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

function trustProxyFrom(env: Env): TrustProxy {
  const raw = (env.TRUST_PROXY ?? '').trim();
  if (raw === '' || /^(0|false|no|off)$/i.test(raw)) return { kind: 'none' };
  // "true" used to mean "believe the left-most X-Forwarded-For", which the client writes itself:
  // every per-address limit would count whatever address a script chose. Refused, not guessed at:
  // one hop is wrong behind two proxies (every shopper would share the outer proxy's address).
  if (/^(true|yes|on)$/i.test(raw)) throw new ConfigError(`TRUST_PROXY=${raw} would believe any X-Forwarded-For a client writes; ${TRUST_PROXY_HELP}`);
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 10) throw new ConfigError(`TRUST_PROXY must be a number of proxies from 0 to 10, or their addresses; got ${hops}`);
    return { kind: 'hops', hops };
  }
  const addresses = raw.split(',').map((entry) => entry.trim());
  const bad = addresses.find((entry) => !isProxyAddress(entry));
  if (bad !== undefined) throw new ConfigError(`TRUST_PROXY must be a number of proxies or a comma-separated list of addresses and CIDR ranges; "${bad}" is neither (${TRUST_PROXY_HELP})`);
  return { kind: 'addresses', addresses };
}

function databaseFrom(env: Env, dataDir: string): DatabaseConfig {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === '') return { kind: 'sqlite', file: resolve(dataDir, 'gatehouse.db') };
  if (raw.startsWith('sqlite:')) {
    const file = raw.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!file) throw new ConfigError('DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/gatehouse.db');
    return { kind: 'sqlite', file: file === ':memory:' ? file : resolve(file) };
  }
  const checked = url(env, 'DATABASE_URL', undefined, ['postgres:', 'postgresql:', 'sqlite:']);
  return { kind: 'postgres', url: checked! };
}

/**
 * PASSKEY_RP_ID, when set, must be PUBLIC_URL's host or a parent domain of it (WebAuthn §5.1.3:
 * a page may claim its own host or a registrable suffix). A bare top-level name ("com") would
 * let every site under it ask for the store's passkeys, so it needs at least two labels.
 */
function passkeyRpIdFrom(env: Env, publicUrl: string): string {
  const host = new URL(publicUrl).hostname;
  const raw = env.PASSKEY_RP_ID?.trim().toLowerCase();
  if (!raw) return host;
  const isParent = raw === host || (host.endsWith(`.${raw}`) && raw.includes('.'));
  if (!/^[a-z0-9.-]{1,253}$/.test(raw) || !isParent) {
    throw new ConfigError(`PASSKEY_RP_ID must be PUBLIC_URL's host (${host}) or a parent domain of it, like example.com for shop.example.com; got "${raw}"`);
  }
  return raw;
}

export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || '127.0.0.1';
  const publicUrl = url(env, 'PUBLIC_URL', `http://localhost:${port}`, ['http:', 'https:'])!.replace(/\/$/, '');
  const dataDir = resolve(env.DATA_DIR || './data');
  const secret = env.GATEHOUSE_SECRET || undefined;
  if (secret !== undefined && secret.length < 32) {
    throw new ConfigError('GATEHOUSE_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`)');
  }
  const mailFrom = env.MAIL_FROM || 'Gatehouse <no-reply@gatehouse.localhost>';
  if (!/^[^\r\n]*@[^\r\n]+$/.test(mailFrom)) throw new ConfigError('MAIL_FROM must be an address like "Store <no-reply@example.com>"');
  const logLevel = env.LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "${logLevel}"`);
  }
  return {
    host,
    port,
    publicUrl,
    passkeyRpId: passkeyRpIdFrom(env, publicUrl),
    database: databaseFrom(env, dataDir),
    dataDir,
    secret,
    smtpUrl: url(env, 'SMTP_URL', undefined, ['smtp:', 'smtps:']),
    devMailbox: flag(env, 'DEV_MAILBOX', !env.SMTP_URL),
    mailFrom,
    storeName: env.STORE_NAME || 'Gatehouse Store',
    brand: brandFrom(env),
    logLevel,
    trustProxy: trustProxyFrom(env),
    runDispatcher: flag(env, 'RUN_DISPATCHER', true),
    security: securityFrom(env),
    sms: smsFrom(env),
    oidc: {
      tokenRequestsPerMinutePerAddress: integer(env, 'OIDC_TOKEN_REQUESTS_PER_ADDRESS', 1200, 1, 10_000_000),
      tokenRequestsPerMinutePerClient: integer(env, 'OIDC_TOKEN_REQUESTS_PER_CLIENT', 600, 1, 10_000_000),
      browserRequestsPerMinutePerAddress: integer(env, 'OIDC_BROWSER_REQUESTS_PER_ADDRESS', 300, 1, 10_000_000),
    },
    metrics: { token: metricsToken(env), port: env.METRICS_PORT ? integer(env, 'METRICS_PORT', 0, 1, 65535) : undefined },
  };
}

/** The scrape token is a password for what the service is doing: short ones are guessed. */
function metricsToken(env: Env): string | undefined {
  const token = env.METRICS_TOKEN || undefined;
  if (token !== undefined && (token.length < 32 || !/^[\x21-\x7e]+$/.test(token))) {
    throw new ConfigError('METRICS_TOKEN must be at least 32 visible ASCII characters (e.g. `openssl rand -hex 32`)');
  }
  return token;
}
