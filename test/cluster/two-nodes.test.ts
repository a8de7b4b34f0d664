// Two Gatehouse processes on one PostgreSQL, as behind a load balancer: every step of sign-up,
// sign-in and password recovery may land on either node (DESIGN.md §5).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { startCluster, type Cluster } from '../harness/cluster.ts';
import { createClient } from '../harness/http-client.ts';
import { codeIn } from '../harness/test-app.ts';
import type { MailCatcher } from '../../src/courier/mail-catcher.ts';

const PASSWORD = 'plum orbit velvet canyon 42';

if (testDialects.includes('postgres')) {
  let cluster: Cluster;
  let mail: MailCatcher;
  let urls: string[] = [];

  before(async () => {
    cluster = await startCluster(2);
    ({ mail, urls } = cluster);
  });

  after(() => cluster.close());

  test('two nodes on one PostgreSQL: sign-up started on one is confirmed on the other, and each sees the other’s sessions', async () => {
    const [a, b] = urls as [string, string];
    const browser = createClient(a);
    await browser.get(`${a}/register`);
    const since = new Date();
    const started = await browser.post(`${a}/register`, { email: 'two.nodes@example.com', login_name: '', password: PASSWORD, password_confirmation: PASSWORD });
    assert.equal(started.status, 303);
    const flow = new URL(started.location!, a).searchParams.get('flow')!;

    // The code page renders on node B (the flow row is the truth, not node A's memory).
    const codePage = await browser.get(`${b}/register/code?flow=${flow}`);
    assert.equal(codePage.status, 200);
    const message = await mail.waitFor((m) => m.to.includes('two.nodes@example.com') && m.receivedAt >= since, 10_000);
    const confirmed = await browser.post(`${b}/register/code`, { flow, code: codeIn(message) });
    assert.equal(confirmed.status, 303);

    // The session created on B is honoured on A.
    const onA = await browser.get(`${a}/api/v1/whoami`);
    assert.equal(onA.status, 200);
    assert.equal(JSON.parse(onA.text).account.email, 'two.nodes@example.com');

    // Sign out on A, sign in on B, the account page renders on A.
    await browser.get(`${a}/account`);
    assert.equal((await browser.post(`${a}/logout`, {})).status, 303);
    assert.equal((await browser.get(`${b}/api/v1/whoami`)).status, 401);
    await browser.get(`${b}/login`);
    const signedIn = await browser.post(`${b}/login`, { identifier: 'two.nodes@example.com', password: PASSWORD });
    assert.equal(signedIn.status, 303);
    const account = await browser.get(`${a}/account`);
    assert.equal(account.status, 200);
    assert.match(account.text, /two\.nodes@example\.com/);
  });

  test('two nodes on one PostgreSQL: recovery started on A, code entered on B, new password set on A, signed in with it on B', async () => {
    const [a, b] = urls as [string, string];
    const email = 'recovering.nodes@example.com';
    const recovered = 'saffron ledger pinwheel 77';
    // An account of its own, made on B and confirmed on A.
    const owner = createClient(a); // every node is PUBLIC_URL = A, so forms carry Origin A
    await owner.get(`${b}/register`);
    let since = new Date();
    const signUp = await owner.post(`${b}/register`, { email, login_name: 'recovering_nodes', password: PASSWORD, password_confirmation: PASSWORD });
    assert.equal(signUp.status, 303);
    const signUpFlow = new URL(signUp.location!, b).searchParams.get('flow')!;
    const signUpMail = await mail.waitFor((m) => m.to.includes(email) && m.receivedAt >= since, 10_000);
    assert.equal((await owner.post(`${a}/register/code`, { flow: signUpFlow, code: codeIn(signUpMail) })).status, 303);
    const ownerSession = await owner.get(`${b}/api/v1/whoami`);
    assert.equal(ownerSession.status, 200, 'signed in on another device');

    // Recovery in another browser, its steps spread over both nodes.
    const browser = createClient(a);
    await browser.get(`${a}/recovery`);
    since = new Date(Date.now() + 1);
    const started = await browser.post(`${a}/recovery`, { identifier: 'recovering_nodes' });
    assert.equal(started.status, 303);
    const flow = new URL(started.location!, a).searchParams.get('flow')!;
    const codePage = await browser.get(`${b}/recovery/code?flow=${flow}`);
    assert.equal(codePage.status, 200, 'the code page renders on B');
    assert.match(codePage.text, /If recovering_nodes belongs to an account/);
    const message = await mail.waitFor((m) => m.to.includes(email) && m.receivedAt >= since && /\b\d{6}\b/.test(m.text), 10_000);
    const confirmed = await browser.post(`${b}/recovery/code`, { flow, code: codeIn(message) });
    assert.equal(confirmed.status, 303, 'the code is accepted on B');
    assert.equal(confirmed.location, `/recovery/password?flow=${flow}`);

    assert.equal((await browser.get(`${a}/recovery/password?flow=${flow}`)).status, 200, 'the new-password form renders on A');
    const done = await browser.post(`${a}/recovery/password`, { flow, password: recovered, password_confirmation: recovered, sign_out_others: '1' });
    assert.equal(done.status, 303, 'the new password is set on A');
    assert.equal((await browser.post(`${b}/recovery/password`, { flow, password: recovered, password_confirmation: recovered, sign_out_others: '1' })).status, 409, 'B knows the flow is completed');

    // The other device was signed out everywhere; the new password works on B, the old one on neither.
    assert.equal((await owner.get(`${a}/api/v1/whoami`)).status, 401);
    assert.equal((await owner.get(`${b}/api/v1/whoami`)).status, 401);
    await browser.get(`${b}/login`);
    assert.equal((await browser.post(`${b}/login`, { identifier: email, password: PASSWORD })).status, 401, 'the old password fails');
    const signedIn = await browser.post(`${b}/login`, { identifier: email, password: recovered });
    assert.equal(signedIn.status, 303, 'signed in on B with the password set on A');
    const whoami = await browser.get(`${a}/api/v1/whoami`);
    assert.equal(whoami.status, 200);
    assert.equal(JSON.parse(whoami.text).account.email, email);
  });
}
