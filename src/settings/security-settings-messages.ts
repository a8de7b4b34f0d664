import { catalog } from '../shared/i18n.ts';
import en from './messages/security-settings.en.json' with { type: 'json' };
import ru from './messages/security-settings.ru.json' with { type: 'json' };

export const securitySettingsMessages = catalog(en, ru);
