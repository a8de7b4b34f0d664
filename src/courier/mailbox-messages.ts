import type { Catalog } from '../shared/i18n.ts';

export const mailboxMessages: Catalog = {
  'mailbox.title': { en: 'Development mailbox', ru: 'Почтовый ящик разработчика' },
  'mailbox.explain': {
    en: 'No SMTP server is configured, so Gatehouse delivers mail to its built-in catcher. Newest first; refresh to see new mail.',
    ru: 'SMTP-сервер не настроен, поэтому Gatehouse доставляет письма во встроенный перехватчик. Сначала новые; обновите страницу, чтобы увидеть новые письма.',
  },
  'mailbox.empty': { en: 'No mail yet.', ru: 'Писем пока нет.' },
  'mailbox.to': { en: 'To', ru: 'Кому' },
};
