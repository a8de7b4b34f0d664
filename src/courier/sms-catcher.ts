// The development SMS catcher: a real HTTP server on loopback that answers like Twilio's Messages
// API and keeps what it receives in memory. Without SMS_ACCOUNT_SID, Gatehouse starts one and
// points its ordinary Twilio sender at it, so codes show at /dev/mailbox and the delivery path
// (form POST, Basic auth, JSON answer, error classification) is exactly production's. Tests use
// it as "the provider", and make it fail on purpose with failNext().
//
// Not for production: it keeps codes in memory. It listens on 127.0.0.1 unless told otherwise.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constantTimeEqual } from '../shared/secrets.ts';
import { createCaughtList } from './caught-list.ts';

export interface CaughtSms {
  /** The `SM…` sid the catcher answered with. */
  id: string;
  to: string;
  /** From, or the Messaging Service SID when one was used instead. */
  from: string;
  body: string;
  receivedAt: Date;
}

/** What the next requests get instead of being caught. */
export type SmsFault = { status: number; code?: number } | { hang: true };

export interface SmsCatcher {
  port: number;
  /** `http://127.0.0.1:<port>`: the base URL for createTwilioSmsSender. */
  url: string;
  accountSid: string;
  authToken: string;
  /** Newest first, at most the last 200. */
  messages(): CaughtSms[];
  /** Resolves with the newest message (already caught or arriving later) that matches. */
  waitFor(predicate: (message: CaughtSms) => boolean, timeoutMs?: number): Promise<CaughtSms>;
  /** The next `count` requests fail as described (after the fault, requests are caught again). */
  failNext(count: number, fault: SmsFault): void;
  close(): Promise<void>;
}

export interface SmsCatcherOptions {
  host?: string;
  port?: number;
  /** Random when not given. */
  accountSid?: string;
  authToken?: string;
}

const KEEP = 200;
const MAX_BODY = 64 * 1024;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

// Twilio's error shape: { code, message, more_info, status }.
function twilioError(res: ServerResponse, status: number, code: number, message: string) {
  sendJson(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

function sendJson(res: ServerResponse, status: number, body: object) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startSmsCatcher(options: SmsCatcherOptions = {}): Promise<SmsCatcher> {
  const host = options.host ?? '127.0.0.1';
  const accountSid = options.accountSid ?? `AC${hex(16)}`;
  const authToken = options.authToken ?? hex(16);
  const path = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
  const expectedAuthorization = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const caught = createCaughtList<CaughtSms>(KEEP, 'the SMS catcher');
  const faults: SmsFault[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const fault = faults.shift();
    if (fault && 'hang' in fault) return; // never answered: the sender's timeout must end it
    if (fault) return twilioError(res, fault.status, fault.code ?? 20500, 'Injected failure');
    if (!constantTimeEqual(req.headers.authorization ?? '', expectedAuthorization)) return twilioError(res, 401, 20003, 'Authenticate');
    if (req.url !== path) return twilioError(res, 404, 20404, 'The requested resource was not found');
    if (req.method !== 'POST') return twilioError(res, 405, 20004, 'Method not allowed');
    const raw = await readBody(req);
    if (raw === null) return twilioError(res, 413, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    const form = new URLSearchParams(raw);
    const to = form.get('To') ?? '';
    const body = form.get('Body') ?? '';
    const from = form.get('From') || form.get('MessagingServiceSid') || '';
    if (!to) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
    if (!from) return twilioError(res, 400, 21603, "A 'From' phone number is required.");
    if (!body) return twilioError(res, 400, 21602, 'Message body is required.');
    const message: CaughtSms = { id: `SM${hex(16)}`, to, from, body, receivedAt: new Date() };
    caught.add(message);
    sendJson(res, 201, {
      sid: message.id,
      account_sid: accountSid,
      to,
      from: form.get('From'),
      messaging_service_sid: form.get('MessagingServiceSid'),
      body,
      status: 'queued',
      direction: 'outbound-api',
      api_version: '2010-04-01',
      date_created: message.receivedAt.toUTCString(),
      error_code: null,
      error_message: null,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${message.id}.json`,
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) twilioError(res, 500, 20500, 'Internal Server Error');
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });

  return {
    port,
    url: `http://${host}:${port}`,
    accountSid,
    authToken,
    messages: caught.messages,
    waitFor: caught.waitFor,
    failNext(count, fault) {
      for (let i = 0; i < count; i++) faults.push(fault);
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets from fetch, and requests left hanging on purpose, would hold close().
        server.closeAllConnections();
      });
    },
  };
}
