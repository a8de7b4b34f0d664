// Recovery with a text message and the authenticator across two Gatehouse processes on one
// PostgreSQL (DESIGN.md §5): started on node A, the text sent from node B, its code and the
// authenticator code confirmed on A, the new password set on B. Flows, codes, attempt slots and
// the authenticator's last used step all live in the database, so any node can take any step.
// Both nodes text through one stand-in for Twilio (the SMS catcher, run here as the provider).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { testDialects } from '../harness/databases.ts';
import { addShopper, startCluster, type Cluster } from '../harness/cluster.ts';
import { createClient, type Client } from '../harness/http-client.ts';
import { startSmsCatcher, type SmsCatcher } from '../../src/courier/sms-catcher.ts';
import { flowIdFrom } from '../security/kit.ts';
import { NEW_PASSWORD } from '../recovery/recovery-kit.ts';
import { oathtool, phoneNo } from './factors-kit.ts';

const PASSWORD = 'quartz meadow lantern 58';
const EMAIL = 'two.nodes.ways@example.com';
const PHONE = phoneNo(77);

if (testDialects.includes('postgres')) {
  let cluster: Cluster;
  let sms: SmsCatcher;
  let a = '';
  let b = '';

  before(async () => {
    sms = await startSmsCatcher({ host: '127.0.0.1', port: 0 });
    // The nodes inherit this process's environment: both text through this one provider.
    Object.assign(process.env, { SMS_ACCOUNT_SID: sms.accountSid, SMS_AUTH_TOKEN: sms.authToken, SMS_FROM: '+15005550006', SMS_PROVIDER_URL: sms.url });
    cluster = await startCluster(2);
    [a, b] = cluster.urls as [string, string];
    await addShopper(cluster, { email: EMAIL, password: PASSWORD });
  });

  after(async () => {
    await cluster?.close();
    await sms?.close();
  });

  /** The code of the newest text to PHONE sent after `since`. */
  async function textedCode(since: Date): Promise<string> {
    const message = await sms.waitFor((m) => m.to === PHONE && m.receivedAt >= since, 10_000);
    return /^(\d{6})\b/.exec(message.body)![1]!;
  }

  /** A phone (set on A, confirmed on B) and an authenticator (set on B) through My account → Security. */
  async function setUpFactors(owner: Client): Promise<string> {
    await owner.get(`${a}/login`);
    assert.equal((await owner.post(`${a}/login`, { identifier: EMAIL, password: PASSWORD })).status, 303);
    await owner.get(`${a}/account/security/phone`);
    const since = new Date();
    const phone = await owner.post(`${a}/account/security/phone`, { phone: PHONE });
    assert.equal(phone.status, 303, `the number is accepted (${phone.status})`);
    const confirmed = await owner.post(`${b}/account/security/phone/code`, { flow: flowIdFrom(phone.location), code: await textedCode(since) });
    assert.equal(confirmed.location, '/account/security?saved=phone');

    const started = await owner.post(`${b}/account/security/authenticator/start`, {});
    assert.equal(started.status, 303);
    const secret = /data-totp-secret="([A-Z2-7]+)"/.exec((await owner.get(`${b}${started.location}`)).text)![1]!;
    // Enrol with the previous step's code (accepted for clock drift), so the current step is
    // still unused for recovery; keep clear of a step boundary.
    if (Date.now() % 30_000 > 27_000) await sleep(30_000 - (Date.now() % 30_000) + 200);
    const enrolled = await owner.post(`${b}/account/security/authenticator`, { flow: flowIdFrom(started.location), code: oathtool(secret, Date.now() - 30_000) });
    assert.equal(enrolled.status, 200, `the authenticator is on (${enrolled.status})`);
    return secret;
  }

  test('two nodes: recovery started on A, text sent on B, text code and authenticator confirmed on A, new password set on B', async () => {
    const secret = await setUpFactors(createClient(a));

    const browser = createClient(a); // every node's PUBLIC_URL is A, so forms carry Origin A
    await browser.get(`${a}/recovery`);
    const started = await browser.post(`${a}/recovery`, { identifier: EMAIL });
    assert.equal(started.status, 303);
    const flow = flowIdFrom(started.location);

    assert.equal((await browser.get(`${b}/recovery/other-ways?flow=${flow}`)).status, 200, 'the Other ways page renders on B');
    const since = new Date();
    const sent = await browser.post(`${b}/recovery/sms/send`, { flow });
    assert.equal(sent.status, 303, 'the text is sent from B');
    assert.equal(sent.location, `/recovery/sms?flow=${flow}&sent=1`);
    const tooSoon = await browser.post(`${a}/recovery/sms/send`, { flow });
    assert.equal(tooSoon.status, 429, 'A knows B just sent one');

    const text = await browser.post(`${a}/recovery/sms`, { flow, code: await textedCode(since) });
    assert.equal(text.status, 303, 'the text code is accepted on A');
    assert.equal(text.location, `/recovery/authenticator?flow=${flow}&then=1`);
    assert.equal((await browser.get(`${b}/recovery/password?flow=${flow}`)).status, 303, 'B does not offer the new password yet');

    if (Date.now() % 30_000 > 28_000) await sleep(30_000 - (Date.now() % 30_000) + 200);
    const totp = await browser.post(`${a}/recovery/authenticator`, { flow, code: oathtool(secret, Date.now()) });
    assert.equal(totp.status, 303, `the authenticator code is accepted on A (${totp.status})`);
    assert.equal(totp.location, `/recovery/password?flow=${flow}`);

    assert.equal((await browser.get(`${b}/recovery/password?flow=${flow}`)).status, 200, 'the new-password form renders on B');
    const done = await browser.post(`${b}/recovery/password`, { flow, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD, sign_out_others: '1' });
    assert.equal(done.status, 303, 'the new password is set on B');
    assert.equal((await browser.post(`${a}/recovery/password`, { flow, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD })).status, 409, 'A knows the flow is completed');

    const shopper = createClient(a);
    await shopper.get(`${a}/login`);
    assert.equal((await shopper.post(`${a}/login`, { identifier: EMAIL, password: PASSWORD })).status, 401, 'the old password fails');
    assert.equal((await shopper.post(`${a}/login`, { identifier: EMAIL, password: NEW_PASSWORD })).status, 303, 'the new one signs in on A');
  });
}
