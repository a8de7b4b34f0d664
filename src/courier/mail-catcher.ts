// The development mail catcher: a real SMTP server on loopback that keeps what it receives in
// memory. Without SMTP_URL, Gatehouse starts one and points its ordinary SMTP sender at it, so a
// newcomer sees codes at /dev/mailbox at once and the delivery path is exactly production's. The
// test harness uses it as "the mail server" for the same reason.
//
// Not for production: it accepts any sender, any recipient and any credentials, and keeps codes
// in memory. It listens on 127.0.0.1 unless told otherwise.
import { randomUUID } from 'node:crypto';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createCaughtList } from './caught-list.ts';

export interface CaughtMessage {
  id: string;
  /** Envelope recipients, comma-separated (normally exactly one address). */
  to: string;
  /** The From header as written, e.g. `Store <no-reply@store.example>`. */
  from: string;
  subject: string;
  text: string;
  /** '' when the message had no HTML part. */
  html: string;
  /** The Message-ID header, angle brackets included; '' when there was none. */
  messageId: string;
  /** Every header line as it arrived (folded lines kept), for the mailbox's Headers tab. */
  headers: string[];
  receivedAt: Date;
}

export interface MailCatcher {
  /** The port actually bound (useful with port 0). */
  port: number;
  /** Newest first, at most the last 200. */
  messages(): CaughtMessage[];
  /** Resolves with the newest message (already caught or arriving later) that matches. */
  waitFor(predicate: (message: CaughtMessage) => boolean, timeoutMs?: number): Promise<CaughtMessage>;
  close(): Promise<void>;
}

export interface MailCatcherOptions {
  host?: string;
  port?: number;
}

const KEEP = 200;
const MAX_SIZE = 1024 * 1024;

function addressText(value: AddressObject | AddressObject[] | undefined): string {
  if (!value) return '';
  return (Array.isArray(value) ? value : [value]).map((a) => a.text).join(', ');
}

export async function startMailCatcher(options: MailCatcherOptions = {}): Promise<MailCatcher> {
  const host = options.host ?? '127.0.0.1';
  const caught = createCaughtList<CaughtMessage>(KEEP, 'the mail catcher');

  const server = new SMTPServer({
    // Loopback only, so plain text is fine; STARTTLS would only bring smtp-server's published
    // test certificate. AUTH is accepted (optional) so an SMTP_URL with credentials still works.
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'dev' });
    },
    size: MAX_SIZE,
    // The client is always a local process; a reverse DNS lookup per connection only adds latency
    // (and stalls on machines without a resolver).
    disableReverseLookup: true,
    logger: false,
    banner: 'Gatehouse development mail catcher',
    // Clients here always QUIT; do not keep a test run waiting 30 s for a stuck one on close.
    closeTimeout: 1000,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          if (stream.sizeExceeded) {
            callback(Object.assign(new Error('Message exceeds the 1 MB limit of the mail catcher'), { responseCode: 552 }));
            return;
          }
          const message: CaughtMessage = {
            id: randomUUID(),
            to: session.envelope.rcptTo.map((r) => r.address).join(', ') || addressText(parsed.to),
            from: addressText(parsed.from),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            messageId: parsed.messageId ?? '',
            headers: parsed.headerLines.map((header) => header.line),
            receivedAt: new Date(),
          };
          caught.add(message);
          callback();
        })
        .catch((error: unknown) => {
          // Drain what is left so the SMTP conversation can answer instead of hanging.
          stream.resume();
          callback(Object.assign(new Error(`Cannot parse message: ${(error as Error).message}`), { responseCode: 554 }));
        });
    },
  });

  const port = await new Promise<number>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      const address = server.server.address();
      resolve(typeof address === 'object' && address ? address.port : (options.port ?? 0));
    });
  });
  // After start-up a broken client connection must not bring the process down.
  server.on('error', () => {});

  return {
    port,
    messages: caught.messages,
    waitFor: caught.waitFor,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
