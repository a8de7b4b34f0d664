// Thin HTTP layer of QR sign-in: the waiting browser (QR, live status, completion), the phone's
// confirmation pages (/qr/<token>, /app), and the JSON API a native app uses.
import QRCode from 'qrcode';
import { Type } from '@sinclair/typebox';
import type { SessionService } from '../sessions/session-service.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h, type SafeHtml } from '../http/jsx.ts';
import { formBody, shortText } from '../http/form-schema.ts';
import { handOverBrowserSession, redirect, safeReturnPath, sendPage, textField, waitText } from '../http/replies.ts';
import { sendProblem } from '../http/error-handler.tsx';
import { statusFor } from '../http/error-statuses.ts';
import { requireSession } from '../http/require-session.ts';
import type { Clock } from '../shared/clock.ts';
import type { Failure, FailureCode } from '../shared/failure.ts';
import { QR_COOKIE, qrCookieOptions, qrSecretFrom, withoutQrSecret, withQrSecret } from './qr-cookie.ts';
import { isFinal, type QrStatus } from './qr-login-flow.ts';
import { qrLoginMessages } from './qr-login-messages.ts';
import { AppPage, QrConfirmPage, QrPanel, QrResultPage, QrReviewPage, type QrPanelModel } from './qr-login-pages.tsx';
import type { QrLoginService } from './qr-login-service.ts';

/** A missed notice (a node restart, a dropped LISTEN connection) is caught by re-reading the row. */
const RE_READ_MS = 1000;
/** An event stream ends after this; the page's script opens a new one if it still waits. */
const STREAM_MS = 150_000;

export interface QrRouteDeps {
  qrLogin: QrLoginService;
  sessions: SessionService;
  clock: Clock;
  publicUrl: string;
}

/** Makes a new QR for the sign-in page and gives this browser the matching secret cookie. */
function createQrPanelMaker(qrLogin: QrLoginService) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<QrPanelModel | null> => {
    const made = await qrLogin.createRequest({ clientAddress: request.ctx.clientAddress, userAgent: request.ctx.userAgent });
    if (!made.ok) return null;
    reply.setCookie(QR_COOKIE, withQrSecret(request.cookies[QR_COOKIE], made.id, made.secret), qrCookieOptions);
    const svg = await QRCode.toString(made.url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    return { requestId: made.id, svg, url: made.url, expiresAt: made.expiresAt };
  };
}

/**
 * The sign-in page's "Sign in with the app" panel, drawn here and handed to login/ at assembly:
 * the password sign-in knows nothing of QR sign-in, which builds on it (the app signs in there).
 */
export function createQrPanelRenderer(qrLogin: QrLoginService) {
  const makePanel = createQrPanelMaker(qrLogin);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<SafeHtml> => {
    const panel = await makePanel(request, reply);
    const asked = (request.query as Record<string, unknown>).return_to ?? (request.body as Record<string, unknown> | undefined)?.return_to;
    const returnTo = typeof asked === 'string' ? safeReturnPath(asked) : undefined;
    return <QrPanel ctx={request.ctx} t={request.ctx.translator(qrLoginMessages)} panel={panel} returnTo={returnTo} />;
  };
}

export function registerQrLoginRoutes(app: FastifyInstance, deps: QrRouteDeps) {
  const { qrLogin, sessions, clock } = deps;
  const makePanel = createQrPanelMaker(qrLogin);
  const translate = (request: FastifyRequest) => request.ctx.translator(qrLoginMessages);
  /** The secret of the QR the page names (?request= or the form's `request`), else the newest. */
  const secretOf = (request: FastifyRequest) => {
    const named = (request.query as Record<string, unknown>).request ?? (request.body as Record<string, unknown> | undefined)?.request;
    return qrSecretFrom(request.cookies[QR_COOKIE], named);
  };
  const problem = (request: FastifyRequest, reply: FastifyReply, code: FailureCode, retryAfterSeconds?: number) =>
    sendProblem(request, reply, code, { catalogs: [qrLoginMessages], params: { wait: waitText(retryAfterSeconds, request.ctx.locale) } });

  // ---- the waiting browser -------------------------------------------------------------------

  /** A fresh QR when the shown one ran out (the page's script asks; without script: reload). */
  app.post('/qr/requests', { schema: { body: formBody({}) } }, async (request, reply) => {
    if (!(request.headers.accept ?? '').includes('application/json')) return redirect(reply, '/login');
    const panel = await makePanel(request, reply);
    if (!panel) return problem(request, reply, 'qr.too_many_requests', 60);
    return reply.type('application/json; charset=utf-8').send(panel);
  });

  app.get('/qr/status', async (request, reply) => {
    const status = await qrLogin.statusForBrowser(secretOf(request));
    if (!status.ok) return problem(request, reply, status.code);
    return { status: status.status };
  });

  // Server-sent events: one line per change of status, until the request is settled.
  // Streams still open when this node shuts down are ended at once: server.close() would otherwise
  // wait up to STREAM_MS for each, and the page's EventSource reconnects to another node anyway.
  const openStreams = new Set<() => void>();
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    for (const stop of [...openStreams]) stop();
  });
  app.get('/qr/events', async (request, reply) => {
    const secret = secretOf(request);
    const first = await qrLogin.statusForBrowser(secret);
    if (!first.ok) return problem(request, reply, first.code);
    // Shutdown began while we read the row: a stream opened now would hold close() just the same.
    if (closing) return problem(request, reply.header('retry-after', '1'), 'request.unavailable');
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    let last: QrStatus | undefined;
    let finished = false;
    const send = (status: QrStatus) => {
      if (status === last) return;
      last = status;
      out.write(`event: status\ndata: ${JSON.stringify({ status })}\n\n`);
      if (isFinal(status) || status === 'approved') stop();
    };
    const check = async () => {
      if (finished) return;
      const now = await qrLogin.statusForBrowser(secret).catch(() => null);
      if (now?.ok) send(now.status);
    };
    const unsubscribe = qrLogin.subscribe(first.id, () => void check());
    const timer = setInterval(() => void check(), RE_READ_MS);
    const limit = setTimeout(() => stop(), STREAM_MS);
    function stop() {
      if (finished) return;
      finished = true;
      openStreams.delete(stop);
      unsubscribe();
      clearInterval(timer);
      clearTimeout(limit);
      out.end();
    }
    openStreams.add(stop);
    request.raw.on('close', stop);
    send(first.status);
  });

  app.post('/qr/complete', { schema: { body: formBody({ request: Type.String({ maxLength: 64 }), return_to: shortText(512) }, ['request', 'return_to']) } }, async (request, reply) => {
    const secret = secretOf(request);
    const result = await qrLogin.complete(secret, {
      clientAddress: request.ctx.clientAddress,
      userAgent: request.ctx.userAgent,
      locale: request.ctx.locale,
    });
    if (!result.ok) {
      const t = translate(request);
      return sendPage(reply, <QrResultPage ctx={request.ctx} t={t} outcome="problem" message={t(result.code)} />, statusFor(result.code));
    }
    const left = withoutQrSecret(request.cookies[QR_COOKIE], secret);
    if (left) reply.setCookie(QR_COOKIE, left, qrCookieOptions);
    else reply.clearCookie(QR_COOKIE, qrCookieOptions);
    await handOverBrowserSession(request, reply, sessions, result, clock.now());
    const returnTo = textField(request.body, 'return_to');
    return redirect(reply, returnTo ? safeReturnPath(returnTo) : '/account?signed_in=qr');
  });

  // ---- the phone: a signed-in browser opening the QR's link ----------------------------------

  /** A refused look or scan: the same status as the app API for the same problem (410 expired, 429 too many). */
  function qrProblemPage(request: FastifyRequest, reply: FastifyReply, failure: Failure) {
    const t = translate(request);
    if (failure.retryAfterSeconds) reply.header('retry-after', String(failure.retryAfterSeconds));
    return sendPage(reply, <QrResultPage ctx={request.ctx} t={t} outcome="problem" message={t(failure.code, { wait: waitText(failure.retryAfterSeconds, request.ctx.locale) })} />, statusFor(failure.code));
  }

  // Opening the link changes nothing (a cross-site page or a link preview can open it): it shows
  // the request, and the scan that locks it to this session is the form's POST, with CSRF.
  app.get('/qr/:token', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    const { token } = request.params as { token: string };
    const seen = await qrLogin.peek({ id: session.id, address: request.ctx.clientAddress }, token, request.ctx.locale);
    if (!seen.ok) return qrProblemPage(request, reply, seen);
    const t = translate(request);
    if (!seen.scanned) return sendPage(reply, <QrReviewPage ctx={request.ctx} t={t} token={token} />);
    return sendPage(reply, <QrConfirmPage ctx={request.ctx} t={t} token={token} details={seen.details} />);
  });

  app.post('/qr/:token/scan', { schema: { body: formBody({}) } }, async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    const { token } = request.params as { token: string };
    const scanned = await qrLogin.scan({ id: session.id, accountId: session.account_id, address: request.ctx.clientAddress }, token, request.ctx.locale);
    if (!scanned.ok) return qrProblemPage(request, reply, scanned);
    return redirect(reply, `/qr/${token}`);
  });

  for (const [action, approve] of [['confirm', true], ['cancel', false]] as const) {
    app.post(`/qr/:token/${action}`, { schema: { body: formBody({ elsewhere: shortText(8) }, ['elsewhere']) } }, async (request, reply) => {
      const session = requireSession(request, reply);
      if (!session) return reply;
      const { token } = request.params as { token: string };
      const phone = { id: session.id, address: request.ctx.clientAddress };
      const decided = await qrLogin.decide(phone, token, approve, textField(request.body, 'elsewhere') === 'yes');
      const t = translate(request);
      // The browser is elsewhere: the page again, with the warning and the second, explicit "yes".
      if (!decided.ok && decided.code === 'qr.elsewhere_unconfirmed') {
        const seen = await qrLogin.peek(phone, token, request.ctx.locale);
        if (seen.ok && seen.scanned) return sendPage(reply, <QrConfirmPage ctx={request.ctx} t={t} token={token} details={seen.details} askAgain />, statusFor(decided.code));
      }
      if (!decided.ok) return sendPage(reply, <QrResultPage ctx={request.ctx} t={t} outcome="problem" message={t(decided.code)} />, statusFor(decided.code));
      return sendPage(reply, <QrResultPage ctx={request.ctx} t={t} outcome={approve ? 'confirmed' : 'cancelled'} />);
    });
  }

  // ---- the reference app --------------------------------------------------------------------

  app.get('/app', async (request, reply) => {
    const t = translate(request);
    return sendPage(reply, <AppPage ctx={request.ctx} t={t} email={request.ctx.session?.email ?? null} />);
  });

  /** The pasted (or decoded) link: only our own /qr/<token> links are followed. */
  app.get('/app/open', async (request, reply) => {
    const link = (request.query as Record<string, unknown>).link;
    const token = typeof link === 'string' ? qrTokenFromLink(link, deps.publicUrl) : undefined;
    if (token) return redirect(reply, `/qr/${token}`);
    const t = translate(request);
    return sendPage(reply, <AppPage ctx={request.ctx} t={t} email={request.ctx.session?.email ?? null} linkError={t('app.bad_link')} />, 422);
  });
}

export function qrTokenFromLink(link: string, publicUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(link.trim(), publicUrl);
  } catch {
    return undefined;
  }
  if (url.origin !== new URL(publicUrl).origin) return undefined;
  return /^\/qr\/([A-Za-z0-9_-]{43})$/.exec(url.pathname)?.[1];
}
