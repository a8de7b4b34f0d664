// The one piece of code that speaks to an SMS provider: Twilio's Messages API (2010-04-01), which
// many gateways copy. It is used the same way for Twilio itself (SMS_ACCOUNT_SID …) and for the
// built-in development catcher (sms-catcher.ts), so what developers and tests see is what
// production does. Node's own fetch: one form POST needs no SDK.

export interface OutgoingSms {
  /** E.164. */
  to: string;
  body: string;
}

export interface SmsSender {
  /** Resolves once the provider accepted the message; rejects with an SmsProviderError. */
  send(sms: OutgoingSms): Promise<{ providerId: string }>;
  /** Aborts requests in flight (shutdown). */
  close(): void;
}

export interface TwilioSmsSenderOptions {
  /** `https://api.twilio.com`, or a compatible gateway / the dev catcher (`http://127.0.0.1:…`). */
  baseUrl: string;
  accountSid: string;
  authToken: string;
  /** A sender number (E.164), an alphanumeric sender ID, or a Messaging Service SID (`MG…`). */
  from: string;
  timeoutMs?: number;
}

/**
 * A failed send, described for the outbox: `code` and `message` are built here from the status
 * and Twilio's numeric error code only. Twilio's own `message` quotes the number ("The 'To' number
 * +7912… is not a valid phone number"), so it is never kept. Shaped for describeDeliveryError.
 */
export class SmsProviderError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Retrying cannot help: the dispatcher parks the message at once. */
    readonly permanent: boolean,
    readonly status?: number,
    readonly providerCode?: number,
  ) {
    super(message);
    this.name = 'SmsProviderError';
  }
}

// A provider that does not answer within seconds is down for our purposes; the outbox's backoff
// does the waiting, and the message's lease (60 s by default) must outlast one attempt.
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * 5xx and 429 are the provider's trouble and pass. 401 is our configuration (a rotated token),
 * fixed for every message at once, so it is retried like an SMTP AUTH failure. Any other 4xx is
 * about this message (invalid or unreachable number, blocked region): it fails the same way every
 * time, and each retry may be billed.
 */
function isTemporaryStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408 || status === 401;
}

export function createTwilioSmsSender(options: TwilioSmsSenderOptions): SmsSender {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const url = `${options.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  // A Messaging Service picks the sender itself (number pools, per-country senders).
  const sender: Record<string, string> = /^MG[0-9a-f]{32}$/i.test(options.from) ? { MessagingServiceSid: options.from } : { From: options.from };
  const closing = new AbortController();

  return {
    async send(sms) {
      const form = new URLSearchParams({ To: sms.to, ...sender, Body: sms.body });
      // Our own timer, not AbortSignal.timeout() inside AbortSignal.any(): on Node 20 that timeout
      // signal can be garbage-collected before it fires (nodejs/node#57736), and a hanging
      // provider then holds the send until undici's own 300 s headers timeout.
      const attempt = new AbortController();
      const timer = setTimeout(() => attempt.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
      const signal = AbortSignal.any([attempt.signal, closing.signal]);
      let status: number;
      let text: string;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form.toString(),
          signal,
          redirect: 'error',
        });
        status = response.status;
        text = await response.text();
      } catch (error) {
        throw networkFailure(error, timeoutMs);
      } finally {
        clearTimeout(timer);
      }
      const json = parseJson(text);
      if (status >= 200 && status < 300) {
        // Accepted: even without a readable sid the message is on its way, and sending it again
        // would text the shopper twice.
        return { providerId: typeof json?.sid === 'string' ? json.sid : '' };
      }
      const providerCode = typeof json?.code === 'number' ? json.code : undefined;
      const detail = providerCode === undefined ? '' : `, Twilio error ${providerCode}`;
      throw new SmsProviderError('SMS_HTTP', `provider answered ${status}${detail}`, !isTemporaryStatus(status), status, providerCode);
    },
    close() {
      closing.abort();
    },
  };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

// fetch's own errors name the URL's parts at most, never the form; we still keep only the codes.
function networkFailure(error: unknown, timeoutMs: number): SmsProviderError {
  const name = (error as { name?: unknown })?.name;
  if (name === 'TimeoutError') return new SmsProviderError('ETIMEDOUT', `no answer from the SMS provider within ${timeoutMs} ms`, false);
  if (name === 'AbortError') return new SmsProviderError('EABORTED', 'sending stopped: the SMS sender was closed', false);
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : 'ENETWORK';
  return new SmsProviderError(code, 'cannot reach the SMS provider', false);
}
