import { catalog } from '../shared/i18n.ts';
import en from './messages/code.en.json' with { type: 'json' };
import ru from './messages/code.ru.json' with { type: 'json' };

export const codeMessages = catalog(en, ru);
