import { catalog } from '../shared/i18n.ts';
import en from './recovery-messages.en.json' with { type: 'json' };
import ru from './recovery-messages.ru.json' with { type: 'json' };

export const recoveryMessages = catalog(en, ru);
