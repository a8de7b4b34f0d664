// The development SMS catcher answers like Twilio: the same path, Basic auth, form fields, 201
// with an SM… sid, and Twilio-shaped errors; it keeps the last 200 texts, newest first.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startSmsCatcher, type SmsCatcher } from '../../src/courier/sms-catcher.ts';
import { smsSenderFor } from './courier-kit.ts';

async function post(catcher: SmsCatcher, form: Record<string, string>, options: { auth?: string; path?: string } = {}) {
  const path = options.path ?? `/2010-04-01/Accounts/${catcher.accountSid}/Messages.json`;
  const auth = options.auth ?? `${catcher.accountSid}:${catcher.authToken}`;
  const response = await fetch(`${catcher.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('SMS catcher', () => {
  test('answers 201 with a Twilio-like message resource and keeps the text', async (t) => {
    const catcher = await startSmsCatcher();
    t.after(() => catcher.close());
    assert.match(catcher.accountSid, /^AC[0-9a-f]{32}$/, 'random credentials by default');
    const { status, json } = await post(catcher, { To: '+79123456712', From: '+15005550006', Body: 'hello' });
    assert.equal(status, 201);
    assert.match(String(json.sid), /^SM[0-9a-f]{32}$/);
    assert.equal(json.status, 'queued');
    assert.equal(json.account_sid, catcher.accountSid);
    assert.deepEqual(catcher.messages().map((m) => [m.id, m.to, m.from, m.body]), [[json.sid, '+79123456712', '+15005550006', 'hello']]);
  });

  test('wrong credentials get 401 with Twilio error 20003; missing To or Body get 400', async (t) => {
    const catcher = await startSmsCatcher({ accountSid: 'ACtest', authToken: 'secret' });
    t.after(() => catcher.close());
    const bad = await post(catcher, { To: '+79123456712', From: 'Shop', Body: 'x' }, { auth: 'ACtest:wrong' });
    assert.equal(bad.status, 401);
    assert.deepEqual({ code: bad.json.code, status: bad.json.status }, { code: 20003, status: 401 });
    assert.equal(typeof bad.json.message, 'string');
    const noTo = await post(catcher, { From: 'Shop', Body: 'x' });
    assert.deepEqual([noTo.status, noTo.json.code], [400, 21604]);
    const noBody = await post(catcher, { To: '+79123456712', From: 'Shop' });
    assert.deepEqual([noBody.status, noBody.json.code], [400, 21602]);
    const otherAccount = await post(catcher, { To: '+79123456712', From: 'Shop', Body: 'x' }, { path: '/2010-04-01/Accounts/ACother/Messages.json' });
    assert.equal(otherAccount.status, 404);
    assert.equal(catcher.messages().length, 0);
  });

  test('keeps the last 200 texts, newest first, and waitFor sees texts that arrive later', async (t) => {
    const catcher = await startSmsCatcher();
    t.after(() => catcher.close());
    const sender = smsSenderFor(catcher);
    const later = catcher.waitFor((m) => m.body === 'text 204', 5000);
    for (let i = 0; i < 205; i++) await sender.send({ to: '+79123456712', body: `text ${i}` });
    assert.equal((await later).body, 'text 204');
    const kept = catcher.messages();
    assert.equal(kept.length, 200);
    assert.equal(kept[0].body, 'text 204');
    assert.equal(kept[199].body, 'text 5');
    await assert.rejects(catcher.waitFor((m) => m.body === 'never', 50), /within 50 ms/);
  });

  test('failNext injects the given number of failures, then texts are caught again', async (t) => {
    const catcher = await startSmsCatcher();
    t.after(() => catcher.close());
    const sender = smsSenderFor(catcher, 200);
    catcher.failNext(1, { status: 503 });
    catcher.failNext(1, { hang: true });
    await assert.rejects(sender.send({ to: '+79123456712', body: 'a' }), (error: Error & { status?: number }) => error.status === 503);
    await assert.rejects(sender.send({ to: '+79123456712', body: 'b' }), (error: Error & { code?: string }) => error.code === 'ETIMEDOUT');
    await sender.send({ to: '+79123456712', body: 'c' });
    assert.deepEqual(catcher.messages().map((m) => m.body), ['c']);
  });

  test('close() ends even with a request left hanging', async () => {
    const catcher = await startSmsCatcher();
    catcher.failNext(1, { hang: true });
    const sending = smsSenderFor(catcher, 5000).send({ to: '+79123456712', body: 'x' }).catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await catcher.close();
    assert.ok((await sending) instanceof Error);
  });
});
