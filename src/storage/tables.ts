// Table types for Kysely. Times are milliseconds since the epoch (bigint in PostgreSQL, integer in
// SQLite) so both dialects compare and sort them the same way.

import type { AdminTokensTable, SecurityEventsTable, WebhookEndpointsTable } from './operations-tables.ts';

export type { AdminTokensTable, SecurityEventsTable, WebhookEndpointsTable } from './operations-tables.ts';

export interface AccountsTable {
  id: string;
  email: string;
  email_verified_at: number | null;
  login_name: string | null;
  password_hash: string | null;
  locale: string;
  locked_at: number | null;
  created_at: number;
  updated_at: number;
  two_step_enabled_at: number | null;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  account_id: string;
  kind: 'browser' | 'app';
  authenticated_via: string;
  user_agent: string;
  client_address: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  revoked_at: number | null;
  reverified_at: number | null;
  /** 1: "Keep me signed in on this device" — no idle limit, KEEP_SIGNED_IN_DAYS long; 0: 30 min idle / 12 h. */
  kept_signed_in: number;
}

export interface FlowsTable {
  id: string;
  kind: string;
  state: string;
  browser_hash: string;
  account_id: string | null;
  subject: string;
  typed_identifier: string;
  data: string;
  created_at: number;
  expires_at: number;
  updated_at: number;
}

export interface VerificationCodesTable {
  id: string;
  flow_id: string;
  purpose: string;
  channel: string;
  code_hash: string;
  created_at: number;
  expires_at: number;
  wrong_attempts: number;
  used_at: number | null;
  voided_at: number | null;
}

export interface RateEventsTable {
  id: string;
  bucket: string;
  subject: string;
  at: number;
}

/** The last code sent to a subject on a channel, over every flow (the 60 s resend wait). */
export interface SendCooldownsTable {
  subject: string;
  channel: 'email' | 'sms';
  /** 0 after a send that was claimed and then refused by a cap: nothing went out. */
  last_sent_at: number;
  /** The flow the last code was issued for (it may move to a newer flow of the same browser). */
  flow_id: string;
  /** Keyed hash of where it went: a code only moves to a flow sending to the same place. */
  destination_hash: string;
}

/** A row per budget and subject that a claiming transaction locks: parallel claims queue on it. */
export interface BudgetLocksTable {
  bucket: string;
  subject: string;
  touched_at: number;
}

export interface LoginThrottlesTable {
  subject: string;
  failures: number;
  last_failure_at: number;
  blocked_until: number;
}

export interface OutboxTable {
  id: string;
  /** 'webhook': a signed event for one of the store's endpoints (webhooks/); its recipient is the endpoint's id. */
  channel: 'email' | 'sms' | 'webhook';
  template: string;
  locale: string;
  recipient_sealed: string;
  payload_sealed: string;
  /** 'expired': a code mail whose code died before it could be sent; it never will be. */
  status: 'pending' | 'sending' | 'sent' | 'parked' | 'expired';
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
  /** Code mails only: the code's expires_at. At or after it the mail is worthless and never sent. */
  expires_at: number | null;
  /** When retrying stops: the code's expiry for a code mail, else 3 days after queueing (or re-queueing). */
  retry_until: number | null;
}

export interface QrLoginRequestsTable {
  id: string;
  token_hash: string;
  secret_hash: string;
  state: 'pending' | 'scanned' | 'approved' | 'consumed' | 'denied';
  browser_user_agent: string;
  browser_address: string;
  account_id: string | null;
  app_session_id: string | null;
  session_id: string | null;
  created_at: number;
  scan_by: number;
  decide_by: number | null;
  complete_by: number | null;
  updated_at: number;
}

export interface AccountPhonesTable {
  account_id: string;
  /** The E.164 number, sealed: the database never holds a readable phone number. */
  number_sealed: string;
  /** As pages may show it: "+7 *** ***-**-12". */
  masked: string;
  verified_at: number;
}

export interface TotpCredentialsTable {
  account_id: string;
  secret_sealed: string;
  /** RFC 6238 time step of the last accepted code; a code for this step or an earlier one is refused. */
  last_used_step: number;
  confirmed_at: number;
}

export interface BackupCodesTable {
  id: string;
  account_id: string;
  code_hash: string;
  created_at: number;
  used_at: number | null;
}

/** A registered passkey (WebAuthn credential). Ids and the COSE public key are base64url text. */
export interface PasskeysTable {
  id: string;
  account_id: string;
  credential_id: string;
  public_key: string;
  /** The authenticator's signature counter as last seen; 0 for authenticators that keep none. */
  sign_count: number;
  /** JSON array of the transports the browser reported ("internal", "hybrid", …). */
  transports: string;
  aaguid: string;
  name: string;
  device_type: 'singleDevice' | 'multiDevice';
  /** 1/0 (both dialects): may the key be synced, and is it. */
  backup_eligible: number;
  backed_up: number;
  created_at: number;
  last_used_at: number | null;
  /**
   * When a sign-in showed its counter going back (another copy of the key signed in meanwhile):
   * from then on every assertion of it is refused, the real key's too, until the owner removes it.
   */
  suspected_clone_at: number | null;
}

export interface PasskeyChallengesTable {
  id: string;
  /** SHA-256 (hex) of the challenge; the challenge itself is never stored. */
  challenge_hash: string;
  purpose: 'register' | 'authenticate';
  /** SHA-256 of the browser binding id (request.ctx.browserId), as flows keep it. */
  browser_hash: string;
  flow_id: string | null;
  account_id: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface OidcClientsTable {
  client_id: string;
  name: string;
  /** Keyed hash of the secret (shared/secrets.ts keyedHash 'oidc-client-secret'); null for a public app (PKCE only). */
  secret_hash: string | null;
  /** JSON arrays of exact URIs. */
  redirect_uris: string;
  post_logout_redirect_uris: string;
  first_party: number;
  /** ES256 (the default) or RS256, for an app whose library knows only RSA. */
  id_token_alg: string;
  created_at: number;
  updated_at: number;
}

export interface OidcPayloadsTable {
  /** oidc-provider's model name: Session, Interaction, AuthorizationCode, AccessToken, RefreshToken, Grant, … */
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  uid: string | null;
  account_id: string | null;
  client_id: string | null;
  session_uid: string | null;
  /** For Session rows: the Gatehouse session that signed the shopper in, so ending it ends the apps' too. */
  gatehouse_session_id: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}

export interface OidcKeysTable {
  kid: string;
  alg: string;
  /** 'initial-ES256' / 'initial-RS256' for the keys made on first start (one per installation, even when nodes race); null for rotated ones. */
  slot: string | null;
  sealed_jwk: string;
  created_at: number;
  /** Published in the JWKS from created_at, signing from here (every node has reloaded by then). */
  activates_at: number;
  /** Signs no more from here; stays published until every token it signed has expired. */
  retired_at: number | null;
}

export interface OidcConsentsTable {
  account_id: string;
  client_id: string;
  scope: string;
  granted_at: number;
}

export interface Tables {
  accounts: AccountsTable;
  sessions: SessionsTable;
  flows: FlowsTable;
  verification_codes: VerificationCodesTable;
  rate_events: RateEventsTable;
  login_throttles: LoginThrottlesTable;
  send_cooldowns: SendCooldownsTable;
  budget_locks: BudgetLocksTable;
  outbox: OutboxTable;
  qr_login_requests: QrLoginRequestsTable;
  account_phones: AccountPhonesTable;
  totp_credentials: TotpCredentialsTable;
  backup_codes: BackupCodesTable;
  passkeys: PasskeysTable;
  passkey_challenges: PasskeyChallengesTable;
  oidc_clients: OidcClientsTable;
  oidc_payloads: OidcPayloadsTable;
  oidc_keys: OidcKeysTable;
  oidc_consents: OidcConsentsTable;
  security_events: SecurityEventsTable;
  admin_tokens: AdminTokensTable;
  webhook_endpoints: WebhookEndpointsTable;
}
