// My account → Security → Passkeys: add (after "Confirm it's you", like every security change),
// rename and remove. Adding and removing mail the owner a notice in the same transaction;
// removing the last factor two-step sign-in could ask for switches it off (security-notices.ts).
import { cleanPasskeyName } from '../passkeys/passkey-names.ts';
import { parseResponseText } from '../passkeys/passkey-input.ts';
import type { PasskeyService, RegistrationProblem } from '../passkeys/passkey-service.ts';
import type { PasskeyRow, PasskeyStore } from '../passkeys/passkey-store.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { fail, type Failure } from '../shared/failure.ts';
import type { Locale } from '../shared/i18n.ts';
import type { SecurityNotices } from './security-notices.ts';
import type { FactorStore } from '../factors/factor-store.ts';
import { BACKUP_CODE_COUNT, newBackupCodes, normalizeBackupCode } from '../factors/backup-codes.ts';
import type { SecurityEvents } from '../activity/security-events.ts';
import type { Shopper } from './security-settings-service.ts';

export function createPasskeySettingsService(deps: { passkeys: PasskeyService; store: PasskeyStore; sessions: SessionService; notices: SecurityNotices; factors: FactorStore; events: SecurityEvents }) {
  const { passkeys, store, sessions, notices, factors, events } = deps;
  const fresh = (shopper: Shopper) => sessions.isFreshlyVerified(shopper.session);

  return {
    list: (shopper: Shopper): Promise<PasskeyRow[]> => store.listForAccount(shopper.accountId),

    /** Creation options for this browser; the challenge is bound to it and to this account. */
    async startAdding(shopper: Shopper, userName: string) {
      if (!fresh(shopper)) return fail('reverify.required');
      return passkeys.registrationOptions({ accountId: shopper.accountId, browserId: shopper.browserId ?? '', userName });
    },

    /**
     * The browser's answer (JSON text from the page, or parsed from the app) → a saved passkey and
     * the owner's notice. `turnOnTwoStep` (the add page's box, ticked by default): two-step on in
     * the same transaction, with a first set of backup codes when the account has none — a
     * passkey-only account with two-step on and no codes would be locked out with the device lost.
     */
    async finishAdding(
      shopper: Shopper,
      response: unknown,
      userAgent: string,
      options: { turnOnTwoStep?: boolean } = {},
    ): Promise<{ ok: true; passkey: PasskeyRow; twoStepTurnedOn: boolean; backupCodes: string[] | null } | Failure<'reverify.required' | RegistrationProblem>> {
      if (!fresh(shopper)) return fail('reverify.required');
      const verified = await passkeys.verifyRegistration({ accountId: shopper.accountId, browserId: shopper.browserId ?? '', response: parseResponseText(response), userAgent, locale: shopper.locale as Locale });
      if (!verified.ok) return verified;
      let twoStepTurnedOn = false;
      let backupCodes: string[] | null = null;
      // register() runs the transaction (the unique index and the cap decide inside it); the notice rides in it.
      const saved = await passkeys.register(shopper.accountId, verified.passkey, async (trx, row) => {
        await notices.noticeOf(trx, shopper.accountId, 'passkey_added', row.name, shopper);
        if (!options.turnOnTwoStep || (await factors.summary(shopper.accountId, trx)).twoStep) return;
        await factors.setTwoStep(trx, shopper.accountId, true);
        await events.record(trx, { accountId: shopper.accountId, type: 'two_step.turned_on', from: shopper });
        twoStepTurnedOn = true;
        if ((await factors.backupCodesLeft(shopper.accountId, trx)) > 0) return;
        backupCodes = newBackupCodes(BACKUP_CODE_COUNT);
        await factors.replaceBackupCodes(trx, shopper.accountId, backupCodes.map((code) => normalizeBackupCode(code)!));
      });
      if (!saved.ok) return saved;
      notices.wakeCourier();
      return { ...saved, twoStepTurnedOn, backupCodes };
    },

    /** One passkey of this shopper's, for the rename and remove pages. */
    async find(shopper: Shopper, id: string): Promise<{ ok: true; passkey: PasskeyRow } | Failure<'reverify.required' | 'passkey.not_found'>> {
      if (!fresh(shopper)) return fail('reverify.required');
      const passkey = await store.findForAccount(shopper.accountId, id);
      return passkey ? { ok: true, passkey } : fail('passkey.not_found');
    },

    async rename(shopper: Shopper, id: string, typed: string): Promise<{ ok: true } | Failure<'reverify.required' | 'passkey.not_found' | 'passkey.name_invalid'>> {
      if (!fresh(shopper)) return fail('reverify.required');
      const name = cleanPasskeyName(typed);
      if (name === null) return fail('passkey.name_invalid', { field: 'name' });
      return (await store.rename(shopper.accountId, id, name)) ? { ok: true } : fail('passkey.not_found');
    },

    async remove(shopper: Shopper, id: string): Promise<{ ok: true } | Failure<'reverify.required' | 'passkey.not_found'>> {
      if (!fresh(shopper)) return fail('reverify.required');
      const removed = await notices.changeWithNotice(async (trx) => {
        const row = await store.remove(trx, shopper.accountId, id);
        if (!row) return false;
        await notices.keepTwoStepHonest(trx, shopper.accountId);
        await notices.noticeOf(trx, shopper.accountId, 'passkey_removed', row.name, shopper);
        return true;
      });
      return removed ? { ok: true } : fail('passkey.not_found');
    },
  };
}

export type PasskeySettingsService = ReturnType<typeof createPasskeySettingsService>;
