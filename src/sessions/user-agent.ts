// "Chrome 126, Windows 10" for the session list, the app's QR confirm screen and the owner's
// "new sign-in" email, from the User-Agent header.
//
// The header is text the client wrote. A crafted one ("Your own iPhone - this is you, press
// Confirm/1 (x)") was shown as the device name on the confirm screen and reached the subject of
// the owner's email: escaped, but believed. So bowser's parse only *chooses* among names written
// here; what it does not recognise is "an unknown browser", and versions are digits only. Nothing
// the client typed is ever echoed.
import Bowser from 'bowser';
import type { Locale } from '../shared/i18n.ts';

/** bowser's browser name → the name we show. */
const BROWSERS: Readonly<Record<string, string>> = {
  Chrome: 'Chrome',
  Chromium: 'Chromium',
  Firefox: 'Firefox',
  Safari: 'Safari',
  'Microsoft Edge': 'Edge',
  Opera: 'Opera',
  'Opera Touch': 'Opera Touch',
  'Yandex Browser': 'Yandex Browser',
  'Samsung Internet for Android': 'Samsung Internet',
  Vivaldi: 'Vivaldi',
  Brave: 'Brave',
  'UC Browser': 'UC Browser',
  'Internet Explorer': 'Internet Explorer',
  'Android Browser': 'Android Browser',
  'Amazon Silk': 'Silk',
  'DuckDuckGo': 'DuckDuckGo',
};

/** bowser's system name → the name we show. */
const SYSTEMS: Readonly<Record<string, string>> = {
  Windows: 'Windows',
  macOS: 'macOS',
  iOS: 'iOS',
  Android: 'Android',
  Linux: 'Linux',
  'Chrome OS': 'ChromeOS',
  HarmonyOS: 'HarmonyOS',
  'Windows Phone': 'Windows Phone',
};

/** bowser names system versions (Windows "10", macOS "Sonoma", Android "Pie") from its own tables; still, only these shapes. */
const SYSTEM_VERSION = /^[A-Za-z0-9][A-Za-z0-9 .]{0,15}$/;
const MAJOR_VERSION = /^\d{1,4}$/;

const UNKNOWN: Record<Locale, { browser: string; system: string; device: string }> = {
  en: { browser: 'Unknown browser', system: 'unknown system', device: 'an unknown browser' },
  ru: { browser: 'Неизвестный браузер', system: 'неизвестная система', device: 'неизвестный браузер' },
};

export interface DeviceDescription {
  browser: string;
  system: string;
  /** False when neither the browser nor the system is one we know. */
  recognised: boolean;
}

export function describeUserAgent(userAgent: string, locale: Locale = 'en'): DeviceDescription {
  const unknown = UNKNOWN[locale] ?? UNKNOWN.en;
  if (!userAgent) return { browser: unknown.browser, system: unknown.system, recognised: false };
  let parsed: Bowser.Parser.ParsedResult;
  try {
    parsed = Bowser.parse(userAgent);
  } catch {
    return { browser: unknown.browser, system: unknown.system, recognised: false };
  }
  const browserName = parsed.browser.name ? BROWSERS[parsed.browser.name] : undefined;
  const major = parsed.browser.version?.split('.')[0];
  const systemName = parsed.os.name ? SYSTEMS[parsed.os.name] : undefined;
  const systemVersion = parsed.os.versionName && SYSTEM_VERSION.test(parsed.os.versionName) ? parsed.os.versionName : undefined;
  return {
    browser: browserName ? `${browserName}${major && MAJOR_VERSION.test(major) ? ` ${major}` : ''}` : unknown.browser,
    system: systemName ? `${systemName}${systemVersion ? ` ${systemVersion}` : ''}` : unknown.system,
    recognised: Boolean(browserName || systemName),
  };
}

/** One phrase for an email or a notice: "Chrome 126, Windows 10", or "an unknown browser". */
export function deviceName(userAgent: string, locale: Locale = 'en'): string {
  const device = describeUserAgent(userAgent, locale);
  return device.recognised ? `${device.browser}, ${device.system}` : (UNKNOWN[locale] ?? UNKNOWN.en).device;
}
