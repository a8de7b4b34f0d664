import { catalog } from '../shared/i18n.ts';
import en from './messages/login.en.json' with { type: 'json' };
import ru from './messages/login.ru.json' with { type: 'json' };

export const loginMessages = catalog(en, ru);
