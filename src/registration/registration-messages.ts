import { catalog } from '../shared/i18n.ts';
import en from './messages/registration.en.json' with { type: 'json' };
import ru from './messages/registration.ru.json' with { type: 'json' };

export const registrationMessages = catalog(en, ru);
