// One rule for every piece of text a request carries — form and JSON fields (and their names),
// query strings and path parameters: no control characters and no broken Unicode. No field of
// ours holds one legitimately (every field is a single-line <input>), PostgreSQL cannot store a
// NUL at all (a 500 deep inside a flow), and invisible characters are how look-alike input is
// built. Checked in one hook before the route's schema, so no route can forget it.
import type { FastifyInstance } from 'fastify';
import { RequestProblem } from './request-problem.ts';

// C0 controls (NUL…US, including tab and line breaks), DEL, and the C1 controls. Passwords are
// held to it as well: a password <input> cannot carry them (browsers strip line breaks and Tab
// moves the focus), so one in a password was never typed by a person, and refusing it up front
// keeps a password that could never be typed again from being set. \p{Cs} with the u flag
// matches only a lone surrogate (JSON's "\ud800"), which no UTF-8 encoder can store faithfully.
const NOT_PLAIN = /[\u0000-\u001f\u007f-\u009f]|\p{Cs}/u;

/** True for text a person could have typed: no control character, no lone UTF-16 surrogate. */
export function isPlainText(text: string): boolean {
  return !NOT_PLAIN.test(text);
}

/** Walks a parsed body, query or params object; the depth cap keeps a hostile nesting cheap. */
function holdsOnlyPlainText(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return isPlainText(value);
  if (value === null || typeof value !== 'object') return true;
  if (depth > 32) return false;
  if (Array.isArray(value)) return value.every((item) => holdsOnlyPlainText(item, depth + 1));
  for (const [name, item] of Object.entries(value)) {
    if (!isPlainText(name) || !holdsOnlyPlainText(item, depth + 1)) return false;
  }
  return true;
}

export function registerPlainTextGuard(app: FastifyInstance) {
  app.addHook('preValidation', (request, _reply, done) => {
    const plain = holdsOnlyPlainText(request.body) && holdsOnlyPlainText(request.query) && holdsOnlyPlainText(request.params);
    done(plain ? undefined : new RequestProblem('request.control_character'));
  });
}
