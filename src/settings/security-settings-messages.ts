import { catalog } from '../shared/i18n.ts';
import en from './security-settings-messages.en.json' with { type: 'json' };
import ru from './security-settings-messages.ru.json' with { type: 'json' };

export const securitySettingsMessages = catalog(en, ru);
