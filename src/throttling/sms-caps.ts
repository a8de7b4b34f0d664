// Caps against SMS pumping ("toll fraud"): a script that makes us text numbers an accomplice's
// carrier pays out for. Per-account and per-client send limits (verification/) do not stop it —
// the script rotates accounts and addresses — so these count by what it cannot rotate cheaply:
// the destination number, and the country prefix its payout comes from.
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
  /** secrets.keyedHash */
  keyedHash(purpose: string, value: string): string;
}

export type SmsCapFailure = Failure<'sms.number_limit' | 'sms.country_limit'>;

const HOUR = 3600;

export function createSmsCaps(rateEvents: Pick<RateEvents, 'consume'>, options: SmsCapsOptions) {
  const perNumber: WindowLimit = { bucket: 'sms_number_hour', limit: options.perNumberPerHour, windowSeconds: HOUR };
  const perCountry: WindowLimit = { bucket: 'sms_country_hour', limit: options.perCountryPerHour, windowSeconds: HOUR };

  const reserve = (numberSubject: string, countrySubject: string) =>
    rateEvents.consume([perNumber, perCountry], (rule) => (rule === perNumber ? numberSubject : countrySubject));

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
      const result = await reserve(options.keyedHash('sms-cap:number', e164), options.keyedHash('sms-cap:country', countryCallingCode.replace(/^\+/, '')));
      if (result.ok) return { ok: true };
      const code = result.rule === perNumber ? 'sms.number_limit' : 'sms.country_limit';
      return fail(code, { retryAfterSeconds: result.retryAfterSeconds, field: 'phone' });
    },
  };
}

export type SmsCaps = ReturnType<typeof createSmsCaps>;
