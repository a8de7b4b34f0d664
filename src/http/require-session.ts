// Pages under My account need a signed-in browser; without one, sign in and come back here.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SignedIn } from './request-context.ts';
import { redirect } from './replies.ts';

export function requireSession(request: FastifyRequest, reply: FastifyReply): SignedIn | null {
  const session = request.ctx.session;
  if (!session) {
    const back = request.method === 'GET' ? request.url : '/account';
    void redirect(reply, `/login?return_to=${encodeURIComponent(back)}`);
    return null;
  }
  return session;
}
