import { catalog } from '../shared/i18n.ts';
import en from './passkey-messages.en.json' with { type: 'json' };
import ru from './passkey-messages.ru.json' with { type: 'json' };

export const passkeyMessages = catalog(en, ru);
