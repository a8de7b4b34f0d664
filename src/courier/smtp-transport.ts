// The one piece of code that speaks SMTP for Gatehouse. It is used the same way for a real mail
// provider (SMTP_URL) and for the built-in development catcher, so what developers and tests see
// is what production does.
import type { Transporter } from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** `<id@host>`, the same on every attempt of one outbox message (dispatcher.ts). */
  messageId?: string;
}

export interface MailSender {
  /** Resolves once the server accepted the message; rejects with the SMTP or network error. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export interface SmtpSenderOptions {
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://host:465 (TLS from the start). */
  url: string;
  /** The From header, e.g. `Store <no-reply@store.example>`. */
  from: string;
  /** Overrides the connection, greeting and idle timeouts (ms); tests shorten them. */
  timeoutMs?: number;
}

// nodemailer's defaults wait up to 2 minutes to connect and 10 minutes on an idle socket. A dead
// or black-holed server would then hold the dispatcher (and the message's lease) for minutes;
// failing within seconds lets the outbox's backoff do the waiting instead.
const DEFAULT_TIMEOUT_MS = 10_000;

export function createSmtpSender(options: SmtpSenderOptions): MailSender {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // nodemailer (about 14 MiB of a process's memory) is loaded by the first send: a node that
  // never delivers (RUN_DISPATCHER=false, the CLI's admin commands) never loads it.
  const openTransport = async (): Promise<Transporter> => {
    const { default: nodemailer } = await import('nodemailer');
    return nodemailer.createTransport({
      url: options.url,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      dnsTimeout: timeout,
      // No pool: one connection per message. Codes are sent one at a time, rarely in bursts, and a
      // fresh connection never trips over a pooled socket the server silently dropped.
      pool: false,
      // The SMTP conversation would otherwise be logged by nodemailer with the recipient in it.
      logger: false,
      debug: false,
    });
  };
  let transport: Promise<Transporter> | undefined;
  const transportNow = () =>
    (transport ??= openTransport().catch((error: unknown) => {
      transport = undefined; // the next send tries again
      throw error;
    }));

  return {
    async send(mail) {
      await (await transportNow()).sendMail({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        // Without one nodemailer makes a fresh Message-ID per attempt, and a message sent twice
        // (a crash between the server's 250 and our bookkeeping) would look like two messages.
        ...(mail.messageId ? { messageId: mail.messageId } : {}),
        headers: {
          // RFC 3834: tells vacation responders and mailing-list software not to answer.
          'Auto-Submitted': 'auto-generated',
        },
      });
    },
    close() {
      void transport?.then((opened) => opened.close());
    },
  };
}
