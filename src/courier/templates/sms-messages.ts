// Every word of every text message, in English and Russian. Texts are short on purpose: the code
// first (it is what a notification preview and a glance at the lock screen show), then whose code
// it is, how long it lasts and "never share it" — the line that stops a caller who pretends to be
// the store from talking the code out of the shopper.
//
// English stays in the GSM 03.38 alphabet (no dashes, curly quotes or "…"): one character outside
// it turns the whole message into UCS-2, cutting a segment from 160 characters to 70. Russian is
// UCS-2 anyway, so it says the same in fewer words ("мин." needs no plural forms).
import { catalog } from '../../shared/i18n.ts';
import en from './sms-messages.en.json' with { type: 'json' };
import ru from './sms-messages.ru.json' with { type: 'json' };

export const smsMessages = catalog(en, ru);
