// The verification step every flow shares (DESIGN.md §1 "Enter the verification code"):
//
//   GET  <path>?flow=ID           where the flow stands: this step's page, or the page it is at now
//   POST <path>      flow, code   confirm the typed code → the next page, or this page saying why not
//   POST <sendPath>  flow         send (again) under the cooldown and caps → this page, saying so
//
// Sign-up, recovery and Change password (email code, text, authenticator, backup code), two-step
// sign-in and phone set-up all register their steps here, each declaring only what differs: its
// paths (written out where it registers them), who may use it, where its flow stands and what its
// page looks like, what confirming and sending do. Reading the form, cleaning the typed code once
// (typed-code.ts), and answering each failure (answer-failure.ts) happen here for all of them.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formBody, shortText } from '../http/form-schema.ts';
import type { SafeHtml } from '../http/jsx.ts';
import { redirect, sendPage, textField } from '../http/replies.ts';
import type { Failure } from '../shared/failure.ts';
import { answerFailure, endStep, type FailureAnswers, type Shown } from './answer-failure.ts';
import type { EarlierCode } from './code-service.ts';
import { sentNoticeId, sentParam } from './code-notices.ts';
import { readTypedCode, type TypedCode } from './typed-code.ts';

/** Where a flow stands for this step: draw the step with `view`, or go to the page it is at now. */
export type Standing<View> = { ok: true; view: View } | GoTo | Failure;
type GoTo = { ok: true; goTo: string };

/** The flow stands at this step: draw it with `view`. */
export const drawStep = <View>(view: View): { ok: true; view: View } => ({ ok: true, view });
/** The flow stands elsewhere (or the step is done): go to that page. */
export const goTo = (path: string): GoTo => ({ ok: true, goTo: path });

export interface CodeStep<Who, View> extends FailureAnswers {
  /** GET shows the step, POST confirms a typed code. */
  path: string;
  /** POST sends a code (again); only for ways something can be sent for (email, text). */
  sendPath?: string;
  /** Who may take this step; null when they were already answered (sent to sign in, or to confirm it's them). */
  who(request: FastifyRequest, reply: FastifyReply): Who | null;
  /** Where the flow stands; read for every GET and every redraw, so no route decides it again. */
  standing(request: FastifyRequest, who: Who, flowId: string): Promise<Standing<View>>;
  draw(request: FastifyRequest, view: View, flowId: string, shown: Shown): SafeHtml;
  /** Checks the code; right → the page to go to next (and whatever the flow does, e.g. a session). */
  confirm(request: FastifyRequest, reply: FastifyReply, who: Who, flowId: string, code: TypedCode): Promise<GoTo | Failure>;
  send?(request: FastifyRequest, who: Who, flowId: string): Promise<{ ok: true; earlier?: EarlierCode } | Failure>;
  /** A notice of the flow's own for a GET (e.g. "the email code is done"), when no send is announced. */
  noticeFor?(request: FastifyRequest): string | undefined;
}

const flowOf = (source: unknown) => textField(source, 'flow') ?? '';

/**
 * After a send, the step's page says what happened: a new code replacing one (`sent=1`), the code
 * sent a moment ago moved here, or nothing new yet. The first text of a flow is announced by the
 * page itself (the form posts `first=1`), so it gets no "we sent a new code".
 */
function afterSendPath(path: string, flowId: string, earlier: EarlierCode | undefined, first: boolean) {
  return `${path}?flow=${flowId}${earlier ? sentParam(earlier) : first ? '' : '&sent=1'}`;
}

export function registerCodeStep<Who, View>(app: FastifyInstance, step: CodeStep<Who, View>) {
  async function show(request: FastifyRequest, reply: FastifyReply, who: Who, flowId: string, shown: Shown) {
    const standing = await step.standing(request, who, flowId);
    if (!standing.ok) return endStep(request, reply, standing, step);
    if ('goTo' in standing) return redirect(reply, standing.goTo);
    return sendPage(reply, step.draw(request, standing.view, flowId, shown), shown.status ?? 200);
  }

  app.get(step.path, async (request, reply) => {
    const who = step.who(request, reply);
    if (who === null) return reply;
    const sent = sentNoticeId(request.query);
    const notice = sent ? step.translate(request)(sent) : step.noticeFor?.(request);
    return show(request, reply, who, flowOf(request.query), { notice });
  });

  app.post(step.path, { schema: { body: formBody({ flow: shortText(64), code: shortText(64) }) } }, async (request, reply) => {
    const who = step.who(request, reply);
    if (who === null) return reply;
    const flowId = flowOf(request.body);
    // An empty field is answered like a wrong code, after the flow itself is checked (by the redraw).
    const typed = readTypedCode(textField(request.body, 'code'));
    const confirmed = typed.ok ? await step.confirm(request, reply, who, flowId, typed.code) : typed;
    if (confirmed.ok) return redirect(reply, confirmed.goTo);
    return answerFailure(request, reply, confirmed, step, (shown) => show(request, reply, who, flowId, shown));
  });

  const { sendPath, send } = step;
  if (!sendPath || !send) return;
  app.post(sendPath, { schema: { body: formBody({ flow: shortText(64), first: shortText(1) }, ['first']) } }, async (request, reply) => {
    const who = step.who(request, reply);
    if (who === null) return reply;
    const flowId = flowOf(request.body);
    const sent = await send(request, who, flowId);
    if (sent.ok) return redirect(reply, afterSendPath(step.path, flowId, sent.earlier, !!textField(request.body, 'first')));
    return answerFailure(request, reply, sent, step, (shown) => show(request, reply, who, flowId, shown), 'resendError');
  });
}
