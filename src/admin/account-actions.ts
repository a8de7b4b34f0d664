// What support does to an account, from the CLI (`gatehouse user lock|unlock|reset-factors`) and
// from the admin API alike: one place, so both write the same rows and the same security event,
// in the transaction of the change. `actor` says who: 'cli', or 'admin:<token name>'.
import type { SecurityEvents } from '../activity/security-events.ts';
import type { FactorStore } from '../factors/factor-store.ts';
import type { AccountStore } from '../identity/account-store.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';

export interface AccountActionDeps {
  db: Database;
  clock: Clock;
  accounts: AccountStore;
  factors: FactorStore;
  sessions: SessionService;
  events: SecurityEvents;
}

/** Locking also ends every session, so the lock takes effect at once everywhere. Returns how many ended. */
export async function setAccountLocked(deps: AccountActionDeps, accountId: string, locked: boolean, actor: string): Promise<{ sessionsEnded: number }> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    await deps.accounts.setLocked(accountId, locked ? now : null, now, trx);
    const sessionsEnded = locked ? await deps.sessions.endOtherSessions(trx, accountId, null, undefined, actor) : 0;
    await deps.events.record(trx, { accountId, type: locked ? 'account.locked' : 'account.unlocked', actor });
    return { sessionsEnded };
  });
}

/** "Sign me out everywhere" done by support (a stolen phone, a shared computer). */
export async function endAccountSessions(deps: AccountActionDeps, accountId: string, actor: string): Promise<{ sessionsEnded: number }> {
  return deps.db.transaction().execute(async (trx) => {
    const sessionsEnded = await deps.sessions.endOtherSessions(trx, accountId, null, undefined, actor);
    // endOtherSessions records only when something ended; support's request is recorded either way.
    if (sessionsEnded === 0) await deps.events.record(trx, { accountId, type: 'session.ended', detail: { sessions: 0 }, actor });
    return { sessionsEnded };
  });
}

/**
 * Support's answer to "I lost my phone and my backup codes": once support has checked it is the
 * owner, the phone, authenticator app and backup codes go and two-step sign-in turns off, so the
 * shopper can recover with the email code alone. Every session ends, as after a lock. Passkeys
 * stay: they are on the shopper's own devices and the shopper removes them from Security.
 */
export async function resetAccountFactors(deps: AccountActionDeps, accountId: string, actor: string): Promise<{ sessionsEnded: number }> {
  return deps.db.transaction().execute(async (trx) => {
    await deps.factors.removePhone(trx, accountId);
    await deps.factors.removeTotp(trx, accountId);
    await deps.factors.removeBackupCodes(trx, accountId);
    await deps.factors.setTwoStep(trx, accountId, false);
    const sessionsEnded = await deps.sessions.endOtherSessions(trx, accountId, null, undefined, actor);
    await deps.events.record(trx, { accountId, type: 'factor.removed', way: 'all', actor });
    return { sessionsEnded };
  });
}
