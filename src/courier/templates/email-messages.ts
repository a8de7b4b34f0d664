// Every word of every email, in English and Russian, keyed by a stable id. Templates only arrange
// these; translators edit email-messages.en.json and .ru.json. Placeholders: {storeName},
// {duration} (already in the reader's language, from describeDuration), {time}. 'email.common.*'
// texts are shared by several templates. In 'email.new_sign_in.*', {place} is a country name as
// Intl gives it (nominative) or, unknown, the address: no Russian preposition that would need it
// declined («около Франции»).
import { catalog } from '../../shared/i18n.ts';
import en from './email-messages.en.json' with { type: 'json' };
import ru from './email-messages.ru.json' with { type: 'json' };

export const emailMessages = catalog(en, ru);
