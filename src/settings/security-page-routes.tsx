// My account → Security, the page itself: the two-step section (this folder's) above the list of
// signed-in devices (account/'s). It is put together here, in the folder above both, so account/
// needs nothing from settings/; ending a device's session stays with account/.
import type { FastifyInstance } from 'fastify';
import { h } from '../http/jsx.ts';
import type { MessageId } from '../shared/i18n.ts';
import { sendPage } from '../http/replies.ts';
import { requireSession } from '../http/require-session.ts';
import { accountMessages } from '../account/account-messages.ts';
import { SecurityPage } from '../account/account-pages.tsx';
import type { FactorStore } from '../factors/factor-store.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { securitySettingsMessages } from './security-settings-messages.ts';
import { TwoStepSection } from './security-settings-pages.tsx';
import { PasskeysSection } from './passkey-pages.tsx';
import { passkeyMessages } from '../passkeys/passkey-messages.ts';
import type { PasskeyStore } from '../passkeys/passkey-store.ts';
import type { AppWithAccess } from '../oidc/consent-store.ts';
import { AppsWithAccessSection } from '../oidc/oidc-pages.tsx';
import { oidcMessages } from '../oidc/oidc-messages.ts';
import { ActivitySection } from './activity-page.tsx';

/** The notice a redirect back here names (?ended= or ?saved=), by its query value. */
const notices: Record<string, MessageId> = {
  one: 'account.session_ended', others: 'account.other_sessions_ended',
  passkey_added: 'passkeys.saved_added', passkey_added_on: 'passkeys.saved_added_on', passkey_renamed: 'passkeys.saved_renamed', passkey_removed: 'passkeys.saved_removed',
  app_removed: 'oidc.apps_removed', app_unknown: 'oidc.apps_unknown',
  phone: 'two_step.saved_phone', totp: 'two_step.saved_totp', totp_on: 'two_step.saved_totp_on', on: 'two_step.saved_on', off: 'two_step.saved_off', removed: 'two_step.removed',
};

export function registerSecurityPageRoute(
  app: FastifyInstance,
  deps: { sessions: SessionService; sessionIdleSeconds: number; factors: FactorStore; passkeys: PasskeyStore; textsAvailable: boolean; appsWithAccess: (accountId: string) => Promise<AppWithAccess[]> },
) {
  const { sessions, factors } = deps;

  app.get('/account/security', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    const t = request.ctx.translator(accountMessages, securitySettingsMessages, passkeyMessages, oidcMessages);
    const query = request.query as Record<string, unknown>;
    const key = typeof query.ended === 'string' ? query.ended : typeof query.saved === 'string' ? query.saved : '';
    const notice = Object.hasOwn(notices, key) ? t(notices[key]) : undefined;
    const [list, summary, passkeys, apps] = await Promise.all([
      sessions.listSessions(session.account_id),
      factors.summary(session.account_id),
      deps.passkeys.listForAccount(session.account_id),
      deps.appsWithAccess(session.account_id),
    ]);
    const page = (
      <SecurityPage ctx={request.ctx} t={t} sessions={list} currentId={session.id} idleSeconds={deps.sessionIdleSeconds} notice={notice}>
        <TwoStepSection ctx={request.ctx} t={t} factors={summary} textsAvailable={deps.textsAvailable} />
        <PasskeysSection ctx={request.ctx} t={t} passkeys={passkeys} />
        <AppsWithAccessSection ctx={request.ctx} t={t} apps={apps} />
        <ActivitySection t={t} />
      </SecurityPage>
    );
    return sendPage(reply, page);
  });
}
