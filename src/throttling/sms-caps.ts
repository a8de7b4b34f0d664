// Caps against SMS pumping ("toll fraud"): a script that makes us text numbers an accomplice's
// carrier pays out for. Per-account and per-client send limits (verification/) do not stop it —
// the script rotates accounts and addresses — so these count by what it cannot rotate cheaply:
// the destination number, and the country prefix its payout comes from.
//
// Texts to a number nobody has verified yet (adding a phone) are the ones a script can aim
// anywhere, so they have caps of their own — per account, per client address, per number and per
// country — in buckets apart from the ones texts to verified numbers (sign-in, recovery) use: ten
// throw-away accounts typing French numbers must not spend the hour that a shopper's SMS
// sign-in in France needs.
//
// Subjects are keyed hashes: rate_events must not become a readable list of who was texted when.
// The country code is hashed as well, under its own purpose, so every row of these buckets reads
// alike and none can be joined with another table by value.
import { randomUUID } from 'node:crypto';
import { fail, type Failure } from '../shared/failure.ts';
import type { RateEvents, WindowLimit } from './rate-events.ts';

export interface SmsCapsOptions {
  perNumberPerHour: number;
  perCountryPerHour: number;
  /** Texts to numbers being added (not yet verified). */
  newNumbers: { perAccountPerHour: number; perClientPerHour: number; perCountryPerHour: number };
  /** secrets.keyedHash */
  keyedHash(purpose: string, value: string): string;
}

export type SmsCapFailure = Failure<'sms.number_limit' | 'sms.country_limit' | 'sms.new_numbers_limit'>;

const HOUR = 3600;

export function createSmsCaps(rateEvents: Pick<RateEvents, 'consume'>, options: SmsCapsOptions) {
  const perNumber: WindowLimit = { bucket: 'sms_number_hour', limit: options.perNumberPerHour, windowSeconds: HOUR };
  const perCountry: WindowLimit = { bucket: 'sms_country_hour', limit: options.perCountryPerHour, windowSeconds: HOUR };

  const newPerAccount: WindowLimit = { bucket: 'sms_new_account_hour', limit: options.newNumbers.perAccountPerHour, windowSeconds: HOUR };
  const newPerClient: WindowLimit = { bucket: 'sms_new_client_hour', limit: options.newNumbers.perClientPerHour, windowSeconds: HOUR };
  const newPerNumber: WindowLimit = { bucket: 'sms_new_number_hour', limit: options.perNumberPerHour, windowSeconds: HOUR };
  const newPerCountry: WindowLimit = { bucket: 'sms_new_country_hour', limit: options.newNumbers.perCountryPerHour, windowSeconds: HOUR };

  const numberSubject = (e164: string) => options.keyedHash('sms-cap:number', e164);
  const countrySubject = (code: string) => options.keyedHash('sms-cap:country', code.replace(/^\+/, ''));

  const reserve = (numberKey: string, countryKey: string) =>
    rateEvents.consume([perNumber, perCountry], (rule) => (rule === perNumber ? numberKey : countryKey));

  return {
    /**
     * The same queries and writes as reserve() under subjects nobody shares, for a recovery text
     * that goes nowhere (unknown account, no phone): the answer must not cost less than a real one
     * (DESIGN.md §2 "enumeration"). Never refuses.
     */
    async rehearse(): Promise<void> {
      const decoy = randomUUID();
      await reserve(options.keyedHash('sms-cap:number', decoy), options.keyedHash('sms-cap:country', decoy));
    },

    /**
     * Counts one text to `e164` (and its country) if both windows have room, all or nothing. Call
     * it right before queueing a real message, never for a decoy: a decoy costs nothing.
     */
    async reserve(e164: string, countryCallingCode: string): Promise<{ ok: true } | SmsCapFailure> {
      const result = await reserve(numberSubject(e164), countrySubject(countryCallingCode));
      if (result.ok) return { ok: true };
      const code = result.rule === perNumber ? 'sms.number_limit' : 'sms.country_limit';
      return fail(code, { retryAfterSeconds: result.retryAfterSeconds, field: 'phone' });
    },

    /**
     * Counts one text to a number being added, under the new-number caps only: the account and
     * client address first (what a shopper typing a wrong number runs into), then the number and
     * its country. Never touches what texts to verified numbers count.
     */
    async reserveForNewNumber(e164: string, countryCallingCode: string, who: { accountId: string; clientAddress: string }): Promise<{ ok: true } | SmsCapFailure> {
      const subjects = new Map<WindowLimit, string>([
        [newPerAccount, options.keyedHash('sms-cap:account', who.accountId)],
        [newPerClient, options.keyedHash('sms-cap:client', who.clientAddress)],
        [newPerNumber, numberSubject(e164)],
        [newPerCountry, countrySubject(countryCallingCode)],
      ]);
      const result = await rateEvents.consume([...subjects.keys()], (rule) => subjects.get(rule)!);
      if (result.ok) return { ok: true };
      const code = result.rule === newPerNumber ? 'sms.number_limit' : result.rule === newPerCountry ? 'sms.country_limit' : 'sms.new_numbers_limit';
      return fail(code, { retryAfterSeconds: result.retryAfterSeconds, field: 'phone' });
    },
  };
}

export type SmsCaps = ReturnType<typeof createSmsCaps>;
