// Words for the other ways to verify, shared by recovery, Change password and two-step sign-in.
import { catalog } from '../shared/i18n.ts';
import en from './factor-messages.en.json' with { type: 'json' };
import ru from './factor-messages.ru.json' with { type: 'json' };

export const factorMessages = catalog(en, ru);
