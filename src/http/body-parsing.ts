// Strict body parsers. Bytes that are not UTF-8 are refused (400) instead of being silently
// turned into U+FFFD, and a field sent twice stays an array so the schema refuses it.
import type { FastifyInstance } from 'fastify';
import { RequestProblem } from './request-problem.ts';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(body: Buffer): string {
  try {
    return strictUtf8.decode(body);
  } catch {
    throw new RequestProblem('request.malformed');
  }
}

function decodeFormComponent(text: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new RequestProblem('request.malformed'); // %-escapes that are not UTF-8
  }
  // NUL and other control characters are refused for every field by plain-text-guard.ts.
  return decoded;
}

export function parseUrlEncoded(text: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = Object.create(null);
  if (text === '') return fields;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeFormComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = decodeFormComponent(eq === -1 ? '' : pair.slice(eq + 1));
    const existing = fields[name];
    if (existing === undefined) fields[name] = value;
    else fields[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return fields;
}

export function registerBodyParsers(app: FastifyInstance) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseUrlEncoded(decodeUtf8(body as Buffer)));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      // Pages take plain forms only; JSON is for the /api/ routes.
      if (!request.url.startsWith('/api/')) throw new RequestProblem('request.unsupported_type');
      const text = decodeUtf8(body as Buffer);
      done(null, text.trim() === '' ? {} : JSON.parse(text));
    } catch (error) {
      done(error instanceof RequestProblem ? error : new RequestProblem('request.malformed'), undefined);
    }
  });
}
