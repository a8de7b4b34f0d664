import { catalog } from '../shared/i18n.ts';
import en from './qr-login-messages.en.json' with { type: 'json' };
import ru from './qr-login-messages.ru.json' with { type: 'json' };

export const qrLoginMessages = catalog(en, ru);
