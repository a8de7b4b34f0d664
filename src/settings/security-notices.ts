// The owner's notice of a security change, queued in the change's own transaction (NIST SP
// 800-63B-4 §4.6: whoever made the change may hold the session, but not the mailbox), and the
// rule that two-step sign-in switches itself off with the last factor it could ask for. Shared by
// every part of My account → Security.
import type { Config } from '../config/config.ts';
import type { enqueueEmail } from '../courier/outbox.ts';
import type { SecurityChange } from '../courier/templates/email-templates.ts';
import { hasSecondFactor, type FactorStore } from '../factors/factor-store.ts';
import type { AccountStore } from '../identity/account-store.ts';
import type { Clock } from '../shared/clock.ts';
import { describeMoment, type Locale } from '../shared/i18n.ts';
import type { Secrets } from '../shared/secrets.ts';
import type { Database } from '../storage/database.ts';
import type { EventOrigin, SecurityEvent, SecurityEvents } from '../activity/security-events.ts';

/** How each change is recorded under Recent security activity (and sent to webhooks). */
const eventOfChange: Record<SecurityChange, Pick<SecurityEvent, 'type' | 'way'>> = {
  phone_added: { type: 'factor.added', way: 'phone' },
  phone_changed: { type: 'factor.changed', way: 'phone' },
  phone_removed: { type: 'factor.removed', way: 'phone' },
  authenticator_added: { type: 'factor.added', way: 'totp' },
  authenticator_removed: { type: 'factor.removed', way: 'totp' },
  backup_codes_regenerated: { type: 'factor.added', way: 'backup_codes' },
  two_step_off: { type: 'two_step.turned_off' },
  passkey_added: { type: 'factor.added', way: 'passkey' },
  passkey_removed: { type: 'factor.removed', way: 'passkey' },
};

export function createSecurityNotices(deps: {
  db: Database;
  config: Config;
  accounts: AccountStore;
  factors: FactorStore;
  secrets: Secrets;
  clock: Clock;
  enqueueEmail: typeof enqueueEmail;
  wakeCourier: () => void;
  events: SecurityEvents;
}) {
  const { db, config, accounts, factors, secrets, clock } = deps;
  return {
    /** Queues the owner's notice of a change, and its security event, in the change's own transaction. */
    async noticeOf(trx: Database, accountId: string, change: SecurityChange, detail?: string, from?: EventOrigin) {
      const account = await accounts.findById(accountId, trx);
      if (!account) return;
      // A phone's detail is its masked number; a passkey's is the name the shopper gave it, kept out.
      const masked = change.startsWith('phone_') && detail ? { phone: detail } : undefined;
      await deps.events.record(trx, { accountId, ...eventOfChange[change], detail: masked, from });
      await deps.enqueueEmail(trx, { secrets, clock }, {
        template: 'security_changed',
        locale: account.locale as Locale,
        to: account.email,
        data: { storeName: config.storeName, change, time: describeMoment(clock.now(), account.locale), secureUrl: `${config.publicUrl}/recovery`, ...(detail ? { detail } : {}) },
      });
    },

    /** Runs a change and its notice in one transaction, then wakes the courier. */
    async changeWithNotice<T>(work: (trx: Database) => Promise<T>): Promise<T> {
      const result = await db.transaction().execute(work);
      deps.wakeCourier();
      return result;
    },

    /** After a change that ran its own transaction (with noticeOf inside it). */
    wakeCourier: () => deps.wakeCourier(),

    /** Two-step sign-in needs something to ask for: it switches itself off with the last factor. */
    async keepTwoStepHonest(executor: Database, accountId: string) {
      const summary = await factors.summary(accountId, executor);
      if (summary.twoStep && !hasSecondFactor(summary)) await factors.setTwoStep(executor, accountId, false);
    },
  };
}

export type SecurityNotices = ReturnType<typeof createSecurityNotices>;
