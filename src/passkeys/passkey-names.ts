// A passkey's name when it is added: the password manager or platform that holds it, from its
// AAGUID (a small bundled table of the common ones, after the community list
// passkeydeveloper/passkey-authenticator-aaguids), else the browser and system it was made on
// as sessions/user-agent.ts recognises them from a fixed list — never text the client wrote.
import { describeUserAgent } from '../sessions/user-agent.ts';
import type { Locale } from '../shared/i18n.ts';

const NAMES_BY_AAGUID: Readonly<Record<string, string>> = {
  'fbfc3007-154e-4ecc-8c0b-6e020557d7bd': 'iCloud Keychain',
  'dd4ec289-e01d-41c9-bb89-70fa845d4bf2': 'iCloud Keychain',
  'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4': 'Google Password Manager',
  'adce0002-35bc-c60a-648b-0b25f1f05503': 'Chrome on Mac',
  'b5397666-4885-aa6b-cebf-e52262a439a2': 'Chromium',
  '771b48fd-d3d4-4f74-9232-fc157ab0507a': 'Edge on Mac',
  '08987058-cadc-4b81-b6e1-30de50dcbe96': 'Windows Hello',
  '9ddd1817-af5a-4672-a2b9-3e3dd95000a9': 'Windows Hello',
  '6028b017-b1d4-4c02-b4b3-afcdafc96bb2': 'Windows Hello',
  'bada5566-a7aa-401f-bd96-45619a55120d': '1Password',
  'd548826e-79b4-db40-a3d8-11116f7e8349': 'Bitwarden',
  '53414d53-554e-4700-0000-000000000000': 'Samsung Pass',
  '531126d6-e717-415c-9320-3d9aa6981239': 'Dashlane',
  'b84e4048-15dc-4dd0-8640-f4f60813c8af': 'NordPass',
  '0ea242b4-43c4-4a1b-8b17-dd6d0b6baec6': 'Keeper',
  'f3809540-7f14-49c1-a8b3-8f813b225541': 'Enpass',
  'fdb141b2-5d84-443e-8a35-4698c205a502': 'KeePassXC',
  '50726f74-6f6e-5061-7373-50726f746f6e': 'Proton Pass',
};

const ON_DEVICE: Record<Locale, (browser: string, system: string) => string> = {
  en: (browser, system) => `${browser} on ${system}`,
  ru: (browser, system) => `${browser} на ${system}`,
};
const UNNAMED: Record<Locale, string> = { en: 'Passkey', ru: 'Ключ доступа' };

/** The longest name a shopper may give a passkey. */
export const MAX_PASSKEY_NAME_LENGTH = 64;

export function nameForNewPasskey(aaguid: string, userAgent: string, locale: Locale): string {
  const known = NAMES_BY_AAGUID[aaguid.toLowerCase()];
  if (known) return known;
  const device = describeUserAgent(userAgent, locale);
  // Without versions: the name outlives the browser update that would make "Chrome 126" wrong.
  const bare = (name: string) => name.replace(/ \d+$/, '');
  return device.recognised ? ON_DEVICE[locale](bare(device.browser), bare(device.system)) : UNNAMED[locale];
}

/** A name the shopper typed: trimmed, spaces folded, 1–64 characters, no control characters; else null. */
export function cleanPasskeyName(typed: string): string | null {
  const name = typed.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (name === '' || [...name].length > MAX_PASSKEY_NAME_LENGTH) return null;
  if (/[\p{Cc}\p{Cf}]/u.test(name)) return null;
  return name;
}
