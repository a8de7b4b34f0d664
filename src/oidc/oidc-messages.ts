import { catalog } from '../shared/i18n.ts';
import en from './oidc-messages.en.json' with { type: 'json' };
import ru from './oidc-messages.ru.json' with { type: 'json' };

export const oidcMessages = catalog(en, ru);
