// Message catalogs: every text a shopper reads has a stable id and an English and a Russian
// wording. Catalogs live beside their flow (login/login-messages.ts …); this file only looks up.
export const locales = ['en', 'ru'] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = 'en';

export type Wording = Record<Locale, string>;
export type Catalog<Key extends string = string> = Record<Key, Wording>;

/**
 * A catalog from its two data files beside it (`<name>-messages.en.json` and `.ru.json`, which
 * translators edit). The types hold the Russian file to exactly the English one's keys, so a text
 * missing or left over in either language fails `npm run typecheck` instead of a shopper's page.
 * Placeholders are plain strings to the compiler; test/http/failure-codes.test.ts compares them.
 */
export function catalog<En extends Record<string, string>, Ru extends Record<keyof En, string>>(
  en: En,
  ru: Ru & Record<Exclude<keyof Ru, keyof En>, never>,
): Catalog<Extract<keyof En, string>> {
  const wordings = {} as Catalog<Extract<keyof En, string>>;
  for (const key of Object.keys(en) as Extract<keyof En, string>[]) wordings[key] = { en: en[key], ru: ru[key] };
  return wordings;
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

export type Params = Record<string, string | number>;

/**
 * Every catalog's keys, registered by src/failure-codes.ts (shared/ may not import the catalogs):
 * `t('a.typo')` fails typecheck. An id from another catalog than the translator holds still
 * throws at run time, as before.
 */
export interface MessageIdLists {}
export type MessageId = MessageIdLists[keyof MessageIdLists];

export function format(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A translator bound to one locale over any number of catalogs, the first holding the id wins. */
export function translatorFor(locale: Locale, ...catalogs: Catalog[]) {
  return (id: MessageId, params?: Params): string => {
    for (const catalog of catalogs) {
      const wording = catalog[id];
      if (wording) return format(wording[locale], params);
    }
    throw new Error(`message id "${id}" is in no catalog`);
  };
}

export type Translate = ReturnType<typeof translatorFor>;

/** Russian plural forms: 1 минута, 2 минуты, 5 минут. */
export function pluralRu(n: number, one: string, few: string, many: string): string {
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return one;
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return few;
  return many;
}

export function describeSeconds(seconds: number, locale: Locale): string {
  const s = Math.max(1, Math.ceil(seconds));
  return locale === 'ru' ? `${s} ${pluralRu(s, 'секунду', 'секунды', 'секунд')}` : `${s} second${s === 1 ? '' : 's'}`;
}

const minutesIn = (m: number, locale: Locale) => (locale === 'ru' ? `${m} ${pluralRu(m, 'минуту', 'минуты', 'минут')}` : `${m} minute${m === 1 ? '' : 's'}`);
const hoursIn = (h: number, locale: Locale) => (locale === 'ru' ? `${h} ${pluralRu(h, 'час', 'часа', 'часов')}` : `${h} hour${h === 1 ? '' : 's'}`);

/**
 * "45 seconds" / "3 minutes" / "1 hour 1 minute" in the shopper's language, for waits and
 * lifetimes. Rounded up to the whole minute and never further: a wait is never shown shorter than
 * it is (the shopper would be refused again), nor more than a minute longer (3601 s is "1 hour 1
 * minute", not "2 hours"). Russian in the accusative that follows «через» / «действует».
 */
export function describeDuration(seconds: number, locale: Locale): string {
  if (seconds < 60) return describeSeconds(seconds, locale);
  const totalMinutes = Math.ceil(seconds / 60);
  if (totalMinutes < 60) return minutesIn(totalMinutes, locale);
  const h = Math.floor(totalMinutes / 60);
  const m = totalMinutes % 60;
  return m === 0 ? hoursIn(h, locale) : `${hoursIn(h, locale)} ${minutesIn(m, locale)}`;
}

/** A moment for a notice email: "6 December 2026 at 18:55 UTC" / "6 декабря 2026 г. в 18:55 UTC". */
export function describeMoment(ms: number, locale: Locale | string): string {
  return new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(ms) + ' UTC';
}
