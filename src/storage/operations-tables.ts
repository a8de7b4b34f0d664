// Table types for what issue 12 added (security activity, admin tokens, webhook endpoints), kept
// beside tables.ts so that file stays readable; tables.ts re-exports them. Times as there: ms.

export interface SecurityEventsTable {
  id: string;
  account_id: string | null;
  type: string;
  way: string | null;
  result: string | null;
  /** JSON of non-secret details (a phone's masked number, an app's name, how many sessions). */
  detail: string | null;
  client_address: string | null;
  user_agent: string | null;
  /** Who acted when it was not the shopper: `admin:<token name>`, `cli`. */
  actor: string | null;
  occurred_at: number;
}

export interface AdminTokensTable {
  id: string;
  name: string;
  token_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface WebhookEndpointsTable {
  id: string;
  url: string;
  /** Comma-separated event types (activity/security-events.ts), or `*`. */
  events: string;
  secret_sealed: string;
  created_at: number;
}
