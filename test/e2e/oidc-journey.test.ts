// "Sign in with <Store>" in real Chromium (issue 11): a real relying party — a small web app on its
// own port using openid-client (panva) — sends the shopper to Gatehouse, who signs in on
// Gatehouse's page (which names the app), allows the third-party app on the consent page, and
// lands back in the app signed in, with an ID token checked against the JWKS; later the app's
// sign-out ends the Gatehouse session too. On SQLite and PostgreSQL. Then the screens, on the first
// database, at 1280 and 390 px in English and Russian: the sign-in page reached from an app, the
// consent page, "Apps with access" under Security, and the sign-out question.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { testDialects } from '../harness/databases.ts';
import { startTestGatehouse, type TestGatehouse } from '../harness/test-app.ts';
import { launchBrowser, type Browser, type Page } from '../harness/browser.ts';
import { createShooter, createShopper, screenViewports, waitForPath, watchForBrowserErrors } from './e2e-kit.ts';
import { newDesktopPage } from '../harness/browser.ts';

const PASSWORD = 'amber kites over quiet fields';

/** The relying party: `/` starts the sign-in, `/cb` finishes it and greets the shopper, `/logout` asks Gatehouse to sign out. */
async function startRelyingParty(gatehouse: TestGatehouse, name: string) {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { client: registered, clientSecret } = await gatehouse.gatehouse.services.oidc.clients.create({
    name, redirectUris: [`${base}/cb`], postLogoutRedirectUris: [`${base}/bye`], public: false, firstParty: false,
  });
  const config = await oidc.discovery(new URL(gatehouse.url), registered.clientId, clientSecret!, oidc.ClientSecretBasic(clientSecret!), { execute: [oidc.allowInsecureRequests] });
  const pending = new Map<string, { verifier: string; nonce: string }>();
  let idToken = '';
  server.on('request', (req, res) => {
    void (async () => {
      const url = new URL(req.url!, base);
      if (url.pathname === '/') {
        const verifier = oidc.randomPKCECodeVerifier();
        const state = oidc.randomState();
        const nonce = oidc.randomNonce();
        pending.set(state, { verifier, nonce });
        const to = oidc.buildAuthorizationUrl(config, { redirect_uri: `${base}/cb`, scope: 'openid email profile', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce });
        res.writeHead(303, { location: to.href }).end();
      } else if (url.pathname === '/cb') {
        const state = url.searchParams.get('state') ?? '';
        const started = pending.get(state);
        pending.delete(state);
        if (!started) return void res.writeHead(400).end('unknown state');
        const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: started.verifier, expectedState: state, expectedNonce: started.nonce });
        idToken = tokens.id_token!;
        const claims = tokens.claims()!;
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>${name}</title><h1 id="hello">Hello ${claims.email}</h1><p id="amr">${(claims.amr as string[]).join('+')}</p><p id="sub">${claims.sub}</p>`);
      } else if (url.pathname === '/logout') {
        res.writeHead(303, { location: oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: `${base}/bye` }).href }).end();
      } else if (url.pathname === '/bye') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>bye</title><h1 id="bye">Signed out of the app</h1>');
      } else res.writeHead(404).end();
    })().catch((error: Error) => res.writeHead(500).end(error.message));
  });
  return { base, clientId: registered.clientId, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

for (const dialect of testDialects) {
  describe(`"Sign in with the store" in Chromium on ${dialect}`, () => {
    let app: TestGatehouse;
    let browser: Browser;
    before(async () => {
      [app, browser] = await Promise.all([startTestGatehouse(dialect), launchBrowser()]);
    });
    after(async () => {
      await browser?.close();
      await app?.close();
    });

    test('a third-party app: sign in on Gatehouse’s page, allow it, back in the app signed in; the app’s sign-out ends the Gatehouse session too', async () => {
      const rp = await startRelyingParty(app, 'Partner forum');
      const email = `oidc.journey.${dialect}@example.com`;
      await createShopper(app, { email, password: PASSWORD });
      const page = await newDesktopPage(browser, { locale: 'en-US' });
      const errors = watchForBrowserErrors(page);
      try {
        await page.goto(`${rp.base}/`);
        await waitForPath(page, /^\/login\?return_to=/);
        assert.equal(await page.locator('[data-app-name]').textContent(), 'Sign in to continue to Partner forum.');
        await page.getByLabel('Email or login name').fill(email);
        await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await page.getByRole('heading', { name: 'Allow Partner forum to see your account details?' }).waitFor();
        await page.getByRole('button', { name: 'Allow', exact: true }).click();
        await page.locator('#hello').waitFor();
        assert.equal(await page.locator('#hello').textContent(), `Hello ${email}`);
        assert.equal(await page.locator('#amr').textContent(), 'pwd');

        // Single sign-on: the app again, in the same browser, needs no page of Gatehouse's.
        await page.goto(`${rp.base}/`);
        await page.locator('#hello').waitFor();

        // The app's sign-out asks; "Sign out" ends the Gatehouse session too.
        await page.goto(`${rp.base}/logout`);
        await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
        await page.locator('button[name="logout"]').click();
        await page.locator('#bye').waitFor();
        await page.goto(`${app.url}/account`);
        await waitForPath(page, /^\/login/);
        assert.deepEqual(errors, [], 'no script errors or CSP violations');
      } finally {
        await page.close();
        await rp.close();
      }
    });

    if (dialect !== testDialects[0]) return;
    for (const viewport of screenViewports) {
      test(`screens at ${viewport.name} width, English and Russian: sign-in from an app, consent, Apps with access, sign-out`, async () => {
        const rp = await startRelyingParty(app, 'Partner forum');
        const email = `oidc.screens.${viewport.name}@example.com`;
        await createShopper(app, { email, password: PASSWORD });
        const page: Page = await viewport.open(browser);
        const shots: string[] = [];
        const { shoot, language } = createShooter(page, viewport.name, shots);
        try {
          await page.goto(`${rp.base}/`);
          await waitForPath(page, /^\/login\?return_to=/);
          await shoot('oidc-login');
          await language('ru');
          assert.equal(await page.locator('[data-app-name]').textContent(), 'Войдите, чтобы продолжить в Partner forum.');
          await shoot('oidc-login-ru');
          await language('en');
          await page.getByLabel('Email or login name').fill(email);
          await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
          await page.getByRole('button', { name: 'Sign in', exact: true }).click();
          await page.getByRole('heading', { name: 'Allow Partner forum to see your account details?' }).waitFor();
          await shoot('oidc-consent');
          await language('ru');
          await page.getByRole('heading', { name: 'Разрешить Partner forum видеть данные вашего аккаунта?' }).waitFor();
          await shoot('oidc-consent-ru');
          await page.getByRole('button', { name: 'Разрешить' }).click();
          await page.locator('#hello').waitFor();
          await page.goto(`${app.url}/account/security#apps`);
          await page.getByRole('heading', { name: 'Приложения с доступом' }).scrollIntoViewIfNeeded();
          await shoot('oidc-apps-ru');
          await language('en');
          await page.getByRole('heading', { name: 'Apps with access' }).waitFor();
          await shoot('oidc-apps');
          await page.goto(`${rp.base}/logout`);
          await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
          await shoot('oidc-sign-out');
          await page.getByRole('button', { name: 'Stay signed in' }).click();
          await page.locator('#bye').waitFor();
          // Removing the app's access from Security.
          await page.goto(`${app.url}/account/security`);
          await page.getByRole('button', { name: 'Remove access' }).click();
          await waitForPath(page, /^\/account\/security\?saved=app_removed/);
          await page.getByText("The app's access was removed").waitFor();
          await shoot('oidc-apps-removed');
        } finally {
          await page.close();
          await rp.close();
        }
      });
    }
  });
}
