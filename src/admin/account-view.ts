// What support sees of one account: the facts, which factors are present (never a secret: the
// phone only masked, the authenticator and backup codes as yes/how many), the live sessions and
// the last 90 days of security activity — devices named from the fixed list in
// sessions/user-agent.ts and addresses cut to their network, never the raw header or address.
import { networkOf, type SecurityEvents } from '../activity/security-events.ts';
import type { FactorStore } from '../factors/factor-store.ts';
import type { Account } from '../identity/account-store.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { describeUserAgent } from '../sessions/user-agent.ts';

const DAY_MS = 24 * 3600 * 1000;
const ACTIVITY_DAYS = 90;
const ACTIVITY_LIMIT = 100;

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

function device(userAgent: string | null) {
  const { browser, system } = describeUserAgent(userAgent ?? '', 'en');
  return { browser, system };
}

export const accountSummary = (account: Account) => ({
  id: account.id,
  email: account.email,
  loginName: account.login_name,
  emailVerified: account.email_verified_at !== null,
  locked: account.locked_at !== null,
  locale: account.locale,
  createdAt: iso(account.created_at)!,
});

export async function describeAccount(deps: { factors: FactorStore; sessions: SessionService; events: SecurityEvents }, account: Account, now: number) {
  const [factors, sessions, activity] = await Promise.all([
    deps.factors.summary(account.id),
    deps.sessions.listSessions(account.id),
    deps.events.recentFor(account.id, now - ACTIVITY_DAYS * DAY_MS, ACTIVITY_LIMIT),
  ]);
  return {
    account: { ...accountSummary(account), emailVerifiedAt: iso(account.email_verified_at), lockedAt: iso(account.locked_at) },
    factors: {
      phone: { present: factors.phone !== null, masked: factors.phone },
      authenticator: factors.totp,
      backupCodesLeft: factors.backupCodesLeft,
      passkeys: factors.passkeys,
      twoStep: factors.twoStep,
    },
    sessions: sessions.map((s) => ({
      id: s.id,
      kind: s.kind,
      authenticatedVia: s.authenticated_via,
      createdAt: iso(s.created_at)!,
      lastSeenAt: iso(s.last_seen_at)!,
      keptSignedIn: s.kept_signed_in === 1,
      ...device(s.user_agent),
    })),
    activity: activity.map((e) => ({
      id: e.id,
      type: e.type,
      way: e.way,
      result: e.result,
      detail: e.detail,
      actor: e.actor,
      network: e.client_address === null ? null : networkOf(e.client_address),
      occurredAt: iso(e.occurred_at)!,
      ...device(e.user_agent),
    })),
  };
}
