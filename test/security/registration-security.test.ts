// DESIGN.md §2 "enumeration" and "password" for sign-up: an address that already has an account
// gets the same answer (its owner is mailed a notice instead of a code), and passwords that are
// short, long, common, built from the identifiers or mistyped are refused inline with the form kept.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { PRODUCTION_ARGON2, startTestGatehouse, createManualClock, type TestGatehouse } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';
import { GOOD_PASSWORD, alertText, countRows, fieldError, flowIdFrom, makeAccount, registrationFields, withoutTokens } from './kit.ts';

const HOUR = 3600_000;

for (const dialect of testDialects) {
  describe(`sign-up security on ${dialect}`, { timeout: 180_000 }, () => {
    let app: TestGatehouse;
    const clock = createManualClock();
    before(async () => {
      app = await startTestGatehouse(dialect, { clock, env: PRODUCTION_ARGON2 });
    });
    after(() => app.close());

    test('sign-up: an address that already has an account answers exactly like a new one, and its owner gets a "someone tried" mail instead of a code', async () => {
      clock.advance(25 * HOUR);
      const owner = await makeAccount(app, { email: 'taken.addr@example.com' });
      const fresh = 'fresh.addr@example.com'; // same length as the taken one
      const hasher = app.gatehouse.services.hasher;
      const hashCalls: string[] = [];
      const originalHash = hasher.hash;
      hasher.hash = async (password) => {
        hashCalls.push(password);
        return originalHash(password);
      };

      const answers = [];
      try {
        for (const address of [owner.email, fresh]) {
          const browser = createClient(app.url);
          await browser.get('/register');
          const sentAfter = new Date();
          const rowsBefore = await countRows(app);
          hashCalls.length = 0;
          const posted = await browser.post('/register', registrationFields(address, 'a different long passphrase'));
          const rowsAfter = await countRows(app);
          const work = Object.fromEntries(Object.keys(rowsAfter).map((table) => [table, rowsAfter[table]! - rowsBefore[table]!]));
          const flowId = flowIdFrom(posted.location);
          const page = await browser.get(posted.location!);
          answers.push({ address, posted, page, flowId, work, hashes: hashCalls.length, sentAfter, browser });
        }
      } finally {
        hasher.hash = originalHash;
      }
      const [taken, free] = answers as [(typeof answers)[0], (typeof answers)[0]];

      assert.equal(taken.posted.status, free.posted.status);
      assert.equal(taken.posted.status, 303);
      assert.match(taken.posted.location!, /^\/register\/code\?flow=[0-9a-f-]{36}$/);
      assert.match(free.posted.location!, /^\/register\/code\?flow=[0-9a-f-]{36}$/);
      assert.equal(taken.posted.text, free.posted.text);
      assert.deepEqual(taken.work, free.work, 'the same rows are written either way (flow, code, outbox, rate events)');
      assert.equal(taken.hashes, free.hashes, 'the same argon2 work either way');

      const normalize = (answer: typeof taken) =>
        withoutTokens(answer.page.text).replaceAll(answer.flowId, 'FLOW').replaceAll(answer.address, 'ADDRESS');
      assert.equal(taken.page.status, free.page.status);
      assert.equal(normalize(taken), normalize(free), 'the code pages are identical apart from tokens');

      // The owner is told, and gets no code; the new address gets its code.
      const notice = await app.mail.waitFor((m) => m.to.includes(owner.email) && m.receivedAt >= taken.sentAfter, 10_000);
      assert.equal(notice.subject, 'Someone tried to create an account with your address');
      assert.doesNotMatch(notice.text, /\b\d{6}\b/, 'no code in the notice');
      assert.match(notice.text, /already have an account/);
      const code = await app.codeFor(fresh, free.sentAfter);
      assert.match(code, /^\d{6}$/);

      // No code can ever complete the flow of the taken address: no second account, no session.
      const before = await countRows(app);
      const tried = await taken.browser.post('/register/code', { flow: taken.flowId, code: '123456' });
      assert.equal(tried.status, 422);
      assert.equal(alertText(tried.text), 'That code is not right. Check it and try again.');
      assert.equal((await countRows(app)).accounts, before.accounts);
      assert.equal((await countRows(app)).sessions, before.sessions);
    });

    test('sign-up: "Get code" on the flow of a taken address answers like any other and mails the owner again, without a code', async () => {
      clock.advance(25 * HOUR);
      const owner = await makeAccount(app, { email: 'again.taken@example.com' });
      const browser = createClient(app.url);
      await browser.get('/register');
      const started = await browser.post('/register', registrationFields(owner.email));
      assert.equal(started.status, 303);
      const flowId = flowIdFrom(started.location);
      await browser.get(started.location!);
      clock.advance(61_000);
      const sentAfter = new Date();
      const resent = await browser.post('/register/resend', { flow: flowId });
      assert.equal(resent.status, 303);
      assert.equal(resent.location, `/register/code?flow=${flowId}&sent=1`);
      const notice = await app.mail.waitFor((m) => m.to.includes(owner.email) && m.receivedAt >= sentAfter, 10_000);
      assert.equal(notice.subject, 'Someone tried to create an account with your address');
      assert.doesNotMatch(notice.text, /\b\d{6}\b/);
    });

    test('sign-up: short, long, common, identifier-built, guessable and mismatched passwords re-render the form (422) with the message inline and the values kept', async () => {
      clock.advance(25 * HOUR);
      const browser = createClient(app.url);
      const email = 'maria.kowalska@example.com';
      const loginName = 'mkowalska';
      const cases = [
        { why: 'short (11 characters)', password: 'abcdefghijk', confirmation: undefined, field: 'password', message: 'Use at least 12 characters.' },
        { why: 'long (129 characters)', password: 'correct horse '.repeat(10).slice(0, 129), confirmation: undefined, field: 'password', message: 'Use at most 128 characters.' },
        { why: 'common', password: 'password1234', confirmation: undefined, field: 'password', message: 'This password is one of the most common ones. Choose another.' },
        { why: 'built from the email', password: 'kowalska2024!!', confirmation: undefined, field: 'password', message: 'Do not build your password from your email or login name.' },
        { why: 'built from the login name', password: 'mkowalska1234', confirmation: undefined, field: 'password', message: 'Do not build your password from your email or login name.' },
        { why: 'guessable', password: 'aaaaaaaaaaaaaaaa', confirmation: undefined, field: 'password', message: 'This password is easy to guess (repeats, sequences or common words). Add a few unrelated words.' },
        { why: 'mismatched', password: GOOD_PASSWORD, confirmation: 'correct horse battery stapler', field: 'password_confirmation', message: 'The two passwords do not match.' },
      ];
      const before = await countRows(app);
      for (const c of cases) {
        await browser.get('/register');
        const response = await browser.post('/register', { email, login_name: loginName, password: c.password, password_confirmation: c.confirmation ?? c.password });
        assert.equal(response.status, 422, c.why);
        assert.equal(fieldError(response.text, c.field), c.message, `${c.why}: the message sits beside the ${c.field} field`);
        assert.match(response.text, /<form method="post" action="\/register"/, `${c.why}: the form is shown again`);
        assert.ok(response.text.includes(`name="email" type="email" value="${email}"`), `${c.why}: the email is kept`);
        assert.ok(response.text.includes(`name="login_name" type="text" value="${loginName}"`), `${c.why}: the login name is kept`);
        assert.ok(response.text.includes('aria-invalid="true"'), `${c.why}: the field is marked invalid`);
      }
      assert.deepEqual(await countRows(app), before, 'no flow, code, mail or account for a refused password');
    });

    test('sign-up: password length counts characters as people see them (12 needed), not UTF-16 units', async () => {
      clock.advance(25 * HOUR);
      const browser = createClient(app.url);
      const graphemes = (text: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].length;
      const eleven = 'Ёжик🦔втуман'; // 11 characters, 12 UTF-16 units
      const twelve = 'Ёжик🦔втумане'; // 12 characters
      assert.equal(graphemes(eleven), 11);
      assert.equal(eleven.length, 12);
      assert.equal(graphemes(twelve), 12);
      await browser.get('/register');
      const short = await browser.post('/register', registrationFields('unicode.person@example.com', eleven));
      assert.equal(short.status, 422);
      assert.equal(fieldError(short.text, 'password'), 'Use at least 12 characters.');
      await browser.get('/register');
      const ok = await browser.post('/register', registrationFields('unicode.person@example.com', twelve));
      assert.equal(ok.status, 303, fieldError(ok.text));
    });
  });
}
