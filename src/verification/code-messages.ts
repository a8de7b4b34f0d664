import { catalog } from '../shared/i18n.ts';
import en from './code-messages.en.json' with { type: 'json' };
import ru from './code-messages.ru.json' with { type: 'json' };

export const codeMessages = catalog(en, ru);
