import { catalog } from '../shared/i18n.ts';
import en from './messages/qr-login.en.json' with { type: 'json' };
import ru from './messages/qr-login.ru.json' with { type: 'json' };

export const qrLoginMessages = catalog(en, ru);
