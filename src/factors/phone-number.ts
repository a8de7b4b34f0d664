// Phone numbers as typed by a shopper, turned into the one form we store and send (E.164).
// Masking them for pages and logs is courier/mask.ts's, beside the email mask.
//
// The "max" metadata, not the default "min": only it carries the per-type number patterns behind
// getType(), and the type is what lets us refuse premium-rate, shared-cost, toll-free and landline
// numbers. Paying to text those is how SMS pumping earns money (the attacker shares the
// termination fee), and a code sent to a landline only burns money. It costs a few hundred KB
// more, loaded once.
import { parsePhoneNumberFromString, type NumberType } from 'libphonenumber-js/max';
import { fail, type Failure } from '../shared/failure.ts';

export interface ParsedPhoneNumber {
  ok: true;
  /** `+79123456712`: what is stored (sealed) and what the SMS provider gets. */
  e164: string;
  /** `7`, `44`, `1`: the key of the per-country SMS cap. */
  countryCallingCode: string;
}

export type PhoneFailure = Failure<'phone.invalid' | 'phone.missing'>;

// An allow-list rather than a deny-list: a type the metadata adds later (or VOIP, PAGER, UAN,
// PERSONAL_NUMBER) is refused until someone decides it can receive a code. FIXED_LINE_OR_MOBILE
// is how the metadata describes most of North America, where the two share ranges. `undefined`
// is a valid number whose range the metadata does not type; refusing those would lock out real
// mobiles in countries with sparse metadata.
const TEXTABLE: ReadonlySet<NumberType> = new Set<NumberType>(['MOBILE', 'FIXED_LINE_OR_MOBILE', undefined]);

// E.164 allows 15 digits; with spaces, dashes and brackets people type, 40 characters is ample.
// Longer input is refused before the parser spends time on it.
const MAX_INPUT_LENGTH = 40;

/**
 * Reads an international number ("+7 912 345-67-12", "+44 7911 123456", "00 49 1512 3456789").
 * There is no default country: a national form such as "8 912 …" is ambiguous across the
 * countries we serve, so it is refused and the page asks for the country code.
 */
export function parsePhoneNumber(text: string): ParsedPhoneNumber | PhoneFailure {
  const trimmed = text.trim();
  if (trimmed === '') return fail('phone.missing', { field: 'phone' });
  if (trimmed.length > MAX_INPUT_LENGTH) return fail('phone.invalid', { field: 'phone' });
  // "00" is the international call prefix in most of the world; the parser only knows it
  // relative to a default country, which we do not have.
  const international = trimmed.replace(/^00\s*/, '+');
  if (!international.startsWith('+')) return fail('phone.invalid', { field: 'phone' });
  const parsed = parsePhoneNumberFromString(international);
  // An extension cannot receive a text message.
  if (!parsed || parsed.ext || !parsed.isValid()) return fail('phone.invalid', { field: 'phone' });
  if (!TEXTABLE.has(parsed.getType())) return fail('phone.invalid', { field: 'phone' });
  return { ok: true, e164: parsed.number, countryCallingCode: parsed.countryCallingCode };
}
