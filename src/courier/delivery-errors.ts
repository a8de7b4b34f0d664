// What the dispatcher records and logs about a failed delivery. Errors from nodemailer carry the
// server's reply, and servers like to echo the recipient ("550 <ann@example.com>: no such user");
// nodemailer's own messages quote the address ("Invalid recipient \"ann@…\""). So we keep the
// structured parts (error code, SMTP command, reply code) and scrub whatever free text remains.
// SMS failures arrive as SmsProviderError (sms-transport.ts), already reduced to a code, a fixed
// message and `permanent`, and take the same path as any other error with those fields.
import { scrubSecrets } from './mask.ts';

export interface DeliveryFailure {
  /** Short, safe to store in `outbox.last_error` and to log. */
  description: string;
  /** Retrying cannot help: park at once instead of hammering the server eight times. */
  permanent: boolean;
}

interface SmtpErrorShape {
  code?: unknown;
  command?: unknown;
  responseCode?: unknown;
  response?: unknown;
  permanent?: unknown;
  message?: unknown;
}

const MAX_LENGTH = 200;

/**
 * @param hide exact strings that must not appear (the recipient, the code), removed before the
 *             generic scrubbing in case they do not look like an address or a code.
 */
export function describeDeliveryError(error: unknown, hide: string[] = []): DeliveryFailure {
  const err = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SmtpErrorShape;
  const code = typeof err.code === 'string' ? err.code : undefined;
  const command = typeof err.command === 'string' ? err.command : undefined;
  const responseCode = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  const response = typeof err.response === 'string' ? err.response : '';
  const enhanced = response.match(/\b[245]\.\d{1,3}\.\d{1,3}\b/)?.[0];

  let description: string;
  if (responseCode !== undefined) {
    // The reply text is the part most likely to contain the address; the codes say enough
    // ("RCPT TO 550 5.1.1" = unknown mailbox, "DATA 552" = too big / rejected as spam).
    description = ['SMTP', code, command, String(responseCode), enhanced].filter(Boolean).join(' ');
  } else {
    const message = typeof err.message === 'string' ? err.message : 'unknown error';
    description = [code, redact(message, hide)].filter(Boolean).join(': ');
  }

  return { description: scrubSecrets(redact(description, hide)).slice(0, MAX_LENGTH), permanent: isPermanent(err, code, command, responseCode) };
}

function redact(text: string, hide: string[]): string {
  let out = text;
  for (const secret of hide) {
    if (secret.length >= 3) out = out.split(secret).join('[redacted]');
  }
  return out;
}

// A 5xx reply to RCPT TO or DATA is about this message (unknown mailbox, content refused): it
// will fail the same way every time. A 5xx to MAIL FROM or AUTH, or a network error, is about our
// configuration or the server's health and will be fixed for all messages at once — retry those.
function isPermanent(err: SmtpErrorShape, code?: string, command?: string, responseCode?: number): boolean {
  if (err.permanent === true && !('responseCode' in err)) return true; // our own TemplateDataError and the like
  if (code === 'EENVELOPE' && command === 'API') return true; // nodemailer refused the address itself
  return responseCode !== undefined && responseCode >= 500 && (command === 'RCPT TO' || command === 'DATA');
}
