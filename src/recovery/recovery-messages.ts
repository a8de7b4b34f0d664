import { catalog } from '../shared/i18n.ts';
import en from './messages/recovery.en.json' with { type: 'json' };
import ru from './messages/recovery.ru.json' with { type: 'json' };

export const recoveryMessages = catalog(en, ru);
