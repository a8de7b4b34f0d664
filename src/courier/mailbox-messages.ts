import { catalog } from '../shared/i18n.ts';
import en from './messages/mailbox.en.json' with { type: 'json' };
import ru from './messages/mailbox.ru.json' with { type: 'json' };

export const mailboxMessages = catalog(en, ru);
