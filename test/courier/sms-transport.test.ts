// The Twilio sender against a bare node:http server that records exactly what arrives, so the
// request format is checked independently of our own catcher; and how each kind of failure is
// classified for the outbox.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { describeDeliveryError } from '../../src/courier/delivery-errors.ts';
import { scrubSecrets } from '../../src/courier/mask.ts';
import { createTwilioSmsSender, SmsProviderError } from '../../src/courier/sms-transport.ts';
import { freePort } from '../harness/free-port.ts';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'f00dfeedf00dfeedf00dfeedf00dfeed';
const TO = '+79123456712';
const BODY = '123456 is your Test Store code. Valid 10 min. Never share it.';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Answer = (res: ServerResponse) => void;

async function provider(t: TestContext, answer: Answer) {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  return { requests, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const json = (status: number, body: object): Answer => (res) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const twilioError = (status: number, code: number, message: string) => json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

async function failureOf(promise: Promise<unknown>): Promise<SmsProviderError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SmsProviderError, String(error));
    return error;
  }
  throw new Error('expected the send to fail');
}

describe('Twilio SMS sender', () => {
  test('POSTs a form to /2010-04-01/Accounts/{sid}/Messages.json with Basic auth and To, From, Body', async (t) => {
    const server = await provider(t, json(201, { sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued' }));
    const sender = createTwilioSmsSender({ baseUrl: `${server.url}/`, accountSid: SID, authToken: TOKEN, from: '+15005550006' });
    assert.deepEqual(await sender.send({ to: TO, body: BODY }), { providerId: 'SM0123456789abcdef0123456789abcdef' });
    assert.equal(server.requests.length, 1);
    const [request] = server.requests;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, `/2010-04-01/Accounts/${SID}/Messages.json`);
    assert.equal(request.headers.authorization, `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`);
    assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
    const form = new URLSearchParams(request.body);
    assert.deepEqual([...form.keys()].sort(), ['Body', 'From', 'To']);
    assert.equal(form.get('To'), TO);
    assert.equal(form.get('From'), '+15005550006');
    assert.equal(form.get('Body'), BODY);
  });

  test('a Messaging Service SID (MG…) is sent as MessagingServiceSid instead of From', async (t) => {
    const server = await provider(t, json(201, { sid: 'SM1' }));
    const service = 'MG0123456789abcdef0123456789abcdef';
    const sender = createTwilioSmsSender({ baseUrl: server.url, accountSid: SID, authToken: TOKEN, from: service });
    await sender.send({ to: TO, body: 'Привет — 123456' });
    const form = new URLSearchParams(server.requests[0].body);
    assert.equal(form.get('MessagingServiceSid'), service);
    assert.equal(form.get('From'), null);
    assert.equal(form.get('Body'), 'Привет — 123456', 'UTF-8 survives the form encoding');
  });

  test('a permanent 400 is classified permanent with Twilio’s code, and without the number, body or code', async (t) => {
    // Twilio's real message quotes the number; none of it may survive.
    const server = await provider(t, twilioError(400, 21211, `The 'To' number ${TO} is not a valid phone number.`));
    const sender = createTwilioSmsSender({ baseUrl: server.url, accountSid: SID, authToken: TOKEN, from: '+15005550006' });
    const error = await failureOf(sender.send({ to: TO, body: BODY }));
    assert.equal(error.permanent, true);
    assert.equal(error.status, 400);
    assert.equal(error.providerCode, 21211);
    const described = describeDeliveryError(error, [TO]);
    assert.deepEqual(described, { description: 'SMS_HTTP: provider answered 400, Twilio error 21211', permanent: true });
    for (const secret of [TO, TO.slice(1), '123456', 'Test Store']) assert.ok(!described.description.includes(secret));
  });

  test('5xx and 429 from the provider are temporary', async (t) => {
    for (const [status, code] of [[500, 20500], [503, 20503], [429, 20429]]) {
      const server = await provider(t, twilioError(status, code, 'try later'));
      const sender = createTwilioSmsSender({ baseUrl: server.url, accountSid: SID, authToken: TOKEN, from: '+15005550006' });
      const error = await failureOf(sender.send({ to: TO, body: BODY }));
      assert.equal(error.permanent, false, `${status}`);
      assert.equal(describeDeliveryError(error).permanent, false, `${status}`);
    }
  });

  test('401 (wrong credentials) is retried like an SMTP AUTH failure: it is fixed for every message at once', async (t) => {
    const server = await provider(t, twilioError(401, 20003, 'Authenticate'));
    const sender = createTwilioSmsSender({ baseUrl: server.url, accountSid: SID, authToken: 'wrong', from: '+15005550006' });
    const error = await failureOf(sender.send({ to: TO, body: BODY }));
    assert.equal(error.permanent, false);
    assert.equal(describeDeliveryError(error).description, 'SMS_HTTP: provider answered 401, Twilio error 20003');
  });

  test('a provider that does not answer times out as a temporary failure', async (t) => {
    const server = await provider(t, () => {}); // never answers
    const sender = createTwilioSmsSender({ baseUrl: server.url, accountSid: SID, authToken: TOKEN, from: '+15005550006', timeoutMs: 200 });
    const started = Date.now();
    const error = await failureOf(sender.send({ to: TO, body: BODY }));
    assert.ok(Date.now() - started < 2000);
    assert.equal(error.code, 'ETIMEDOUT');
    assert.equal(error.permanent, false);
  });

  test('an unreachable provider is a temporary network failure', async () => {
    const sender = createTwilioSmsSender({ baseUrl: `http://127.0.0.1:${await freePort()}`, accountSid: SID, authToken: TOKEN, from: '+15005550006' });
    const error = await failureOf(sender.send({ to: TO, body: BODY }));
    assert.equal(error.code, 'ECONNREFUSED');
    assert.equal(error.permanent, false);
    assert.deepEqual(describeDeliveryError(error, [TO]), { description: 'ECONNREFUSED: cannot reach the SMS provider', permanent: false });
  });

  test('scrubSecrets replaces E.164 numbers a provider echoes in free text', () => {
    assert.equal(scrubSecrets(`The 'To' number ${TO} is not valid (error 21211)`), "The 'To' number [phone] is not valid (error 21211)");
  });

  test('close() aborts a send in flight', async (t) => {
    const server = await provider(t, () => {});
    const sender = createTwilioSmsSender({ baseUrl: server.url, accountSid: SID, authToken: TOKEN, from: '+15005550006', timeoutMs: 10_000 });
    const sending = failureOf(sender.send({ to: TO, body: BODY }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    sender.close();
    assert.equal((await sending).code, 'EABORTED');
  });
});
