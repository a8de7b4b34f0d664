// My account → Security → phone number: type it, confirm the code texted to it (the shared
// verification step), or remove it. Each needs a fresh "Confirm it's you" (shopper.ts).
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.ts';
import { keepTogether, TextCodePage } from '../factors/factor-pages.tsx';
import { h } from '../http/jsx.ts';
import { formBody, shortText } from '../http/form-schema.ts';
import { redirect, sendPage, textField } from '../http/replies.ts';
import { fail } from '../shared/failure.ts';
import { answerFailure } from '../verification/answer-failure.ts';
import { sentParam } from '../verification/code-notices.ts';
import { drawStep, goTo, registerCodeStep } from '../verification/code-step.ts';
import type { SecuritySettingsService } from './security-settings-service.ts';
import { PhoneSetupPage } from './security-settings-pages.tsx';
import { answersBackTo, forShopper, refused, shopperOf, translate } from './shopper.ts';

export function registerPhoneSetupRoutes(app: FastifyInstance, deps: { settings: SecuritySettingsService; config: Config }) {
  const { settings, config } = deps;

  app.get(
    '/account/security/phone',
    forShopper(async (request, reply, shopper) => {
      if (!settings.isFresh(shopper)) return refused(request, reply, fail('reverify.required'), '/account/security/phone');
      return sendPage(reply, <PhoneSetupPage ctx={request.ctx} t={translate(request)} />);
    }),
  );

  app.post(
    '/account/security/phone',
    { schema: { body: formBody({ phone: shortText(64) }) } },
    forShopper(async (request, reply, shopper) => {
      const typed = textField(request.body, 'phone') ?? '';
      const result = await settings.startPhoneSetup(shopper, typed);
      if (result.ok) return redirect(reply, `/account/security/phone/code?flow=${result.flowId}${sentParam(result.earlier)}`);
      return answerFailure(request, reply, result, answersBackTo('/account/security/phone'), (shown) =>
        sendPage(reply, <PhoneSetupPage ctx={request.ctx} t={translate(request)} phone={typed.slice(0, 32)} error={shown.error} />, shown.status),
      );
    }),
  );

  // The number's code: /account/security/phone/code (GET shows, POST confirms) and …/resend.
  registerCodeStep(app, {
    ...answersBackTo('/account/security'),
    path: '/account/security/phone/code',
    sendPath: '/account/security/phone/resend',
    who: shopperOf,
    async standing(_request, shopper, flowId) {
      const described = await settings.describePhoneSetup(flowId, shopper);
      return described.ok ? drawStep(described) : described;
    },
    draw: (_request, described, base) => (
      <TextCodePage
        {...base}
        phone={described.masked}
        security={config.security}
        sentText={base.t('phone_setup.sent_to', { phone: keepTogether(described.masked) })}
        numberHelp={base.t('phone_setup.help_typed', { phone: described.masked })}
        secondsUntilResend={described.secondsUntilResend}
        startOverHref="/account/security/phone"
        startOverLabel={base.t('two_step.phone_change')}
      />
    ),
    async confirm(_request, _reply, shopper, flowId, code) {
      const result = await settings.confirmPhone(flowId, code, shopper);
      return result.ok ? goTo('/account/security?saved=phone') : result;
    },
    send: (_request, shopper, flowId) => settings.resendPhoneCode(flowId, shopper),
  });

  app.post(
    '/account/security/phone/remove',
    { schema: { body: formBody({}) } },
    forShopper(async (request, reply, shopper) => {
      const result = await settings.removePhone(shopper);
      return result.ok ? redirect(reply, '/account/security?saved=removed') : refused(request, reply, result, '/account/security');
    }),
  );
}
