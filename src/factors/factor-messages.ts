// Words for the other ways to verify, shared by recovery, Change password and two-step sign-in.
import { catalog } from '../shared/i18n.ts';
import en from './messages/factor.en.json' with { type: 'json' };
import ru from './messages/factor.ru.json' with { type: 'json' };

export const factorMessages = catalog(en, ru);
