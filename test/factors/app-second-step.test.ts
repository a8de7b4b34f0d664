// The app's second step in two calls: the 401 after the password carries a flow and a flowToken;
// with them the app asks for a text and sends the code. This is how a phone-only account signs in
// to the app.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import type { TestGatehouse } from '../harness/test-app.ts';
import { afterNow, PHONE, sessionCount, smsCodeFor, startClockedGatehouse, twoStepShopper } from './factors-kit.ts';

async function post(app: TestGatehouse, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(new URL(path, app.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

for (const dialect of testDialects) {
  describe(`App API second step in two calls (${dialect})`, { timeout: 60_000 }, () => {
    test('app second step: a phone-only account signs in to the app with a text code, bound to its flowToken', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'app-phone-only@example.com', { phone: true, totp: false });
      const asked = await post(app, '/api/v1/app/sessions', { identifier: shopper.email, password: shopper.password });
      assert.equal(asked.status, 401);
      assert.equal(asked.body.error.code, 'login.second_factor_required');
      const { flow, flowToken, ways, phone } = asked.body.secondStep;
      assert.deepEqual(ways, ['sms'], 'only the ways the account has');
      assert.match(phone, /\*{4}.*56$/, 'the number is masked');
      assert.equal(flowToken.length, 43, '256-bit flow token');

      const sentAfter = afterNow();
      assert.equal((await post(app, '/api/v1/app/sessions/second-step/sms', { flow, flowToken })).status, 202);
      const code = await smsCodeFor(app, PHONE, sentAfter);
      const before = await sessionCount(app, shopper.id);
      const stolen = await post(app, '/api/v1/app/sessions/second-step', { flow, flowToken: 'x'.repeat(43), way: 'sms', code });
      assert.equal(stolen.status, 404, 'the flow id without its token is useless');
      const wrong = await post(app, '/api/v1/app/sessions/second-step', { flow, flowToken, way: 'sms', code: code === '000000' ? '111111' : '000000' });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.error.code, 'login.second_factor_invalid');
      assert.equal(await sessionCount(app, shopper.id), before);

      const signedIn = await post(app, '/api/v1/app/sessions/second-step', { flow, flowToken, way: 'sms', code });
      assert.equal(signedIn.status, 201);
      const who = await fetch(new URL('/api/v1/whoami', app.url), { headers: { authorization: `Bearer ${signedIn.body.token}` } });
      const whoBody = (await who.json()) as any;
      assert.equal(whoBody.session.authenticatedVia, 'password+sms');
      assert.equal(whoBody.session.kind, 'app');
      const replay = await post(app, '/api/v1/app/sessions/second-step', { flow, flowToken, way: 'sms', code });
      assert.equal(replay.status, 409, 'a finished second step cannot be replayed');
    });

    test('app second step: bad shapes are refused with 400, never 500', async (t) => {
      const { app } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      for (const body of [{}, { flow: 1, flowToken: 'a' }, { flow: 'a', flowToken: 'b', way: 'email', code: '1' }, { flow: 'a', flowToken: 'b', way: 'sms', code: 'x'.repeat(500) }]) {
        const answer = await post(app, '/api/v1/app/sessions/second-step', body);
        assert.equal(answer.status, 400, JSON.stringify(body));
      }
      assert.equal((await post(app, '/api/v1/app/sessions/second-step/sms', { flow: 'not-a-flow', flowToken: 'b' })).status, 404);
    });
  });
}
