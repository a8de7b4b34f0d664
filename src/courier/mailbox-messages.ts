import type { Catalog } from '../shared/i18n.ts';

export const mailboxMessages: Catalog = {
  'mailbox.title': { en: 'Development mailbox', ru: 'Почтовый ящик разработчика' },
  'mailbox.explain': {
    en: 'No SMTP server is configured, so Gatehouse delivers mail to its built-in catcher. Newest first; refresh to see new mail.',
    ru: 'SMTP-сервер не настроен, поэтому Gatehouse доставляет письма во встроенный перехватчик. Сначала новые; обновите страницу, чтобы увидеть новые письма.',
  },
  'mailbox.empty': { en: 'No mail yet.', ru: 'Писем пока нет.' },
  'mailbox.to': { en: 'To', ru: 'Кому' },
  'mailbox.mail_heading': { en: 'Email', ru: 'Письма' },
  'mailbox.sms_heading': { en: 'Text messages', ru: 'SMS-сообщения' },
  'mailbox.sms_explain': {
    en: 'No SMS provider is configured (SMS_ACCOUNT_SID), so Gatehouse sends text messages to its built-in catcher. Newest first.',
    ru: 'SMS-провайдер не настроен (SMS_ACCOUNT_SID), поэтому Gatehouse отправляет SMS во встроенный перехватчик. Сначала новые.',
  },
  'mailbox.sms_empty': { en: 'No text messages yet.', ru: 'SMS пока нет.' },
};
