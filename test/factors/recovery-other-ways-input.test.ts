// Bad input on the routes of the other ways, in recovery and in Change password: a missing,
// malformed, doubled, foreign, expired or finished flow, wrong field types, oversize fields and
// bodies, missing CSRF tokens and foreign origins. Each gets a clear 4xx (never a 500), and
// nothing in the database changes.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { gatehouseForSuite, createManualClock } from '../harness/test-app.ts';
import { createClient, type Client, type Response } from '../harness/http-client.ts';
import { makeAccount, signIn } from '../security/kit.ts';
import { HOUR, MINUTE, NEW_PASSWORD, startPasswordChange, startRecovery } from '../recovery/recovery-kit.ts';
import { signedInShopper } from './factors-kit.ts';

const KINDS = [
  { kind: 'recovery', base: '/recovery', password: '/recovery/password' },
  { kind: 'password_change', base: '/account/password', password: '/account/password/new' },
] as const;
type Kind = (typeof KINDS)[number];

const PAGES = ['other-ways', 'sms', 'authenticator', 'backup-code'];
const FORMS = [
  { path: 'sms/send', fields: ['flow'] },
  { path: 'sms', fields: ['flow', 'code'] },
  { path: 'authenticator', fields: ['flow', 'code'] },
  { path: 'backup-code', fields: ['flow', 'code'] },
];

for (const dialect of testDialects) {
  describe(`other ways: bad input (${dialect})`, { timeout: 180_000 }, () => {
    const clock = createManualClock();
    const app = gatehouseForSuite(dialect, { clock });
    let n = 0;

    /** A browser with an open flow of this kind (and its emailed code). */
    async function openFlow(k: Kind): Promise<{ browser: Client; flowId: string; code: string; email: string; password: string }> {
      n++;
      if (k.kind === 'recovery') {
        const account = await makeAccount(app, { email: `input.${n}@example.com` });
        const browser = createClient(app.url);
        const { flowId, code } = await startRecovery(app, browser, account.email, account.email);
        return { browser, flowId, code, email: account.email, password: account.password };
      }
      const shopper = await signedInShopper(app, `input.${n}@example.com`);
      const { flowId, code } = await startPasswordChange(app, shopper.browser, shopper.email);
      return { browser: shopper.browser, flowId, code, email: shopper.email, password: shopper.password };
    }

    /**
     * Everything a refused request must not touch: flows, codes, budgets, queued messages, password
     * hashes, sessions. (Not a session's last-seen time, which any page view refreshes, nor the
     * delivery status the dispatcher moves on, nor the sign-in page's QR panel, which a token
     * fetch from /login renews.)
     */
    async function snapshot(): Promise<string> {
      const db = app.gatehouse.services.db;
      return [
        await db.selectFrom('flows').selectAll().orderBy('id').execute(),
        await db.selectFrom('verification_codes').selectAll().orderBy('id').execute(),
        await db.selectFrom('rate_events').select(['id', 'bucket', 'subject']).where('bucket', 'not like', 'qr_%').orderBy('id').execute(),
        await db.selectFrom('outbox').select('id').orderBy('id').execute(),
        await db.selectFrom('accounts').select(['id', 'password_hash']).orderBy('id').execute(),
        await db.selectFrom('sessions').select(['id', 'revoked_at']).orderBy('id').execute(),
      ].map((rows) => JSON.stringify(rows)).join('\n');
    }

    async function assertAll(what: string, expected: number, requests: [string, () => Promise<Response>][]) {
      const before = await snapshot();
      for (const [name, send] of requests) {
        const response = await send();
        assert.equal(response.status, expected, `${what}: ${name} → ${expected} (got ${response.status}: ${response.text.slice(0, 200)})`);
        assert.match(response.headers.get('content-type') ?? '', /^text\/html/, `${what}: ${name} answers with a page`);
      }
      assert.equal(await snapshot(), before, `${what}: nothing changed`);
    }

    const formOf = (fields: string[], flow: string) => Object.fromEntries(fields.map((f) => [f, f === 'flow' ? flow : '123456']));

    test('other ways input: a missing, malformed, doubled or foreign flow is 404 on every page and form', async () => {
      clock.advance(25 * HOUR);
      for (const k of KINDS) {
        const mine = await openFlow(k);
        const theirs = await openFlow(k);
        const requests: [string, () => Promise<Response>][] = [];
        for (const page of PAGES) {
          requests.push([`GET ${page} without a flow`, () => mine.browser.get(`${k.base}/${page}`)]);
          requests.push([`GET ${page} with a malformed flow`, () => mine.browser.get(`${k.base}/${page}?flow=../../etc`)]);
          requests.push([`GET ${page} with the flow twice`, () => mine.browser.get(`${k.base}/${page}?flow=${mine.flowId}&flow=${mine.flowId}`)]);
          requests.push([`GET ${page} of another browser's flow`, () => mine.browser.get(`${k.base}/${page}?flow=${theirs.flowId}`)]);
        }
        for (const form of FORMS) {
          requests.push([`POST ${form.path} with an empty flow`, () => mine.browser.post(`${k.base}/${form.path}`, formOf(form.fields, ''))]);
          requests.push([`POST ${form.path} with a made-up flow`, () => mine.browser.post(`${k.base}/${form.path}`, formOf(form.fields, '00000000-0000-4000-8000-000000000000'))]);
          requests.push([`POST ${form.path} with another browser's flow`, () => mine.browser.post(`${k.base}/${form.path}`, formOf(form.fields, theirs.flowId))]);
        }
        await assertAll(k.kind, 404, requests);
      }
    });

    test('other ways input: missing fields, wrong types and oversize fields are 400, huge bodies 413, JSON 415', async () => {
      clock.advance(25 * HOUR);
      for (const k of KINDS) {
        const { browser, flowId } = await openFlow(k);
        const raw = (path: string, body: string | Buffer, type = 'application/x-www-form-urlencoded') => () => browser.raw('POST', path, { body, headers: { 'content-type': type } });
        const csrf = `_csrf=${encodeURIComponent(browser.csrf)}`;
        const by400: [string, () => Promise<Response>][] = [];
        const by413: [string, () => Promise<Response>][] = [];
        const by415: [string, () => Promise<Response>][] = [];
        for (const form of FORMS) {
          const path = `${k.base}/${form.path}`;
          const hasCode = form.fields.includes('code');
          const rest = hasCode ? '&code=123456' : '';
          by400.push([`${form.path} without a flow`, raw(path, `${csrf}${rest}`)]);
          by400.push([`${form.path} with the flow twice`, raw(path, `${csrf}&flow=${flowId}&flow=${flowId}${rest}`)]);
          by400.push([`${form.path} with a 65-character flow`, raw(path, `${csrf}&flow=${'a'.repeat(65)}${rest}`)]);
          by400.push([`${form.path} with bytes that are not UTF-8`, raw(path, Buffer.concat([Buffer.from(`${csrf}&flow=${flowId}${rest}&x=`), Buffer.from([0xff, 0xfe])]))]);
          by400.push([`${form.path} with a NUL`, raw(path, `${csrf}&flow=${flowId}%00${rest}`)]);
          if (hasCode) {
            by400.push([`${form.path} without a code`, raw(path, `${csrf}&flow=${flowId}`)]);
            by400.push([`${form.path} with the code twice`, raw(path, `${csrf}&flow=${flowId}&code=123456&code=654321`)]);
            by400.push([`${form.path} with a 65-character code`, raw(path, `${csrf}&flow=${flowId}&code=${'1'.repeat(65)}`)]);
          }
          by413.push([`${form.path} with a 100 KB body`, raw(path, `${csrf}&flow=${flowId}${rest}&pad=${'x'.repeat(100_000)}`)]);
          by415.push([`${form.path} as JSON`, raw(path, JSON.stringify({ _csrf: browser.csrf, flow: flowId, code: 123456 }), 'application/json')]);
        }
        await assertAll(`${k.kind}, malformed`, 400, by400);
        await assertAll(`${k.kind}, too large`, 413, by413);
        await assertAll(`${k.kind}, not a form`, 415, by415);
      }
    });

    test('other ways input: a form without the CSRF token, with a wrong one, or from another origin is 403', async () => {
      clock.advance(25 * HOUR);
      for (const k of KINDS) {
        const { browser, flowId } = await openFlow(k);
        const requests: [string, () => Promise<Response>][] = [];
        for (const form of FORMS) {
          const path = `${k.base}/${form.path}`;
          requests.push([`${form.path} without a token`, () => browser.post(path, formOf(form.fields, flowId), { csrf: false })]);
          requests.push([`${form.path} with a wrong token`, () => browser.post(path, { ...formOf(form.fields, flowId), _csrf: 'x'.repeat(40) }, { csrf: false })]);
          requests.push([`${form.path} from another origin`, () => browser.post(path, formOf(form.fields, flowId), { headers: { origin: 'https://evil.example' } })]);
          requests.push([`${form.path} with another browser's token`, async () => {
            const stranger = createClient(app.url);
            await stranger.get('/login');
            return browser.post(path, { ...formOf(form.fields, flowId), _csrf: stranger.csrf }, { csrf: false });
          }]);
        }
        await assertAll(k.kind, 403, requests);
      }
    });

    test('other ways input: an expired flow is 410 and a finished one 409 on every page and form', async () => {
      clock.advance(25 * HOUR);
      for (const k of KINDS) {
        const expiring = await openFlow(k);
        const finished = await openFlow(k);
        assert.equal((await finished.browser.post(`${k.base}/code`, { flow: finished.flowId, code: finished.code })).status, 303);
        assert.equal((await finished.browser.post(k.password, { flow: finished.flowId, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD })).status, 303);
        clock.advance(HOUR + MINUTE);
        // Change password: a new session in the same browser (the old one went idle); the flow stays this browser's.
        if (k.kind === 'password_change') assert.equal((await signIn(expiring.browser, expiring.email, expiring.password)).status, 303);
        const expired: [string, () => Promise<Response>][] = [];
        const done: [string, () => Promise<Response>][] = [];
        if (k.kind === 'password_change') assert.equal((await signIn(finished.browser, finished.email, NEW_PASSWORD)).status, 303);
        for (const page of PAGES) {
          expired.push([`GET ${page}`, () => expiring.browser.get(`${k.base}/${page}?flow=${expiring.flowId}`)]);
          done.push([`GET ${page}`, () => finished.browser.get(`${k.base}/${page}?flow=${finished.flowId}`)]);
        }
        for (const form of FORMS) {
          expired.push([`POST ${form.path}`, () => expiring.browser.post(`${k.base}/${form.path}`, formOf(form.fields, expiring.flowId))]);
          done.push([`POST ${form.path}`, () => finished.browser.post(`${k.base}/${form.path}`, formOf(form.fields, finished.flowId))]);
        }
        await assertAll(`${k.kind}, expired`, 410, expired);
        await assertAll(`${k.kind}, finished`, 409, done);
      }
    });

    test('change password other ways: without a session every page and form sends to sign in, and nothing changes', async () => {
      clock.advance(25 * HOUR);
      const k = KINDS[1];
      const { browser, flowId } = await openFlow(k);
      await browser.get('/account');
      assert.equal((await browser.post('/logout', {})).status, 303);
      const before = await snapshot();
      for (const page of PAGES) {
        const response = await browser.get(`${k.base}/${page}?flow=${flowId}`);
        assert.equal(response.status, 303, `GET ${page}`);
        assert.match(response.location ?? '', /^\/login\?return_to=/);
      }
      await browser.get('/login');
      for (const form of FORMS) {
        const response = await browser.post(`${k.base}/${form.path}`, formOf(form.fields, flowId));
        assert.equal(response.status, 303, `POST ${form.path}`);
        assert.match(response.location ?? '', /^\/login\?return_to=/);
      }
      assert.equal(await snapshot(), before);
    });
  });
}
