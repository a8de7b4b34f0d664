// Passkey sign-in across two Gatehouse processes on one PostgreSQL (issue 10, "two nodes"): the
// request options (and their challenge) come from node A, the assertion is verified on node B.
// Challenges live hashed in the database, so any node can finish what another started — and the
// one conditional UPDATE that consumes a challenge holds across nodes: a replay on A is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { addShopper, startCluster, type Cluster } from '../harness/cluster.ts';
import { createClient } from '../harness/http-client.ts';
import { createSoftwareAuthenticator } from '../harness/software-authenticator.ts';
import { optionsIn } from '../passkeys/passkey-page-kit.ts';
import { requestOptionsIn } from './passkey-sign-in-kit.ts';

const PASSWORD = 'harbour violet kettle 42';
const EMAIL = 'two.nodes.passkey@example.com';

if (testDialects.includes('postgres')) {
  let cluster: Cluster;
  let a = '';
  let b = '';

  before(async () => {
    cluster = await startCluster(2);
    [a, b] = cluster.urls as [string, string];
    await addShopper(cluster, { email: EMAIL, password: PASSWORD });
  });

  after(async () => {
    await cluster?.close();
  });

  test('two nodes: a passkey added on A and B, sign-in options from node A, the assertion verified on node B; a replay on A is refused', async () => {
    // Every node's PUBLIC_URL is A: that is the origin the passkey is made for.
    const authenticator = createSoftwareAuthenticator({ origin: new URL(a).origin });
    const owner = createClient(a);
    await owner.get(`${a}/login`);
    assert.equal((await owner.post(`${a}/login`, { identifier: EMAIL, password: PASSWORD })).status, 303);
    const addPage = await owner.get(`${a}/account/security/passkeys/add`);
    assert.equal(addPage.status, 200);
    const added = await owner.post(`${b}/account/security/passkeys/add`, { response: JSON.stringify(authenticator.register(optionsIn(addPage.text))) });
    assert.equal(added.status, 303, `B saves the passkey A asked for (${added.status})`);

    const browser = createClient(a);
    const answer = authenticator.authenticate(requestOptionsIn((await browser.get(`${a}/login`)).text));
    const signedIn = await browser.post(`${b}/login/passkey`, { response: JSON.stringify(answer) });
    assert.equal(signedIn.status, 303, `B verifies A's challenge (${signedIn.status})`);
    const who = await browser.get(`${a}/api/v1/whoami`);
    assert.equal(who.status, 200);
    assert.equal(JSON.parse(who.text).session.authenticatedVia, 'passkey');

    await browser.post(`${a}/logout`, {});
    const replay = await browser.post(`${a}/login/passkey`, { response: JSON.stringify(answer) });
    assert.equal(replay.status, 410, 'the challenge B used is used for A too');
  });

  test('two nodes: the app takes sign-in options from node A and signs in on node B', async () => {
    const authenticator = createSoftwareAuthenticator({ origin: new URL(a).origin });
    const owner = createClient(a);
    await owner.get(`${a}/login`);
    assert.equal((await owner.post(`${a}/login`, { identifier: EMAIL, password: PASSWORD })).status, 303);
    const addPage = await owner.get(`${a}/account/security/passkeys/add`);
    assert.equal((await owner.post(`${a}/account/security/passkeys/add`, { response: JSON.stringify(authenticator.register(optionsIn(addPage.text))) })).status, 303);

    const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const started = (await (await post(`${a}/api/v1/app/sessions/passkey/options`, {})).json()) as { options: never; signInId: string };
    const signedIn = await post(`${b}/api/v1/app/sessions/passkey`, { signInId: started.signInId, response: authenticator.authenticate(started.options) });
    assert.equal(signedIn.status, 201);
    const { token } = (await signedIn.json()) as { token: string };
    const who = await fetch(`${a}/api/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(((await who.json()) as { session: { authenticatedVia: string; kind: string } }).session.authenticatedVia, 'passkey');
  });
}
