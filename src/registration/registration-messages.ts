import { catalog } from '../shared/i18n.ts';
import en from './registration-messages.en.json' with { type: 'json' };
import ru from './registration-messages.ru.json' with { type: 'json' };

export const registrationMessages = catalog(en, ru);
