// "Confirm it's you": the current password again, before any security change (DESIGN.md §2). A
// right password gives the session a new token with the new privilege and goes back where it was.
import type { FastifyInstance } from 'fastify';
import { h } from '../http/jsx.ts';
import { formBody, shortText } from '../http/form-schema.ts';
import { redirect, safeReturnPath, sendPage, setSessionCookie, textField } from '../http/replies.ts';
import type { Clock } from '../shared/clock.ts';
import { answerFailure } from '../verification/answer-failure.ts';
import type { SecuritySettingsService } from './security-settings-service.ts';
import { ReverifyPage } from './security-settings-pages.tsx';
import { answersBackTo, forShopper, translate } from './shopper.ts';

export function registerReverifyRoutes(app: FastifyInstance, deps: { settings: SecuritySettingsService; clock: Clock }) {
  const { settings, clock } = deps;

  app.get(
    '/account/confirm',
    forShopper(async (request, reply) => {
      const returnTo = safeReturnPath((request.query as Record<string, unknown>).return_to);
      return sendPage(reply, <ReverifyPage ctx={request.ctx} t={translate(request)} returnTo={returnTo} />);
    }),
  );

  app.post(
    '/account/confirm',
    { schema: { body: formBody({ password: shortText(1024), return_to: shortText(512) }, ['return_to']) } },
    forShopper(async (request, reply, shopper) => {
      const returnTo = safeReturnPath(textField(request.body, 'return_to'));
      const result = await settings.reverify(shopper, textField(request.body, 'password') ?? '');
      if (result.ok) {
        // A new token with the new privilege (DESIGN.md §2): a copy of the old cookie is now worthless.
        setSessionCookie(reply, result.token, result.expiresAt, clock.now());
        return redirect(reply, returnTo);
      }
      return answerFailure(request, reply, result, answersBackTo(returnTo), (shown) =>
        sendPage(reply, <ReverifyPage ctx={request.ctx} t={translate(request)} returnTo={returnTo} error={shown.error} />, shown.status),
      );
    }),
  );
}
