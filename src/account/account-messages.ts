import { catalog } from '../shared/i18n.ts';
import en from './messages/account.en.json' with { type: 'json' };
import ru from './messages/account.ru.json' with { type: 'json' };

export const accountMessages = catalog(en, ru);
