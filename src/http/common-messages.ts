// Words shared by every page: the frame, generic request errors, form-level problems.
// 'reverify.required' is here because any security change, from any flow, can meet it in a
// session that has not proved the password lately.
import { catalog } from '../shared/i18n.ts';
import en from './common-messages.en.json' with { type: 'json' };
import ru from './common-messages.ru.json' with { type: 'json' };

export const commonMessages = catalog(en, ru);
