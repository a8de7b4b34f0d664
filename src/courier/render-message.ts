// Opens a claimed outbox row (unseals recipient and data) and renders it for its channel. Each
// step fails with a fixed description (a JSON parse error would quote the payload, i.e. the code);
// all of them are permanent, since a message we cannot open (GATEHOUSE_SECRET changed) or render
// will fail the same way on every attempt.
import { defaultLocale, isLocale } from '../shared/i18n.ts';
import type { Secrets } from '../shared/secrets.ts';
import type { OutboxTable } from '../storage/tables.ts';
import type { Brand } from '../config/brand.ts';
import { maskEmail, maskPhoneNumber } from './mask.ts';
import { isEmailTemplateName, renderEmailTemplate, TemplateDataError } from './templates/email-templates.ts';
import type { RenderedEmail } from './templates/layout.ts';
import { isSmsTemplateName, renderSms } from './templates/sms-templates.ts';

export type MessageData = Record<string, string | number>;

export type RenderedMessage =
  | { channel: 'email'; to: string; mail: RenderedEmail }
  | { channel: 'sms'; to: string; body: string };

type Row = Pick<OutboxTable, 'channel' | 'template' | 'locale' | 'recipient_sealed' | 'payload_sealed'>;

const permanentError = (message: string) => Object.assign(new Error(message), { permanent: true });

function step<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    const detail = error instanceof TemplateDataError ? `: ${error.message}` : '';
    throw permanentError(`${what}${detail}`);
  }
}

/** The recipient and data of a claimed row. Kept apart from rendering so that, when rendering
 *  fails, the dispatcher still knows what to hide from the error description. */
export function unsealMessage(row: Row, secrets: Secrets): { to: string; data: MessageData } {
  const to = step('cannot unseal recipient', () => secrets.unseal(row.recipient_sealed));
  const data = step('cannot unseal payload', () => JSON.parse(secrets.unseal(row.payload_sealed)) as MessageData);
  return { to, data };
}

/** Renders an unsealed message for its row's channel and template. */
export function renderMessage(row: Row, opened: { to: string; data: MessageData }, site: { storeName: string; brand?: Brand }): RenderedMessage {
  const { storeName } = site;
  const { to, data } = opened;
  const locale = isLocale(row.locale) ? row.locale : defaultLocale;
  const template = row.template;
  // A message's own storeName wins; the configured one fills in for flows that leave it out.
  const filled = { storeName, ...data };
  if (row.channel === 'sms') {
    if (!isSmsTemplateName(template)) throw permanentError(`unknown template ${template}`);
    return { channel: 'sms', to, body: step('cannot render template', () => renderSms(template, locale, filled)) };
  }
  if (!isEmailTemplateName(template)) throw permanentError(`unknown template ${template}`);
  return { channel: 'email', to, mail: step('cannot render template', () => renderEmailTemplate(template, locale, filled, site.brand)) };
}

/** The recipient as log lines may show it: a masked address or number. */
export function maskRecipient(channel: OutboxTable['channel'], to: string): string {
  // A webhook's recipient is an endpoint id, nobody's address.
  return channel === 'webhook' ? to : channel === 'sms' ? maskPhoneNumber(to) : maskEmail(to);
}

/** Log wording per channel: "email sent", "SMS sent". */
export const channelNoun = (channel: OutboxTable['channel']) => (channel === 'sms' ? 'SMS' : channel === 'webhook' ? 'webhook' : 'email');
