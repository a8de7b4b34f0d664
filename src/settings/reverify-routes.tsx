// "Confirm it's you": the current password again, before any security change (DESIGN.md §2). A
// right password gives the session a new token with the new privilege and goes back where it was.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h } from '../http/jsx.ts';
import { formBody, shortText } from '../http/form-schema.ts';
import { redirect, safeReturnPath, sendPage, setSessionCookie, textField } from '../http/replies.ts';
import type { Clock } from '../shared/clock.ts';
import { answerFailure } from '../verification/answer-failure.ts';
import { MAX_RESPONSE_CHARS } from '../passkeys/passkey-input.ts';
import { statusFor } from '../http/error-statuses.ts';
import type { PasskeyReverify } from './reverify-by-passkey.ts';
import type { Shopper } from './security-settings-service.ts';
import type { SecuritySettingsService } from './security-settings-service.ts';
import { ReverifyPage } from './security-settings-pages.tsx';
import { answersBackTo, forShopper, translate } from './shopper.ts';

export function registerReverifyRoutes(app: FastifyInstance, deps: { settings: SecuritySettingsService; passkeyReverify: PasskeyReverify; clock: Clock }) {
  const { settings, passkeyReverify, clock } = deps;

  /** The page, with this account's passkeys offered when it has any (a new challenge each time). */
  async function reverifyPage(request: FastifyRequest, reply: FastifyReply, shopper: Shopper, returnTo: string, shown: { error?: string; passkeyError?: string; status?: number } = {}) {
    const options = await passkeyReverify.options(shopper);
    const page = <ReverifyPage ctx={request.ctx} t={translate(request)} returnTo={returnTo} error={shown.error} passkeyError={shown.passkeyError} passkeyOptionsJson={options ? JSON.stringify(options) : undefined} />;
    return sendPage(reply, page, shown.status);
  }

  app.get(
    '/account/confirm',
    forShopper(async (request, reply, shopper) => reverifyPage(request, reply, shopper, safeReturnPath((request.query as Record<string, unknown>).return_to))),
  );

  app.post(
    '/account/confirm',
    { schema: { body: formBody({ password: shortText(1024), return_to: shortText(512) }, ['return_to']) } },
    forShopper(async (request, reply, shopper) => {
      const returnTo = safeReturnPath(textField(request.body, 'return_to'));
      const result = await settings.reverify(shopper, textField(request.body, 'password') ?? '');
      if (result.ok) {
        // A new token with the new privilege (DESIGN.md §2): a copy of the old cookie is now worthless.
        setSessionCookie(reply, result, clock.now());
        return redirect(reply, returnTo);
      }
      return answerFailure(request, reply, result, answersBackTo(returnTo), (shown) =>
        reverifyPage(request, reply, shopper, returnTo, shown),
      );
    }),
  );

  app.post(
    '/account/confirm/passkey',
    { schema: { body: formBody({ response: shortText(MAX_RESPONSE_CHARS), return_to: shortText(512) }, ['return_to']) } },
    forShopper(async (request, reply, shopper) => {
      const returnTo = safeReturnPath(textField(request.body, 'return_to'));
      const result = await passkeyReverify.confirm(shopper, textField(request.body, 'response'));
      if (result.ok) {
        // The same as the password: a new token with the new privilege.
        setSessionCookie(reply, result, clock.now());
        return redirect(reply, returnTo);
      }
      return reverifyPage(request, reply, shopper, returnTo, { passkeyError: translate(request)(result.code), status: statusFor(result.code) });
    }),
  );
}
