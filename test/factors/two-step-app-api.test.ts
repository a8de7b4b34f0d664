// The store's app signs in to a two-step account: POST /api/v1/app/sessions needs `secondFactor`
// (an authenticator or backup code) as well as the password.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDialects } from '../harness/databases.ts';
import type { TestGatehouse } from '../harness/test-app.ts';
import { appNow, oathtool, otherCode, sessionCount, startClockedGatehouse, STEP_MS, twoStepShopper } from './factors-kit.ts';

async function appSignIn(app: TestGatehouse, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(new URL('/api/v1/app/sessions', app.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'StoreApp/3.1 (iPhone; iOS 17.5)' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function whoamiBearer(app: TestGatehouse, token: string) {
  const response = await fetch(new URL('/api/v1/whoami', app.url), { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as any };
}

for (const dialect of testDialects) {
  describe(`App API sign-in with two-step (${dialect})`, { timeout: 60_000 }, () => {
    test('app sign-in: a two-step account without secondFactor gets 401 login.second_factor_required and no token', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'app-needs@example.com');
      const sessions = await sessionCount(app, shopper.id);
      const answer = await appSignIn(app, { identifier: shopper.email, password: shopper.password });
      assert.equal(answer.status, 401);
      assert.equal(answer.body.error.code, 'login.second_factor_required');
      assert.ok(answer.body.error.message.length > 0);
      assert.equal(answer.body.token, undefined);
      assert.equal(await sessionCount(app, shopper.id), sessions);
      const wrongPassword = await appSignIn(app, { identifier: shopper.email, password: 'wrong password here', secondFactor: { way: 'totp', code: oathtool(shopper.secret, appNow(app)) } });
      assert.equal(wrongPassword.status, 401);
      assert.equal(wrongPassword.body.error.code, 'login.invalid_credentials', 'a wrong password says nothing about two-step');
    });

    test('app sign-in: a valid authenticator code gives a 201 token whose whoami says password+totp; a backup code works too', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'app-totp@example.com');
      const code = oathtool(shopper.secret, appNow(app));
      const answer = await appSignIn(app, { identifier: shopper.email, password: shopper.password, secondFactor: { way: 'totp', code } });
      assert.equal(answer.status, 201);
      assert.match(answer.body.token, /^[A-Za-z0-9_-]{43}$/);
      const who = await whoamiBearer(app, answer.body.token);
      assert.equal(who.status, 200);
      assert.equal(who.body.session.kind, 'app');
      assert.equal(who.body.session.authenticatedVia, 'password+totp');
      const replay = await appSignIn(app, { identifier: shopper.email, password: shopper.password, secondFactor: { way: 'totp', code } });
      assert.equal(replay.status, 401, 'the same step is not accepted twice');
      const viaBackup = await appSignIn(app, { identifier: shopper.email, password: shopper.password, secondFactor: { way: 'backup_code', code: shopper.backupCodes[0] } });
      assert.equal(viaBackup.status, 201);
      assert.equal((await whoamiBearer(app, viaBackup.body.token)).body.session.authenticatedVia, 'password+backup_code');
    });

    test('app sign-in: a wrong second-factor code is refused with 401 and no token', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'app-wrong@example.com');
      const sessions = await sessionCount(app, shopper.id);
      const now = appNow(app);
      for (const secondFactor of [
        { way: 'totp', code: otherCode(oathtool(shopper.secret, now)) },
        { way: 'totp', code: oathtool(shopper.secret, now + STEP_MS) },
        { way: 'backup_code', code: 'zzzz-zzzz' },
      ]) {
        const answer = await appSignIn(app, { identifier: shopper.email, password: shopper.password, secondFactor });
        assert.equal(answer.status, 401, JSON.stringify(secondFactor));
        assert.equal(answer.body.error.code, 'login.second_factor_invalid');
        assert.equal(answer.body.token, undefined);
      }
      assert.equal(await sessionCount(app, shopper.id), sessions);
    });

    test('app sign-in: bad shapes of the body and of secondFactor are refused with 400, never 500', async (t) => {
      const { app, clock } = await startClockedGatehouse(dialect);
      t.after(() => app.close());
      const shopper = await twoStepShopper(app, clock, 'app-shapes@example.com');
      const base = { identifier: shopper.email, password: shopper.password };
      const code = oathtool(shopper.secret, appNow(app));
      const sessions = await sessionCount(app, shopper.id);
      const bodies: unknown[] = [
        { ...base, secondFactor: code },
        { ...base, secondFactor: { way: 'sms', code } },
        { ...base, secondFactor: { way: 'totp', code: Number(code) } },
        { ...base, secondFactor: { way: 'totp' } },
        { ...base, secondFactor: { code } },
        { ...base, secondFactor: { way: 'totp', code, extra: 1 } },
        { ...base, secondFactor: { way: 'totp', code: '1'.repeat(100_000) } },
        { ...base, secondFactor: [{ way: 'totp', code }] },
        { ...base, secondFactor: null },
        '{"identifier": "x", "password": ',
      ];
      for (const body of bodies) {
        const answer = await appSignIn(app, body);
        assert.ok(answer.status === 400 || answer.status === 413, `${JSON.stringify(body).slice(0, 80)} → ${answer.status}`);
        assert.equal(typeof answer.body.error.code, 'string');
      }
      assert.equal(await sessionCount(app, shopper.id), sessions);
      const empty = await appSignIn(app, { ...base, secondFactor: { way: 'totp', code: '' } });
      assert.ok(empty.status >= 400 && empty.status < 500, `an empty code is a 4xx (${empty.status})`);
      const right = await appSignIn(app, { ...base, secondFactor: { way: 'totp', code } });
      assert.equal(right.status, 201, 'none of the bad requests spent the step');
    });
  });
}
