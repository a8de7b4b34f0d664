import { catalog } from '../shared/i18n.ts';
import en from './login-messages.en.json' with { type: 'json' };
import ru from './login-messages.ru.json' with { type: 'json' };

export const loginMessages = catalog(en, ru);
