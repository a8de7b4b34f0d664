// My account → Security's authenticator app, backup codes and the two-step switch. Every change
// first needs a fresh "Confirm it's you" (shopper.ts); the phone number is phone-setup-routes.tsx.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { otpauthUri } from '../factors/totp.ts';
import { h } from '../http/jsx.ts';
import { formBody, shortText } from '../http/form-schema.ts';
import { redirect, sendPage, textField } from '../http/replies.ts';
import type { Clock } from '../shared/clock.ts';
import { answerFailure, type Shown } from '../verification/answer-failure.ts';
import { readTypedCode } from '../verification/typed-code.ts';
import type { SecuritySettingsService, Shopper } from './security-settings-service.ts';
import { AuthenticatorSetupPage, BackupCodesPage } from './security-settings-pages.tsx';
import { answersBackTo, forShopper, refused, translate } from './shopper.ts';

export function registerSecuritySettingsRoutes(app: FastifyInstance, deps: { settings: SecuritySettingsService; clock: Clock }) {
  const { settings } = deps;
  const back = '/account/security';

  // ---- authenticator app ------------------------------------------------------------------------

  app.post(
    '/account/security/authenticator/start',
    { schema: { body: formBody({}) } },
    forShopper(async (request, reply, shopper) => {
      const result = await settings.startAuthenticatorSetup(shopper);
      return result.ok ? redirect(reply, `/account/security/authenticator?flow=${result.flowId}`) : refused(request, reply, result, back);
    }),
  );

  async function drawAuthenticatorSetup(request: FastifyRequest, reply: FastifyReply, shopper: Shopper, flowId: string, shown: Shown = {}, turnOnTwoStep = true) {
    const described = await settings.describeAuthenticatorSetup(flowId, shopper);
    if (!described.ok) return refused(request, reply, described, back);
    const uri = otpauthUri({ secret: described.secret, issuer: request.ctx.storeName.replace(/:/g, ' '), accountName: request.ctx.session!.email });
    const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    // The page carries the secret: no cache may keep it.
    reply.header('cache-control', 'no-store');
    const page = <AuthenticatorSetupPage ctx={request.ctx} t={translate(request)} flowId={flowId} secret={described.secret} qrSvg={qrSvg} error={shown.error} offerTwoStep={!described.twoStepOn} turnOnTwoStep={turnOnTwoStep} />;
    return sendPage(reply, page, shown.status ?? 200);
  }

  app.get(
    '/account/security/authenticator',
    forShopper((request, reply, shopper) => drawAuthenticatorSetup(request, reply, shopper, textField(request.query, 'flow') ?? '')),
  );

  app.post(
    '/account/security/authenticator',
    { schema: { body: formBody({ flow: shortText(64), code: shortText(64), two_step: shortText(2) }, ['two_step']) } },
    forShopper(async (request, reply, shopper) => {
      const flowId = textField(request.body, 'flow') ?? '';
      const typed = readTypedCode(textField(request.body, 'code'));
      // A ticked box sends two_step=1; an unticked one sends nothing, so "off" is the absence.
      const turnOnTwoStep = textField(request.body, 'two_step') === '1';
      const result = typed.ok ? await settings.confirmAuthenticator(flowId, typed.code, shopper, { turnOnTwoStep }) : typed;
      if (!result.ok) {
        const answers = { ...answersBackTo(back), wordsFor: () => (result.code === 'code.invalid' ? 'totp_setup.invalid' : undefined) };
        return answerFailure(request, reply, result, answers, (shown) => drawAuthenticatorSetup(request, reply, shopper, flowId, shown, turnOnTwoStep));
      }
      if (!result.backupCodes) return redirect(reply, `/account/security?saved=${result.twoStepTurnedOn ? 'totp_on' : 'totp'}`);
      return showBackupCodes(request, reply, result.backupCodes, false, translate(request)(result.twoStepTurnedOn ? 'two_step.saved_totp_on' : 'two_step.saved_totp'));
    }),
  );

  app.post(
    '/account/security/authenticator/remove',
    { schema: { body: formBody({}) } },
    forShopper(async (request, reply, shopper) => {
      const result = await settings.removeAuthenticator(shopper);
      return result.ok ? redirect(reply, '/account/security?saved=removed') : refused(request, reply, result, back);
    }),
  );

  // ---- backup codes and the switch ----------------------------------------------------------------

  function showBackupCodes(request: FastifyRequest, reply: FastifyReply, codes: string[], replaced: boolean, notice?: string) {
    reply.header('cache-control', 'no-store');
    const page = <BackupCodesPage ctx={request.ctx} t={translate(request)} codes={codes} account={request.ctx.session!.email} createdAt={deps.clock.now()} replaced={replaced} notice={notice} />;
    return sendPage(reply, page);
  }

  app.post(
    '/account/security/backup-codes',
    { schema: { body: formBody({}) } },
    forShopper(async (request, reply, shopper) => {
      const result = await settings.regenerateBackupCodes(shopper);
      return result.ok ? showBackupCodes(request, reply, result.codes, result.replaced) : refused(request, reply, result, back);
    }),
  );

  app.post(
    '/account/security/two-step',
    { schema: { body: formBody({ on: shortText(2) }) } },
    forShopper(async (request, reply, shopper) => {
      const on = textField(request.body, 'on') === '1';
      const result = await settings.setTwoStep(shopper, on);
      return result.ok ? redirect(reply, `/account/security?saved=${on ? 'on' : 'off'}`) : refused(request, reply, result, back);
    }),
  );
}
