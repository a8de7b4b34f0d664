// The passkey way across two Gatehouse processes on one PostgreSQL (DESIGN.md §5, issue 10 "two
// nodes: options from node A, verification on node B"): the challenge lives hashed in the
// database, bound to the flow and the browser, so the node that checks the answer need not be the
// one that drew the page. Two-step sign-in and recovery (email code + passkey) both cross nodes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { addShopper, startCluster, type Cluster } from '../harness/cluster.ts';
import { testDialects } from '../harness/databases.ts';
import { createClient, type Client } from '../harness/http-client.ts';
import { createSoftwareAuthenticator, type SoftwareAuthenticator } from '../harness/software-authenticator.ts';
import { flowIdFrom } from '../security/kit.ts';
import { NEW_PASSWORD } from '../recovery/recovery-kit.ts';
import { optionsIn } from './passkey-page-kit.ts';
import { requestOptionsIn } from './passkey-way-kit.ts';

const PASSWORD = 'amber willow signal 73';
const EMAIL = 'two.nodes.passkey@example.com';

if (testDialects.includes('postgres')) {
  let cluster: Cluster;
  let a = '';
  let b = '';
  let authenticator: SoftwareAuthenticator;

  before(async () => {
    cluster = await startCluster(2);
    [a, b] = cluster.urls as [string, string];
    authenticator = createSoftwareAuthenticator({ origin: a }); // every node's PUBLIC_URL is A
    await addShopper(cluster, { email: EMAIL, password: PASSWORD });
  });

  after(() => cluster?.close());

  async function passwordOn(node: string, browser: Client, password = PASSWORD) {
    await browser.get(`${node}/login`);
    return browser.post(`${node}/login`, { identifier: EMAIL, password });
  }

  async function emailCode(since: Date): Promise<string> {
    const mail = await cluster.mail.waitFor((m) => m.to.includes(EMAIL) && m.receivedAt >= since && /\b\d{6}\b/.test(m.text), 10_000);
    return /\b(\d{6})\b/.exec(mail.text)![1]!;
  }

  test('two nodes: a passkey added on A and B, two-step turned on; the passkey step drawn on A is checked on B and signs in', async () => {
    const owner = createClient(a);
    assert.equal((await passwordOn(a, owner)).status, 303);
    const add = await owner.get(`${a}/account/security/passkeys/add`);
    const added = await owner.post(`${b}/account/security/passkeys/add`, { response: JSON.stringify(authenticator.register(optionsIn(add.text))) });
    assert.equal(added.status, 303, `registration options from A, verified on B (${added.status})`);
    // Two-step needs a second factor, which the passkey is; backup codes make it safe to turn on.
    assert.equal((await owner.post(`${a}/account/security/backup-codes`, {})).status, 200);
    assert.equal((await owner.post(`${b}/account/security/two-step`, { on: '1' })).status, 303);

    const browser = createClient(a);
    const first = await passwordOn(a, browser);
    assert.equal(first.status, 303);
    assert.match(first.location ?? '', /^\/login\/verify\/passkey\?flow=/, 'the passkey is asked for first');
    const flow = flowIdFrom(first.location);
    const page = await browser.get(`${a}/login/verify/passkey?flow=${flow}`);
    const answer = authenticator.authenticate(requestOptionsIn(page.text));
    const done = await browser.post(`${b}/login/verify/passkey`, { flow, response: JSON.stringify(answer) });
    assert.equal(done.status, 303, `B accepts the answer to A's challenge (${done.status})`);
    assert.equal(done.location, '/account');
    const replay = await browser.post(`${a}/login/verify/passkey`, { flow, response: JSON.stringify(answer) });
    assert.ok(replay.status >= 400 && replay.status < 500, 'A knows the flow is finished');
  });

  test('two nodes: recovery started on B, passkey options from A verified on B, the email code on A opens the new password on B', async () => {
    const browser = createClient(a);
    await browser.get(`${b}/recovery`);
    const since = new Date();
    const started = await browser.post(`${b}/recovery`, { identifier: EMAIL });
    assert.equal(started.status, 303);
    const flow = flowIdFrom(started.location);
    const page = await browser.get(`${a}/recovery/passkey?flow=${flow}`);
    assert.equal(page.status, 200);
    const proved = await browser.post(`${b}/recovery/passkey`, { flow, response: JSON.stringify(authenticator.authenticate(requestOptionsIn(page.text))) });
    assert.equal(proved.status, 303, `B accepts the passkey (${proved.status})`);
    assert.equal(proved.location, `/recovery/code?flow=${flow}&then=1`);
    const code = await browser.post(`${a}/recovery/code`, { flow, code: await emailCode(since) });
    assert.equal(code.location, `/recovery/password?flow=${flow}`, 'A sees the passkey proof B recorded');
    const done = await browser.post(`${b}/recovery/password`, { flow, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD, sign_out_others: '1' });
    assert.equal(done.status, 303);
    assert.equal((await passwordOn(a, createClient(a), NEW_PASSWORD)).status, 303, 'the new password is taken');
  });
}
