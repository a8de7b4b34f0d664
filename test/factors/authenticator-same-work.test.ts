// Issue 9 §6: in recovery, the authenticator way did no work for an unknown account (or one
// without an authenticator): no secret read, no TOTP computed, so it answered ~0.5 ms sooner.
// Now each case opens one sealed secret (a decoy when there is none) and computes the same two
// TOTP candidates. The backup-code way likewise: one keyed hash and one UPDATE for every account,
// where an unknown one returned before either. Counted through the real functions, not timed.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { HOTP } from 'otpauth';
import { testDialects } from '../harness/databases.ts';
import { gatehouseForSuite, createManualClock } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { HOUR, startRecovery, wrongCode } from '../recovery/recovery-kit.ts';
import { appNow, enrollAuthenticator, makeBackupCodes, oathtool, signedInShopper } from './factors-kit.ts';

for (const dialect of testDialects) {
  describe(`recovery authenticator way does the same work for every account (${dialect})`, () => {
    const clock = createManualClock();
    const app = gatehouseForSuite(dialect, { clock });

    test('a wrong authenticator code opens one secret and computes two TOTP codes, for an account with an authenticator, one without, and an unknown one', async () => {
      const withApp = await signedInShopper(app, 'with.app@example.com');
      const { secret } = await enrollAuthenticator(app, withApp);
      const without = await signedInShopper(app, 'without.app@example.com');
      clock.advance(HOUR + 60_000);

      const secrets = app.gatehouse.services.secrets;
      const originalUnseal = secrets.unsealBound;
      const originalGenerate = HOTP.generate;
      const work = { unsealed: 0, totpComputed: 0 };
      secrets.unsealBound = (context, sealed) => {
        work.unsealed++;
        return originalUnseal(context, sealed);
      };
      HOTP.generate = (options) => {
        work.totpComputed++;
        return originalGenerate(options);
      };
      try {
        const counted: Record<string, typeof work> = {};
        for (const typed of [withApp.email, without.email, 'nobody.at.all@example.com']) {
          const browser = createClient(app.url);
          const { flowId } = await startRecovery(app, browser, typed);
          const code = wrongCode(oathtool(secret, appNow(app)));
          work.unsealed = 0;
          work.totpComputed = 0;
          const response = await browser.post('/recovery/authenticator', { flow: flowId, code });
          assert.equal(response.status, 422, `${typed}: a wrong code`);
          counted[typed] = { ...work };
        }
        assert.deepEqual(counted, {
          [withApp.email]: { unsealed: 1, totpComputed: 2 },
          [without.email]: { unsealed: 1, totpComputed: 2 },
          'nobody.at.all@example.com': { unsealed: 1, totpComputed: 2 },
        });
      } finally {
        secrets.unsealBound = originalUnseal;
        HOTP.generate = originalGenerate;
      }
    });

    test('a wrong backup code computes one keyed hash and runs one UPDATE, for an account with backup codes, one without, and an unknown one', async () => {
      const withCodes = await signedInShopper(app, 'with.codes@example.com');
      await makeBackupCodes(withCodes);
      const without = await signedInShopper(app, 'without.codes@example.com');
      clock.advance(HOUR + 60_000);

      const { secrets, factors } = app.gatehouse.services;
      const originalHash = secrets.keyedHash;
      const originalUse = factors.useBackupCode;
      const work = { hashed: 0, updates: 0 };
      secrets.keyedHash = (purpose, value) => {
        if (purpose.startsWith('backup-code:')) work.hashed++;
        return originalHash(purpose, value);
      };
      factors.useBackupCode = (accountId, normalized) => {
        work.updates++;
        return originalUse(accountId, normalized);
      };
      try {
        const counted: Record<string, typeof work> = {};
        for (const typed of [withCodes.email, without.email, 'nobody.with.codes@example.com']) {
          const browser = createClient(app.url);
          const { flowId } = await startRecovery(app, browser, typed);
          work.hashed = 0;
          work.updates = 0;
          const response = await browser.post('/recovery/backup-code', { flow: flowId, code: 'zzzz-zzzz' });
          assert.equal(response.status, 422, `${typed}: a wrong backup code`);
          counted[typed] = { ...work };
        }
        assert.deepEqual(counted, {
          [withCodes.email]: { hashed: 1, updates: 1 },
          [without.email]: { hashed: 1, updates: 1 },
          'nobody.with.codes@example.com': { hashed: 1, updates: 1 },
        });
      } finally {
        secrets.keyedHash = originalHash;
        factors.useBackupCode = originalUse;
      }
    });
  });
}
