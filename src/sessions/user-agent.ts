// "Chrome 126 on Windows 10" for the session list, from the User-Agent header (bowser does the parsing).
import Bowser from 'bowser';

export function describeUserAgent(userAgent: string): { browser: string; system: string } {
  if (!userAgent) return { browser: 'Unknown browser', system: 'unknown system' };
  const parsed = Bowser.parse(userAgent);
  const browserVersion = parsed.browser.version?.split('.')[0];
  const browser = parsed.browser.name ? `${parsed.browser.name}${browserVersion ? ` ${browserVersion}` : ''}` : 'Unknown browser';
  const os = parsed.os.name ? `${parsed.os.name}${parsed.os.versionName ? ` ${parsed.os.versionName}` : ''}` : 'unknown system';
  return { browser, system: os };
}
