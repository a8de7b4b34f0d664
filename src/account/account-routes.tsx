// Thin HTTP layer of My account. Every route here needs a signed-in browser session. The Security
// page itself is drawn in settings/security-page-routes.tsx, above both folders.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SignedIn } from '../http/request-context.ts';
import { h } from '../http/jsx.ts';
import { formBody, shortText } from '../http/form-schema.ts';
import { redirect, sendPage, textField } from '../http/replies.ts';
import { requireSession } from '../http/require-session.ts';
import { LANGUAGE_COOKIE } from '../http/cookies.ts';
import { sendProblem } from '../http/error-handler.tsx';
import type { AccountStore } from '../identity/account-store.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { Clock } from '../shared/clock.ts';
import { isLocale } from '../shared/i18n.ts';
import type { Database } from '../storage/database.ts';
import { accountMessages } from './account-messages.ts';
import { recoveryMessages } from '../recovery/recovery-messages.ts';
import { OverviewPage, SettingsPage } from './account-pages.tsx';

/** My account → Settings; Change password's start draws it again with why no code was sent. */
export function drawSettingsPage(request: FastifyRequest, session: SignedIn, shown: { saved?: boolean; passwordError?: string }) {
  const t = request.ctx.translator(accountMessages, recoveryMessages);
  return <SettingsPage ctx={request.ctx} t={t} accountLocale={session.locale} email={session.email} saved={shown.saved ?? false} passwordError={shown.passwordError} />;
}

export function registerAccountRoutes(
  app: FastifyInstance,
  deps: { db: Database; accounts: AccountStore; sessions: SessionService; clock: Clock },
) {
  const { db, accounts, sessions, clock } = deps;

  app.get('/account', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    const account = await accounts.findById(session.account_id);
    const t = request.ctx.translator(accountMessages);
    const query = request.query as Record<string, unknown>;
    const welcome = query.welcome === '1';
    // Only a session a QR made: the query alone cannot make another session show it.
    const signedInByQr = query.signed_in === 'qr' && session.authenticated_via === 'qr';
    return sendPage(reply, <OverviewPage ctx={request.ctx} t={t} session={session} createdAt={account!.created_at} welcome={welcome} signedInByQr={signedInByQr} />);
  });

  app.get('/account/settings', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    return sendPage(reply, drawSettingsPage(request, session, { saved: (request.query as Record<string, unknown>).saved === '1' }));
  });

  app.post('/account/settings/language', { schema: { body: formBody({ locale: shortText(8) }) } }, async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    const locale = textField(request.body, 'locale');
    if (!isLocale(locale)) return sendProblem(request, reply, 'request.malformed');
    await accounts.setLocale(session.account_id, locale, clock.now());
    // The explicit page-language cookie would otherwise outrank the account's choice.
    reply.clearCookie(LANGUAGE_COOKIE, { path: '/', secure: true });
    return redirect(reply, '/account/settings?saved=1');
  });

  app.post('/account/sessions/:id/end', { schema: { body: formBody({}), params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } } } }, async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    const { id } = request.params as { id: string };
    // Only the shopper's own sessions match; anyone else's id answers "not found".
    const ended = await sessions.endSession(session.account_id, id, request.ctx);
    if (!ended) return sendProblem(request, reply, 'session.not_found');
    return redirect(reply, '/account/security?ended=one');
  });

  app.post('/account/sessions/end-others', { schema: { body: formBody({}) } }, async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    await sessions.endOtherSessions(db, session.account_id, session.id, request.ctx);
    return redirect(reply, '/account/security?ended=others');
  });
}
