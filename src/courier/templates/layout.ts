// One description of an email's content, rendered twice: as HTML and as plain text. Templates
// list blocks; they never write markup, so the two parts cannot drift apart and nothing reaches
// the HTML unescaped.
//
// The HTML is deliberately old-fashioned: no <style> element (Gmail and Outlook strip or mangle
// it), no tables, no images or web fonts (blocked by default in most clients), every style inline,
// a single centred column that reads well on a phone.
import { escapeHtml } from './escape-html.ts';
import { HOUSE_COLOUR } from '../../config/brand.ts';
import type { Locale } from '../../shared/i18n.ts';

export type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string }
  /** A one-time code: big, monospaced, spaced out, alone in its block so a tap selects just it. */
  | { kind: 'code'; code: string }
  | { kind: 'button'; label: string; url: string }
  /** Small grey print: "ignore this if it wasn't you", security hints. */
  | { kind: 'note'; text: string };

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export interface EmailFrame {
  locale: Locale;
  subject: string;
  storeName: string;
  blocks: Block[];
  /** Lines under the body, outside the white card: signature, "automated message". */
  footer: string[];
  /** The store's colour (config/brand.ts: white text on it passes WCAG AA); the house red without one. */
  brandColour?: string;
  /** The store's help, terms and privacy pages, under the footer lines. */
  links?: { label: string; url: string }[];
}

const fontStack = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const monoStack = "'SFMono-Regular',Menlo,Consolas,'Liberation Mono','Courier New',monospace";

/**
 * Only http(s) links are rendered as links. The URLs come from our own configuration, but an
 * email is the last place to discover a `javascript:` URL, so anything else degrades to text.
 */
export function isSafeUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}

function blockHtml(block: Block, brand: string): string {
  switch (block.kind) {
    case 'heading':
      return `<h1 style="margin:0 0 16px;font-size:22px;line-height:1.3;font-weight:bold;color:#18181b;">${escapeHtml(block.text)}</h1>`;
    case 'paragraph':
      return `<p style="margin:0 0 16px;font-size:16px;line-height:1.5;color:#27272a;">${escapeHtml(block.text)}</p>`;
    case 'note':
      return `<p style="margin:0 0 12px;font-size:14px;line-height:1.5;color:#71717a;">${escapeHtml(block.text)}</p>`;
    case 'code':
      // user-select:all makes one tap/click select the whole code in clients that honour it;
      // text-indent balances the letter-spacing added after the last digit, so it stays centred.
      return (
        `<div style="margin:8px 0 24px;padding:16px 8px;background:#f4f4f5;border:1px solid #e4e4e7;border-radius:8px;` +
        `text-align:center;font-family:${monoStack};font-size:32px;line-height:1.2;font-weight:bold;` +
        `letter-spacing:8px;text-indent:8px;color:#18181b;-webkit-user-select:all;user-select:all;">${escapeHtml(block.code)}</div>`
      );
    case 'button': {
      if (!isSafeUrl(block.url)) return `<p style="margin:0 0 16px;font-size:16px;">${escapeHtml(block.label)}</p>`;
      const href = escapeHtml(block.url);
      return (
        `<div style="margin:0 0 16px;"><a href="${href}" style="display:inline-block;padding:12px 24px;background:${brand};` +
        `color:#ffffff;font-size:16px;font-weight:bold;text-decoration:none;border-radius:6px;">${escapeHtml(block.label)}</a></div>`
      );
    }
  }
}

function blockText(block: Block): string {
  switch (block.kind) {
    case 'heading':
      return `${block.text}\n${'='.repeat(Math.min(block.text.length, 60))}`;
    case 'paragraph':
    case 'note':
      return block.text;
    case 'code':
      // Alone on its line with blank lines around: double-click selects exactly the code.
      return `    ${block.code}`;
    case 'button':
      return isSafeUrl(block.url) ? `${block.label}: ${block.url}` : block.label;
  }
}

export function renderEmail(frame: EmailFrame, linkFallback?: string): RenderedEmail {
  const { locale, subject, storeName, blocks, footer } = frame;
  const brand = frame.brandColour ?? HOUSE_COLOUR;
  const links = (frame.links ?? []).filter((link) => isSafeUrl(link.url));
  const buttons = blocks.filter((b): b is Extract<Block, { kind: 'button' }> => b.kind === 'button' && isSafeUrl(b.url));
  // Some clients strip styled links or show them unclickable; the raw URLs below the buttons
  // keep the email usable there.
  const fallback =
    linkFallback && buttons.length > 0
      ? `<p style="margin:16px 0 0;font-size:13px;line-height:1.5;color:#71717a;">${escapeHtml(linkFallback)}<br>` +
        buttons.map((b) => `<span style="word-break:break-all;">${escapeHtml(b.url)}</span>`).join('<br>') +
        '</p>'
      : '';
  const html =
    `<!DOCTYPE html><html lang="${locale}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    // Drawn for a light background only (no <style>, so no dark variant): saying so keeps clients
    // that honour it (Apple Mail, Outlook.com) from recolouring the code and buttons half-way.
    `<meta name="color-scheme" content="light"><meta name="supported-color-schemes" content="light">` +
    `<title>${escapeHtml(subject)}</title></head>` +
    `<body style="margin:0;padding:0;background:#f4f4f5;">` +
    `<div style="max-width:560px;margin:0 auto;padding:24px 12px;font-family:${fontStack};">` +
    `<div style="background:${brand};color:#ffffff;padding:16px 24px;border-radius:8px 8px 0 0;font-size:20px;font-weight:bold;">${escapeHtml(storeName)}</div>` +
    `<div style="background:#ffffff;padding:24px;border-radius:0 0 8px 8px;">` +
    blocks.map((block) => blockHtml(block, brand)).join('') +
    fallback +
    `</div>` +
    `<div style="padding:16px 24px;font-size:12px;line-height:1.5;color:#52525b;">` +
    footer.map((line) => `<p style="margin:0 0 4px;">${escapeHtml(line)}</p>`).join('') +
    (links.length > 0
      ? `<p style="margin:8px 0 0;">` +
        links.map((link) => `<a href="${escapeHtml(link.url)}" style="color:#52525b;text-decoration:underline;">${escapeHtml(link.label)}</a>`).join(' &nbsp;·&nbsp; ') +
        `</p>`
      : '') +
    `</div></div></body></html>`;
  const linkLines = links.length > 0 ? ['', ...links.map((link) => `${link.label}: ${link.url}`)] : [];
  const text = [storeName, '', ...blocks.flatMap((b) => [blockText(b), '']), ...footer, ...linkLines].join('\n') + '\n';
  return { subject, html, text };
}
