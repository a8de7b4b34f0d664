// Message catalogs: every text a shopper reads has a stable id and an English and a Russian
// wording. Catalogs live beside their flow (login/login-messages.ts …); this file only looks up.
export const locales = ['en', 'ru'] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = 'en';

export type Wording = Record<Locale, string>;
export type Catalog = Record<string, Wording>;

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

export type Params = Record<string, string | number>;

export function format(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A translator bound to one locale over any number of catalogs, the first holding the id wins. */
export function translatorFor(locale: Locale, ...catalogs: Catalog[]) {
  return (id: string, params?: Params): string => {
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

/** "45 seconds" / "3 minutes" in the shopper's language, for waits and lifetimes. */
export function describeDuration(seconds: number, locale: Locale): string {
  if (seconds < 60) return describeSeconds(seconds, locale);
  if (seconds < 3600) {
    const m = Math.ceil(seconds / 60);
    return locale === 'ru' ? `${m} ${pluralRu(m, 'минуту', 'минуты', 'минут')}` : `${m} minute${m === 1 ? '' : 's'}`;
  }
  const h = Math.ceil(seconds / 3600);
  return locale === 'ru' ? `${h} ${pluralRu(h, 'час', 'часа', 'часов')}` : `${h} hour${h === 1 ? '' : 's'}`;
}

/** A moment for a notice email: "6 December 2026 at 18:55 UTC" / "6 декабря 2026 г. в 18:55 UTC". */
export function describeMoment(ms: number, locale: Locale | string): string {
  return new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(ms) + ' UTC';
}
