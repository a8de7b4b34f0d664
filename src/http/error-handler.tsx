// Turns every failure that escapes a route into a clear 4xx (or, for real bugs, a bare 500) page
// for browsers and `{ error: { code, message } }` for the JSON API. Never a stack trace.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h } from './jsx.ts';
import { Page, Alert } from './layout.tsx';
import { statusFor } from './error-statuses.ts';
import { RequestProblem } from './request-problem.ts';
import { commonMessages } from './common-messages.ts';
import { translatorFor, type Catalog, type Params } from '../shared/i18n.ts';
import type { FailureCode } from '../shared/failure.ts';
import { contextWithoutBrowser, type SiteFacts } from './request-context.ts';
import { isDatabaseOutage, uniqueViolationColumn } from '../storage/database-errors.ts';

function codeForFrameworkError(error: FastifyError): FailureCode | undefined {
  if (error.validation) return 'request.malformed';
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'request.too_large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'request.unsupported_type';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return 'request.malformed';
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) return 'request.malformed';
  return undefined;
}

/** Seconds a client should wait while the database is unreachable; nodes reconnect on their own. */
const OUTAGE_RETRY_AFTER_SECONDS = 2;

export function wantsJson(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || (request.headers.accept ?? '').startsWith('application/json');
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, code: FailureCode, options: { catalogs?: Catalog[]; params?: Params; returnTo?: string } = {}) {
  // "Confirm it's you" is a step, not an error: the browser goes there and is brought back (to the
  // page it asked for, or for a form post to the page the caller names).
  if (code === 'reverify.required' && !wantsJson(request)) {
    const back = request.method === 'GET' ? request.url : (options.returnTo ?? '/account');
    return reply.status(303).header('location', `/account/confirm?return_to=${encodeURIComponent(back)}`).send();
  }
  const status = statusFor(code);
  const locale = request.ctx.locale;
  const t = translatorFor(locale, ...(options.catalogs ?? []), commonMessages);
  const message = t(code, options.params);
  if (wantsJson(request)) {
    return reply.status(status).type('application/json; charset=utf-8').send({ error: { code, message } });
  }
  const title = status === 404 ? t('request.not_found_title') : t('request.error_title');
  const page = (
    <Page ctx={request.ctx} t={t} title={title} path="/login">
      <section class="card">
        <h1>{title}</h1>
        <Alert kind="error">{message}</Alert>
        <p><a class="button button-secondary" href={request.ctx.session ? '/account' : '/login'}>{t(request.ctx.session ? 'request.back_to_account' : 'request.back_to_sign_in')}</a></p>
      </section>
    </Page>
  );
  return reply.status(status).type('text/html; charset=utf-8').send(page.html);
}

/** Fastify's own refusals before routing (bad %-escapes, over-long URLs) in our format too. */
export function frameworkErrorHandler(site: SiteFacts) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    // Refused before our hooks ran (a path that is not UTF-8): there is no context yet.
    request.ctx ??= contextWithoutBrowser(request, site);
    const code = codeForFrameworkError(error) ?? 'request.malformed';
    return sendProblem(request, reply, code);
  };
}

export function registerErrorHandling(app: FastifyInstance, site: SiteFacts) {
  app.setNotFoundHandler((request, reply) => sendProblem(request, reply, 'request.not_found'));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    // A hook failed before the context was built (the database down while resolving the session).
    request.ctx ??= contextWithoutBrowser(request, site);
    if (error instanceof RequestProblem) return sendProblem(request, reply, error.code);
    const code = codeForFrameworkError(error);
    if (code) return sendProblem(request, reply, code);
    // Database unreachable (restart, failover, terminated connections): the shopper should retry;
    // nothing was half-done, since every change runs in a transaction.
    if (isDatabaseOutage(error)) {
      request.log.error({ err: { type: error.name, code: (error as { code?: string }).code } }, 'database unavailable');
      reply.header('retry-after', String(OUTAGE_RETRY_AFTER_SECONDS));
      return sendProblem(request, reply, 'request.unavailable');
    }
    // A unique index refused a row another request wrote a moment earlier. Flows that can race
    // turn this into their own answer; one that reaches here was rolled back whole, so it is a
    // conflict to reload, not a crash.
    const column = uniqueViolationColumn(error);
    if (column !== undefined) {
      request.log.warn({ err: { type: error.name, column } }, 'unique index conflict');
      return sendProblem(request, reply, 'request.conflict');
    }
    request.log.error({ err: { type: error.name, message: error.message, stack: error.stack } }, 'unexpected error');
    return sendProblem(request, reply, 'request.internal');
  });
}
