// My account → Security → Recent security activity in real Chromium, English and Russian, at 1280
// and 390 px: reached from the Security page, no sideways scroll, every control labelled, no
// script error or CSP violation. Screenshots: test-results/screens/activity-{en,ru}-*.png.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { gatehouseForSuite } from '../harness/test-app.ts';
import { browserForSuite } from '../harness/browser.ts';
import { createShooter, createShopper, screenViewports, signIn, waitForPath } from './e2e-kit.ts';

const dialect = testDialects[0]!;
const PASSWORD = 'amber fern lantern 2026';

describe(`recent security activity in Chromium (${dialect})`, () => {
  const app = gatehouseForSuite(dialect);
  const browser = browserForSuite();

  for (const viewport of screenViewports) {
    test(`the activity list at ${viewport.name} width, English then Russian, from the Security page`, async () => {
      const email = `activity.${viewport.name}@example.com`;
      await createShopper(app, { email, password: PASSWORD });
      const account = await app.gatehouse.services.accounts.findByEmail(email);
      const { events, db } = app.gatehouse.services;
      const from = { clientAddress: '203.0.113.57', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1' };
      await events.record(db, { accountId: account!.id, type: 'sign_in.failed', way: 'password', result: 'login.invalid_credentials', from });
      await events.record(db, { accountId: account!.id, type: 'factor.added', way: 'phone', detail: { phone: '+44 •••• ••• 456' }, from });
      await events.record(db, { accountId: account!.id, type: 'app.consent_given', detail: { app: 'seller', appName: 'Seller centre' }, from });

      const page = await viewport.open(browser);
      const shots: string[] = [];
      const shooter = createShooter(page, viewport.name, shots);
      await signIn(page, app.url, email, PASSWORD);
      await page.goto(`${app.url}/account/security`);
      await page.getByRole('link', { name: 'See recent security activity' }).click();
      await waitForPath(page, /^\/account\/security\/activity$/);
      await page.getByRole('heading', { level: 1, name: 'Recent security activity' }).waitFor();
      assert.equal(await page.locator('.activity-list li').count(), 4, 'three recorded events and this sign-in');
      await page.getByText('Sign-in refused (wrong password)').waitFor();
      await shooter.shoot('activity-en');

      await shooter.language('ru');
      // The footer switch returns to the section's page (Security); the list is one link further.
      await page.goto(`${app.url}/account/security/activity`);
      await page.getByRole('heading', { level: 1, name: 'Последние действия с аккаунтом' }).waitFor();
      await page.getByText('Вход отклонён (неверный пароль)').waitFor();
      await shooter.shoot('activity-ru');
      assert.deepEqual(shooter.errors, []);
      await page.close();
    });
  }
});
