// The end of recovery and Change password: the new password (only once every proof is given),
// then "done" — shown only to the browser that finished the flow.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../http/error-handler.tsx';
import { statusFor } from '../http/error-statuses.ts';
import { formBody, shortText } from '../http/form-schema.ts';
import { h } from '../http/jsx.ts';
import { redirect, sendPage, setSessionCookie, textField } from '../http/replies.ts';
import { codeMessages } from '../verification/code-messages.ts';
import { resetCallerOf, type ResetDeps } from './reset-caller.ts';
import { flowParam } from './reset-steps.tsx';
import { recoveryMessages } from './recovery-messages.ts';
import { NewPasswordPage, PasswordChangedPage, type NewPasswordModel } from './recovery-pages.tsx';
import { pathTo, type ResetVariant } from './reset-variants.ts';

export function registerNewPasswordRoutes(app: FastifyInstance, variant: ResetVariant, deps: ResetDeps) {
  const { passwordReset, security } = deps;
  const { kind, paths } = variant;
  const translate = (request: FastifyRequest) => request.ctx.translator(recoveryMessages, codeMessages);
  const callerOf = resetCallerOf(variant, passwordReset);

  function draw(request: FastifyRequest, reply: FastifyReply, model: Omit<NewPasswordModel, 'ctx' | 't' | 'variant'>, status = 200) {
    return sendPage(reply, <NewPasswordPage ctx={request.ctx} t={translate(request)} variant={variant} {...model} />, status);
  }

  app.get(paths.password, async (request, reply) => {
    const caller = callerOf(request, reply);
    if (!caller) return reply;
    const described = await passwordReset.describe(kind, flowParam(request), caller);
    if (!described.ok) return sendProblem(request, reply, described.code);
    // Not yet: to the code page, which knows which proof is missing.
    if (described.page !== 'password') return redirect(reply, pathTo(variant, 'code', described.flow.id));
    return draw(request, reply, { flowId: described.flow.id, values: {}, signOutOthers: true, errors: {} });
  });

  app.post(
    paths.password,
    { schema: { body: formBody({ flow: shortText(64), password: shortText(1024), password_confirmation: shortText(1024), sign_out_others: shortText(8) }, ['sign_out_others']) } },
    async (request, reply) => {
      const caller = callerOf(request, reply);
      if (!caller) return reply;
      const flowId = textField(request.body, 'flow') ?? '';
      const values = { password: textField(request.body, 'password') ?? '', password_confirmation: textField(request.body, 'password_confirmation') ?? '' };
      // An unticked checkbox is simply absent from the form.
      const signOutOthers = textField(request.body, 'sign_out_others') !== undefined;
      const result = await passwordReset.chooseNewPassword(kind, flowId, { password: values.password, confirmation: values.password_confirmation, signOutOtherDevices: signOutOthers }, caller);
      if (result.ok) {
        if (result.renewed) setSessionCookie(reply, result.renewed, deps.clock.now());
        return redirect(reply, pathTo(variant, 'done', flowId));
      }
      if (result.code.startsWith('flow.')) return sendProblem(request, reply, result.code);
      const message = translate(request)(result.code, { min: security.passwordMinLength, max: security.passwordMaxLength });
      const field = (result.field ?? 'form') as keyof NewPasswordModel['errors'];
      return draw(request, reply, { flowId, values, signOutOthers, errors: { [field]: message } }, statusFor(result.code));
    },
  );

  // The done page only says it is done: no fresh proof needed to read it.
  const doneCallerOf = resetCallerOf(variant, passwordReset, { needsFreshProof: false });
  app.get(paths.done, async (request, reply) => {
    const caller = doneCallerOf(request, reply);
    if (!caller) return reply;
    // Shown only to the browser that finished this flow: an open flow is not done, a foreign one unknown.
    const described = await passwordReset.describe(kind, flowParam(request), caller);
    if (described.ok) return redirect(reply, pathTo(variant, 'code', described.flow.id));
    if (described.code !== 'flow.finished') return sendProblem(request, reply, described.code);
    return sendPage(reply, <PasswordChangedPage ctx={request.ctx} t={translate(request)} variant={variant} />);
  });
}
