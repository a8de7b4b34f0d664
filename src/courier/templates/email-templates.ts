// The emails Gatehouse sends. Each template turns the data stored with an outbox message into
// blocks (see layout.ts) using the wording in email-messages.ts; the layout makes HTML and text.
import type { Brand } from '../../config/brand.ts';
import { describeDuration, translatorFor, type Locale, type Translate } from '../../shared/i18n.ts';
import { emailMessages } from './email-messages.ts';
import { renderEmail, type Block, type RenderedEmail } from './layout.ts';

export const emailTemplateNames = [
  'registration_code',
  'registration_attempt_existing',
  'recovery_code',
  'password_changed',
  'new_sign_in',
  'security_changed',
  'passkey_refused',
] as const;

export type EmailTemplateName = (typeof emailTemplateNames)[number];

export type EmailData = Record<string, string | number>;

export function isEmailTemplateName(value: unknown): value is EmailTemplateName {
  return typeof value === 'string' && (emailTemplateNames as readonly string[]).includes(value);
}

/** Thrown for a message that can never be rendered; the dispatcher parks it instead of retrying. */
export class TemplateDataError extends Error {
  readonly permanent = true;
}

// Reads one field, failing loudly: a message missing its code is a bug in the enqueuing flow,
// and an email with "{code}" in it would be worse than none. The error names the field only,
// never a value. Shared with the text messages (sms-templates.ts).
export function field(template: string, data: EmailData, name: string): string {
  const value = data[name];
  if (value === undefined || value === '') throw new TemplateDataError(`${template}: data.${name} is missing`);
  return String(value);
}

export function minutes(template: string, data: EmailData): number {
  const value = Number(field(template, data, 'minutes'));
  if (!Number.isFinite(value) || value <= 0) throw new TemplateDataError(`${template}: data.minutes is not a positive number`);
  return value;
}

type Body = (t: Translate, data: EmailData, locale: Locale) => { subject: string; blocks: Block[] };

const bodies: Record<EmailTemplateName, Body> = {
  registration_code(t, data, locale) {
    const storeName = field('registration_code', data, 'storeName');
    const duration = describeDuration(minutes('registration_code', data) * 60, locale);
    return {
      subject: t('email.registration_code.subject'),
      blocks: [
        { kind: 'heading', text: t('email.registration_code.heading') },
        { kind: 'paragraph', text: t('email.registration_code.intro', { storeName }) },
        { kind: 'code', code: field('registration_code', data, 'code') },
        { kind: 'paragraph', text: t('email.common.code_validity', { duration }) },
        { kind: 'note', text: t('email.common.code_secret', { storeName }) },
        { kind: 'note', text: t('email.registration_code.ignore') },
      ],
    };
  },

  registration_attempt_existing(t, data) {
    const storeName = field('registration_attempt_existing', data, 'storeName');
    return {
      subject: t('email.registration_attempt_existing.subject'),
      blocks: [
        { kind: 'heading', text: t('email.registration_attempt_existing.heading') },
        { kind: 'paragraph', text: t('email.registration_attempt_existing.intro', { storeName }) },
        { kind: 'paragraph', text: t('email.registration_attempt_existing.if_you') },
        { kind: 'button', label: t('email.registration_attempt_existing.sign_in'), url: field('registration_attempt_existing', data, 'signInUrl') },
        { kind: 'button', label: t('email.registration_attempt_existing.reset'), url: field('registration_attempt_existing', data, 'recoveryUrl') },
        { kind: 'note', text: t('email.registration_attempt_existing.if_not') },
      ],
    };
  },

  recovery_code(t, data, locale) {
    const storeName = field('recovery_code', data, 'storeName');
    const duration = describeDuration(minutes('recovery_code', data) * 60, locale);
    return {
      subject: t('email.recovery_code.subject'),
      blocks: [
        { kind: 'heading', text: t('email.recovery_code.heading') },
        { kind: 'paragraph', text: t('email.recovery_code.intro', { storeName }) },
        { kind: 'code', code: field('recovery_code', data, 'code') },
        { kind: 'paragraph', text: t('email.common.code_validity', { duration }) },
        { kind: 'note', text: t('email.common.code_secret', { storeName }) },
        { kind: 'note', text: t('email.recovery_code.ignore') },
      ],
    };
  },

  password_changed(t, data) {
    const storeName = field('password_changed', data, 'storeName');
    return {
      subject: t('email.password_changed.subject'),
      blocks: [
        { kind: 'heading', text: t('email.password_changed.heading') },
        { kind: 'paragraph', text: t('email.password_changed.intro', { storeName, time: field('password_changed', data, 'time') }) },
        { kind: 'paragraph', text: t('email.password_changed.if_you') },
        { kind: 'paragraph', text: t('email.password_changed.if_not') },
        { kind: 'button', label: t('email.password_changed.secure'), url: field('password_changed', data, 'secureUrl') },
      ],
    };
  },

  new_sign_in(t, data) {
    const storeName = field('new_sign_in', data, 'storeName');
    const facts = { device: field('new_sign_in', data, 'device'), place: field('new_sign_in', data, 'place'), time: field('new_sign_in', data, 'time') };
    return {
      subject: t('email.new_sign_in.subject', facts),
      blocks: [
        { kind: 'heading', text: t('email.new_sign_in.heading') },
        { kind: 'paragraph', text: t('email.new_sign_in.intro', { storeName, ...facts }) },
        { kind: 'paragraph', text: t('email.new_sign_in.if_you') },
        { kind: 'paragraph', text: t('email.new_sign_in.if_not') },
        { kind: 'button', label: t('email.new_sign_in.review'), url: field('new_sign_in', data, 'secureUrl') },
      ],
    };
  },

  // A phone, an authenticator, backup codes or two-step sign-in changed (NIST SP 800-63B-4 §4.6):
  // the owner hears of it in the mailbox, which whoever made the change may not hold.
  security_changed(t, data) {
    const storeName = field('security_changed', data, 'storeName');
    const change = field('security_changed', data, 'change') as SecurityChange;
    if (!securityChanges.includes(change)) throw new TemplateDataError(`security_changed: data.change is not a known change`);
    const detail = typeof data.detail === 'string' && data.detail !== '' ? data.detail : undefined;
    return {
      subject: t(`email.security_changed.${change}`),
      blocks: [
        { kind: 'heading', text: t(`email.security_changed.${change}`) },
        { kind: 'paragraph', text: t('email.security_changed.intro', { storeName, time: field('security_changed', data, 'time') }) },
        ...(detail ? [{ kind: 'paragraph' as const, text: change.startsWith('passkey_') ? t('email.security_changed.passkey_detail', { name: detail }) : t('email.security_changed.phone_detail', { phone: detail }) }] : []),
        { kind: 'paragraph', text: t('email.security_changed.if_you') },
        { kind: 'paragraph', text: t('email.security_changed.if_not') },
        { kind: 'button', label: t('email.security_changed.secure'), url: field('security_changed', data, 'secureUrl') },
      ],
    };
  },

  // A passkey's signature counter went backwards (WebAuthn §6.1.1): the key may have been copied
  // out of its authenticator. The sign-in was refused; the owner hears of it and decides.
  passkey_refused(t, data) {
    const storeName = field('passkey_refused', data, 'storeName');
    const facts = { storeName, name: field('passkey_refused', data, 'name'), time: field('passkey_refused', data, 'time') };
    return {
      subject: t('email.passkey_refused.subject'),
      blocks: [
        { kind: 'heading', text: t('email.passkey_refused.subject') },
        { kind: 'paragraph', text: t('email.passkey_refused.intro', facts) },
        { kind: 'paragraph', text: t('email.passkey_refused.what') },
        { kind: 'button', label: t('email.security_changed.secure'), url: field('passkey_refused', data, 'secureUrl') },
      ],
    };
  },
};

/** The changes a security_changed notice can report (its data.change). */
export const securityChanges = ['phone_added', 'phone_changed', 'phone_removed', 'authenticator_added', 'authenticator_removed', 'backup_codes_regenerated', 'two_step_off', 'passkey_added', 'passkey_removed'] as const;
export type SecurityChange = (typeof securityChanges)[number];

/** Renders one email; throws TemplateDataError when the data lacks a field the template needs. */
export function renderEmailTemplate(template: EmailTemplateName, locale: Locale, data: EmailData, brand?: Brand): RenderedEmail {
  const t = translatorFor(locale, emailMessages);
  const links = [
    { label: t('email.common.support'), url: brand?.supportUrl },
    { label: t('email.common.terms'), url: brand?.termsUrl },
    { label: t('email.common.privacy'), url: brand?.privacyUrl },
  ].filter((link): link is { label: string; url: string } => link.url !== undefined);
  const { subject, blocks } = bodies[template](t, data, locale);
  const storeName = field(template, data, 'storeName');
  return renderEmail(
    {
      locale,
      subject,
      storeName,
      blocks,
      footer: [t('email.common.signature', { storeName }), t('email.common.automated')],
      brandColour: brand?.colours?.brand,
      links,
    },
    t('email.common.link_fallback'),
  );
}
