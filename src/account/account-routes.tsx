// Thin HTTP layer of My account. Every route here needs a signed-in browser session.
import type { FastifyInstance } from 'fastify';
import { h } from '../http/jsx.ts';
import { formBody, shortText } from '../http/form-schema.ts';
import { redirect, sendPage, textField } from '../http/replies.ts';
import { requireSession } from '../http/require-session.ts';
import { sendProblem } from '../http/error-handler.tsx';
import type { AccountStore } from '../identity/account-store.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { Clock } from '../shared/clock.ts';
import { isLocale, type MessageId } from '../shared/i18n.ts';
import type { Database } from '../storage/database.ts';
import { accountMessages } from './account-messages.ts';
import { recoveryMessages } from '../recovery/recovery-messages.ts';
import { OverviewPage, SecurityPage, SettingsPage } from './account-pages.tsx';
import type { FactorStore } from '../factors/factor-store.ts';
import { securitySettingsMessages } from '../settings/security-settings-messages.ts';
import { TwoStepSection } from '../settings/security-settings-pages.tsx';

export function registerAccountRoutes(
  app: FastifyInstance,
  deps: { db: Database; accounts: AccountStore; factors: FactorStore; textsAvailable: boolean; sessions: SessionService; clock: Clock; storeName: string },
) {
  const { db, accounts, factors, sessions, clock, storeName } = deps;

  app.get('/account', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    const account = await accounts.findById(session.account_id);
    const t = request.ctx.translator(accountMessages);
    const query = request.query as Record<string, unknown>;
    const welcome = query.welcome === '1';
    // Only a session a QR made: the query alone cannot make another session show it.
    const signedInByQr = query.signed_in === 'qr' && session.authenticated_via === 'qr';
    return sendPage(reply, <OverviewPage ctx={request.ctx} t={t} storeName={storeName} session={session} createdAt={account!.created_at} welcome={welcome} signedInByQr={signedInByQr} />);
  });

  app.get('/account/settings', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    const t = request.ctx.translator(accountMessages, recoveryMessages);
    const saved = (request.query as Record<string, unknown>).saved === '1';
    return sendPage(reply, <SettingsPage ctx={request.ctx} t={t} storeName={storeName} accountLocale={session.locale} email={session.email} saved={saved} />);
  });

  app.post('/account/settings/language', { schema: { body: formBody({ locale: shortText(8) }) } }, async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    const locale = textField(request.body, 'locale');
    if (!isLocale(locale)) return sendProblem(request, reply, 'request.malformed', storeName);
    await accounts.setLocale(session.account_id, locale, clock.now());
    // The explicit page-language cookie would otherwise outrank the account's choice.
    reply.clearCookie('__Host-gh_lang', { path: '/', secure: true });
    return redirect(reply, '/account/settings?saved=1');
  });

  app.get('/account/security', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    const t = request.ctx.translator(accountMessages, securitySettingsMessages);
    const query = request.query as Record<string, unknown>;
    const notices: Record<string, MessageId> = {
      one: 'account.session_ended', others: 'account.other_sessions_ended',
      phone: 'two_step.saved_phone', totp: 'two_step.saved_totp', on: 'two_step.saved_on', off: 'two_step.saved_off', removed: 'two_step.removed',
    };
    const key = typeof query.ended === 'string' ? query.ended : typeof query.saved === 'string' ? query.saved : '';
    const notice = Object.hasOwn(notices, key) ? t(notices[key]) : undefined;
    const [list, summary] = await Promise.all([sessions.listSessions(session.account_id), factors.summary(session.account_id)]);
    const page = (
      <SecurityPage ctx={request.ctx} t={t} storeName={storeName} sessions={list} currentId={session.id} notice={notice}>
        <TwoStepSection ctx={request.ctx} t={t} factors={summary} textsAvailable={deps.textsAvailable} />
      </SecurityPage>
    );
    return sendPage(reply, page);
  });

  app.post('/account/sessions/:id/end', { schema: { body: formBody({}), params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } } } }, async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    const { id } = request.params as { id: string };
    // Only the shopper's own sessions match; anyone else's id answers "not found".
    const ended = await sessions.endSession(session.account_id, id);
    if (!ended) return sendProblem(request, reply, 'session.not_found', storeName);
    return redirect(reply, '/account/security?ended=one');
  });

  app.post('/account/sessions/end-others', { schema: { body: formBody({}) } }, async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    await sessions.endOtherSessions(db, session.account_id, session.id);
    return redirect(reply, '/account/security?ended=others');
  });
}
