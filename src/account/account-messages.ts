import { catalog } from '../shared/i18n.ts';
import en from './account-messages.en.json' with { type: 'json' };
import ru from './account-messages.ru.json' with { type: 'json' };

export const accountMessages = catalog(en, ru);
