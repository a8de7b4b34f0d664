// How a store makes the pages and emails its own: BRAND_COLOR, BRAND_LOGO and the footer links
// (SUPPORT_URL, TERMS_URL, PRIVACY_URL). Read and checked once at start-up, like the rest of
// config.ts: a colour that white button text cannot be read on, or a logo that is not a small
// readable image, stops start-up with one line naming the variable, instead of shipping pages
// that fail WCAG or a broken image on every page.
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './config-error.ts';
import { url, type Env } from './env-readers.ts';

export interface BrandLogo {
  type: 'image/png' | 'image/svg+xml';
  bytes: Buffer;
}

/** The store's colours, all derived from BRAND_COLOR and each checked against what it sits on. */
export interface BrandColours {
  /** Primary buttons (white text on it: at least 4.5:1, or start-up stops). */
  brand: string;
  /** Hovered buttons: darker. */
  brandDark: string;
  /** Pressed buttons: darker still. */
  brandActive: string;
  /** Pale backgrounds (selected items, tips). */
  brandTint: string;
  /** Links and focus rings: the brand colour, darkened where needed to 4.5:1 on the grey page. */
  link: string;
}

export interface Brand {
  /** Undefined: the house colours in app.css and the emails. */
  colours: BrandColours | undefined;
  logo: BrandLogo | undefined;
  supportUrl: string | undefined;
  termsUrl: string | undefined;
  privacyUrl: string | undefined;
}

/** WCAG 2.2 AA for normal text; also what our links need against the page. */
const TEXT_CONTRAST = 4.5;
/** The page behind the cards (app.css --canvas): the darkest background a link sits on. */
export const CANVAS = '#f4f5f7';
/** The house red without BRAND_COLOR (app.css --brand): white text on it is 4.8:1. */
export const HOUSE_COLOUR = '#d2381f';
const WHITE = '#ffffff';
export const LOGO_MAX_BYTES = 512 * 1024;


function channels(hex: string): [number, number, number] {
  return [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16)) as [number, number, number];
}

function toHex(rgb: number[]): string {
  return `#${rgb.map((value) => Math.round(Math.min(255, Math.max(0, value))).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG 2.2 relative luminance of an sRGB colour. */
function luminance(hex: string): number {
  const [r, g, b] = channels(hex).map((value) => {
    const c = value / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two colours, from 1 (same) to 21 (black on white). */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** The colour scaled towards black by `amount` (0–1), hue kept. */
function darken(hex: string, amount: number): string {
  return toHex(channels(hex).map((value) => value * (1 - amount)));
}

/** The colour mixed with white: `amount` 1 is white. */
function lighten(hex: string, amount: number): string {
  return toHex(channels(hex).map((value) => value + (255 - value) * amount));
}

/** The lightest darkening of `hex` that reaches `ratio` on `background` (the colour itself if it does). */
function darkenedUntil(hex: string, background: string, ratio: number): string {
  for (let step = 0; step <= 100; step += 1) {
    const candidate = darken(hex, step / 100);
    if (contrastRatio(candidate, background) >= ratio) return candidate;
  }
  return '#000000';
}

function coloursFrom(env: Env): BrandColours | undefined {
  const raw = env.BRAND_COLOR?.trim();
  if (!raw) return undefined;
  if (!/^#[0-9a-fA-F]{6}$/.test(raw)) throw new ConfigError(`BRAND_COLOR must be a colour like #0a6e4f (# and six hex digits), got "${raw}"`);
  const brand = raw.toLowerCase();
  const onWhite = contrastRatio(brand, WHITE);
  if (onWhite < TEXT_CONTRAST) {
    // The suggestion is the same hue made dark enough, so the fix is one copy and paste.
    throw new ConfigError(
      `BRAND_COLOR ${brand} is too light for white button text: contrast ${onWhite.toFixed(2)}:1, and WCAG AA asks for ${TEXT_CONTRAST}:1; ` +
        `a darker shade of it that passes is ${darkenedUntil(brand, WHITE, TEXT_CONTRAST)}`,
    );
  }
  return { brand, brandDark: darken(brand, 0.18), brandActive: darken(brand, 0.3), brandTint: lighten(brand, 0.9), link: darkenedUntil(brand, CANVAS, TEXT_CONTRAST) };
}

/** A checked PNG's size as a manifest writes it ("192x192"), from its IHDR chunk. */
export const pngSizes = (bytes: Buffer): string => `${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`;

/** A PNG: its signature, then an IHDR chunk with a width and height that are not zero. */
function isReadablePng(bytes: Buffer): boolean {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length < 33 || !bytes.subarray(0, 8).equals(signature)) return false;
  if (bytes.toString('latin1', 12, 16) !== 'IHDR') return false;
  return bytes.readUInt32BE(16) > 0 && bytes.readUInt32BE(20) > 0;
}

/**
 * An SVG: valid UTF-8 whose first element (after an XML declaration, comments or a doctype) is
 * <svg>. Pages show it in <img>, where its scripts never run; served on its own it gets a CSP
 * sandbox (http/brand-routes.ts), so an SVG with a script in it is harmless either way.
 */
function isReadableSvg(bytes: Buffer): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  const prolog = /^\uFEFF?\s*(<\?xml[^>]*\?>\s*)?((<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)\s*)*<svg[\s>]/i;
  return prolog.test(text) && /<\/svg>\s*$|\/>\s*$/i.test(text.trimEnd());
}

function logoFrom(env: Env): BrandLogo | undefined {
  const raw = env.BRAND_LOGO?.trim();
  if (!raw) return undefined;
  const file = resolve(raw);
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new ConfigError(`BRAND_LOGO must be a PNG or SVG file Gatehouse can read; ${file} cannot be read`);
  }
  // Checked before reading: the logo is kept in memory and sent on every first visit.
  if (size > LOGO_MAX_BYTES) throw new ConfigError(`BRAND_LOGO must be at most 512 KiB (it is sent on every first visit); ${file} is ${Math.ceil(size / 1024)} KiB`);
  const bytes = readFileSync(file);
  if (isReadablePng(bytes)) return { type: 'image/png', bytes };
  if (isReadableSvg(bytes)) return { type: 'image/svg+xml', bytes };
  throw new ConfigError(`BRAND_LOGO must be a PNG or SVG image; ${file} is neither`);
}

/** Footer links: http(s) only, since they are shown on every page and in every email; written in their one normal form. */
function footerUrl(env: Env, name: string): string | undefined {
  const raw = url(env, name, undefined, ['https:', 'http:']);
  return raw === undefined ? undefined : new URL(raw).toString();
}

export function brandFrom(env: Env): Brand {
  return {
    colours: coloursFrom(env),
    logo: logoFrom(env),
    supportUrl: footerUrl(env, 'SUPPORT_URL'),
    termsUrl: footerUrl(env, 'TERMS_URL'),
    privacyUrl: footerUrl(env, 'PRIVACY_URL'),
  };
}
