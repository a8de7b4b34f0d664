// One answer for every expected failure of a step, in every flow:
//
//   - a problem with the flow itself (unknown, expired, finished, someone else's) or with who is
//     asking ("Confirm it's you" first) ends the step: its own page, or the redirect to confirm;
//   - anything else (a wrong code, too soon, a cap) is said at the field or button it is about, on
//     the same page drawn again with the failure's status and, for a wait, its Retry-After.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../http/error-handler.tsx';
import { statusFor } from '../http/error-statuses.ts';
import { redirect, waitText } from '../http/replies.ts';
import type { Failure, FailureCode } from '../shared/failure.ts';
import type { Catalog, MessageId, Translate } from '../shared/i18n.ts';

/** Where the words go when the page is drawn again. */
export interface Shown {
  /** At the code field: the confirm was refused. */
  error?: string;
  /** Beside the send button: the send was refused. */
  resendError?: string;
  notice?: string;
  status?: number;
}

export interface FailureAnswers {
  translate: (request: FastifyRequest) => Translate;
  /** Codes besides `flow.*` and `reverify.required` that end the step with a page of their own. */
  pageProblems?: readonly FailureCode[];
  /** Catalogs that word those page problems (the common one is always there). */
  problemCatalogs?: Catalog[];
  /** Where "Confirm it's you" brings the shopper back; without it, the page asked for (GET) or My account. */
  reverifyReturnTo?: string;
  /** The message id for a failure where this step words it otherwise (a used-up authenticator code). */
  wordsFor?: (failure: Failure) => MessageId | undefined;
}

export function endsTheStep(code: FailureCode, answers: Pick<FailureAnswers, 'pageProblems'>): boolean {
  return code.startsWith('flow.') || code.startsWith('request.') || code === 'reverify.required' || (answers.pageProblems ?? []).includes(code);
}

/** Ends the step: "Confirm it's you" first, or the problem's own page. */
export function endStep(request: FastifyRequest, reply: FastifyReply, failure: Failure, answers: FailureAnswers) {
  if (failure.code === 'reverify.required' && answers.reverifyReturnTo) return redirect(reply, `/account/confirm?return_to=${encodeURIComponent(answers.reverifyReturnTo)}`);
  return sendProblem(request, reply, failure.code, { catalogs: answers.problemCatalogs, returnTo: answers.reverifyReturnTo });
}

export function answerFailure(
  request: FastifyRequest,
  reply: FastifyReply,
  failure: Failure,
  answers: FailureAnswers,
  redraw: (shown: Shown) => unknown,
  at: 'error' | 'resendError' = 'error',
) {
  if (endsTheStep(failure.code, answers)) return endStep(request, reply, failure, answers);
  if (failure.retryAfterSeconds) reply.header('retry-after', String(failure.retryAfterSeconds));
  const words = answers.translate(request)(answers.wordsFor?.(failure) ?? failure.code, { wait: waitText(failure.retryAfterSeconds, request.ctx.locale) });
  return redraw({ [at]: words, status: statusFor(failure.code) });
}
