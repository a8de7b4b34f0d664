// The text messages Gatehouse sends, rendered from the data stored with an outbox message using
// the wording in sms-messages.ts. A text has no subject and no markup: one short body.
import { translatorFor, type Locale } from '../../shared/i18n.ts';
import { field as requiredField, minutes, TemplateDataError, type EmailData } from './email-templates.ts';
import { smsMessages } from './sms-messages.ts';

export const smsTemplateNames = ['verification_code'] as const;

export type SmsTemplateName = (typeof smsTemplateNames)[number];

export type SmsData = EmailData;

export function isSmsTemplateName(value: unknown): value is SmsTemplateName {
  return typeof value === 'string' && (smsTemplateNames as readonly string[]).includes(value);
}

// The email templates' check (fails loudly, naming the field and never its value), and then no
// line breaks: one inside a value could forge lines of its own, such as a WebOTP line for another
// site; none of our values has a reason to contain one.
function field(template: SmsTemplateName, data: SmsData, name: string): string {
  return requiredField(template, data, name).replace(/[\r\n\u2028\u2029]+/g, ' ');
}

// Letters and digits only: a code is read aloud, typed, and matched by the WebOTP line below.
const CODE = /^[A-Za-z0-9]{4,12}$/;
const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/i;

/**
 * The origin-bound line of the WebOTP / "one-time code" format (`@shop.example #123456`, alone on
 * the last line): Chrome on Android and Safari on iOS then offer the code to exactly that site,
 * and to no look-alike one. A phisher's page cannot receive the autofill.
 *
 * The format has no port: it always means https on 443. A host with a port (a development
 * `localhost:3000`) gets no line rather than one naming a different origin.
 */
function originLine(template: SmsTemplateName, data: SmsData, code: string): string | undefined {
  if (data.host === undefined || data.host === '') return undefined;
  const [host, port] = String(data.host).toLowerCase().split(/:(?=\d+$)/);
  if (!HOST.test(host)) throw new TemplateDataError(`${template}: data.host is not a host name`);
  return port === undefined ? `@${host} #${code}` : undefined;
}

/** Renders one text; throws TemplateDataError when the data lacks a field the template needs. */
export function renderSms(template: SmsTemplateName, locale: Locale, data: SmsData): string {
  const t = translatorFor(locale, smsMessages);
  switch (template) {
    case 'verification_code': {
      const code = field(template, data, 'code');
      if (!CODE.test(code)) throw new TemplateDataError(`${template}: data.code is not a code`);
      const text = t('sms.verification_code', { code, storeName: field(template, data, 'storeName'), minutes: Math.ceil(minutes(template, data)) });
      const origin = originLine(template, data, code);
      return origin ? `${text}\n${origin}` : text;
    }
  }
}

// GSM 03.38: the basic table costs one septet a character, the extension table two (an escape
// first). Anything else forces the whole message into UCS-2.
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENDED = new Set('^{}\\[~]|€\f');

export interface SmsSize {
  encoding: 'GSM-7' | 'UCS-2';
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  /** Parts billed and sent: a concatenated message loses room to its header (153 / 67 per part). */
  segments: number;
}

/** How a provider will encode and split a text; the templates' tests hold them to one or two parts. */
export function smsSize(text: string): SmsSize {
  let septets = 0;
  for (const ch of text) {
    if (GSM_BASIC.has(ch)) septets += 1;
    else if (GSM_EXTENDED.has(ch)) septets += 2;
    else {
      const units = text.length;
      return { encoding: 'UCS-2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
    }
  }
  return { encoding: 'GSM-7', units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
}
