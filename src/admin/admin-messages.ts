import { catalog } from '../shared/i18n.ts';
import en from './admin-messages.en.json' with { type: 'json' };
import ru from './admin-messages.ru.json' with { type: 'json' };

export const adminMessages = catalog(en, ru);
