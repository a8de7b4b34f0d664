// "Use a passkey" as a way of the verification step every flow shares (verification/code-step.ts
// is the code way; this is the passkey one):
//
//   GET  <path>?flow=ID          where the flow stands: this page — a form for the shared script
//                                static/passkey-assertion.js, the request options in data-options,
//                                their challenge bound to this flow and this browser — or the page
//                                the flow is at now
//   POST <path>  flow, response  checks the passkey's answer and hands it to the flow's own
//                                "proof accepted" → the next page, or this page saying why not
//
// A flow offers the way with one declaration (registerPasskeyStep): its path written out, who may
// use it, whether the options name the account's passkeys, and what happens after. Failures are
// answered by the same answerFailure/endStep as the code steps.
//
// Checking the answer (PasskeyAnswer.check) spends a try exactly like a typed code does
// (code-service checkWithoutSending: 5 per way and flow, the account's 24 h budget): a refused
// passkey is a wrong code, so guessing with borrowed credentials costs what guessing codes costs,
// and a flow whose account has no passkey (or none at all) answers the same after the same work.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formBody, shortText } from '../http/form-schema.ts';
import { h } from '../http/jsx.ts';
import { redirect, sendPage, textField } from '../http/replies.ts';
import type { Failure } from '../shared/failure.ts';
import type { MessageId } from '../shared/i18n.ts';
import { fail } from '../shared/failure.ts';
import { answerFailure, endStep, type FailureAnswers, type Shown } from '../verification/answer-failure.ts';
import type { Standing } from '../verification/code-step.ts';
import type { CodeBudget, CodeService, TryProblem } from '../verification/code-service.ts';
import { asAuthenticationResponse, MAX_RESPONSE_CHARS, parseResponseText } from './passkey-input.ts';
import type { PasskeyService, UserVerification } from './passkey-service.ts';
import { PasskeyStepPage, type PasskeyStepLinks } from './passkey-step-page.tsx';

type GoTo = { ok: true; goTo: string };

/** The flow a passkey answer is checked for; factors/factor-checks.ts FlowRef fits it. */
export interface PasskeyFlowRef {
  id: string;
  kind: string;
  subject: string;
  /** Whose passkey proves it; null when nobody's may (an unknown account in recovery). */
  accountId: string | null;
  budget?: CodeBudget;
}

/** A passkey's answer, not yet checked: the flow's service checks it inside its own flow rules. */
export interface PasskeyAnswer {
  /** Right only for a passkey of `ref.accountId`, signed for the challenge this browser got for this flow. */
  check(ref: PasskeyFlowRef): Promise<{ ok: true } | Failure<TryProblem>>;
}

/** What the step page needs of a flow standing at it. */
export interface PasskeyView extends PasskeyStepLinks {
  /** The account whose passkeys the options name; only where it is already known (after a password). */
  accountId?: string;
  notice?: string;
}

export interface PasskeyStep<Who> extends FailureAnswers {
  /** GET shows the step, POST checks the passkey's answer. */
  path: string;
  /** 'required' without a password; 'preferred' for a second step (issue 10). */
  userVerification: UserVerification;
  /**
   * True: the options list the account's passkeys and the challenge names the account (the password
   * was right, so who it is is known). False (recovery): discoverable-credential options with no
   * allowCredentials, the same for every account, so the page says nothing about which exist.
   */
  namesTheAccount: boolean;
  who(request: FastifyRequest, reply: FastifyReply): Who | null;
  standing(request: FastifyRequest, who: Who, flowId: string): Promise<Standing<PasskeyView>>;
  /** The flow's own "proof accepted": checks `answer` within its flow and moves on → the next page. */
  confirm(request: FastifyRequest, reply: FastifyReply, who: Who, flowId: string, answer: PasskeyAnswer): Promise<GoTo | Failure>;
}

export interface PasskeyWayDeps {
  passkeys: PasskeyService;
  codes: CodeService;
}

const flowOf = (source: unknown) => textField(source, 'flow') ?? '';

/** The words this way gives a refusal (a wrong code's status and budget, a passkey's words). */
const passkeyWords: Partial<Record<string, MessageId>> = {
  'code.invalid': 'passkey_step.not_accepted',
  'code.used_up': 'passkey_step.used_up',
  'passkey.response_invalid': 'passkey_step.response_invalid',
};

export function registerPasskeyStep<Who>(app: FastifyInstance, deps: PasskeyWayDeps, declared: PasskeyStep<Who>) {
  const { passkeys, codes } = deps;
  const step: PasskeyStep<Who> = { ...declared, wordsFor: (failure) => declared.wordsFor?.(failure) ?? passkeyWords[failure.code] };

  function answerFor(browserId: string, response: unknown): PasskeyAnswer {
    return {
      check: (ref) =>
        codes.checkWithoutSending({ flowId: ref.id, purpose: `${ref.kind}:passkey`, subject: ref.subject, budget: ref.budget }, async () => {
          const accountId = step.namesTheAccount ? (ref.accountId ?? undefined) : undefined;
          // The signature is checked for every flow, a real account's or not: the same work.
          const proof = await passkeys.verifyAuthentication({ browserId, flowId: ref.id, accountId, response, userVerification: step.userVerification });
          return proof.ok && ref.accountId !== null && proof.accountId === ref.accountId;
        }),
    };
  }

  async function show(request: FastifyRequest, reply: FastifyReply, who: Who, flowId: string, shown: Shown) {
    const standing = await step.standing(request, who, flowId);
    if (!standing.ok) return endStep(request, reply, standing, step);
    if ('goTo' in standing) return redirect(reply, standing.goTo);
    const view = standing.view;
    const { options } = await passkeys.authenticationOptions({
      browserId: request.ctx.browserId ?? '',
      flowId,
      accountId: step.namesTheAccount ? view.accountId : undefined,
      userVerification: step.userVerification,
    });
    const { status = 200, error, notice } = shown;
    const page = <PasskeyStepPage ctx={request.ctx} t={step.translate(request)} action={step.path} flowId={flowId} optionsJson={JSON.stringify(options)} {...view} error={error} notice={notice ?? view.notice} />;
    return sendPage(reply, page, status);
  }

  app.get(step.path, async (request, reply) => {
    const who = step.who(request, reply);
    if (who === null) return reply;
    return show(request, reply, who, flowOf(request.query), {});
  });

  app.post(step.path, { schema: { body: formBody({ flow: shortText(64), response: shortText(MAX_RESPONSE_CHARS) }) } }, async (request, reply) => {
    const who = step.who(request, reply);
    if (who === null) return reply;
    const flowId = flowOf(request.body);
    const response = parseResponseText(textField(request.body, 'response') ?? '');
    // An answer of the wrong shape is bad input, not a try: a 400 that spends and changes nothing.
    const confirmed = asAuthenticationResponse(response)
      ? await step.confirm(request, reply, who, flowId, answerFor(request.ctx.browserId ?? '', response))
      : fail('passkey.response_invalid');
    if (confirmed.ok) return redirect(reply, confirmed.goTo);
    return answerFailure(request, reply, confirmed, step, (shown) => show(request, reply, who, flowId, shown));
  });
}
