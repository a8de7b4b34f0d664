import { catalog } from '../shared/i18n.ts';
import en from './mailbox-messages.en.json' with { type: 'json' };
import ru from './mailbox-messages.ru.json' with { type: 'json' };

export const mailboxMessages = catalog(en, ru);
