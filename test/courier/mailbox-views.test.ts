// The development mailbox shows each email as the shopper sees it (its HTML, framed and
// sandboxed), its text part and its headers, and /dev/mailbox.json lists the same for scripts
// (src/courier/mailbox-routes.tsx). Here Gatehouse runs on its own built-in mail catcher, as
// `npm start` does.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../harness/databases.ts';
import { gatehouseForSuite } from '../harness/test-app.ts';
import { createClient } from '../harness/http-client.ts';

const PASSWORD = 'correct horse battery staple';
const dialect = testDialects[0]!;

describe(`the development mailbox's views (${dialect})`, () => {
  // SMTP_URL empty: the built-in catcher and /dev/mailbox, as on a newcomer's machine.
  const app = gatehouseForSuite(dialect, { env: { SMTP_URL: '' } });

  async function oneMail(email: string) {
    const browser = createClient(app.url);
    await browser.get('/register');
    const posted = await browser.post('/register', { email, password: PASSWORD, password_confirmation: PASSWORD });
    assert.equal(posted.status, 303);
    return app.gatehouse.services.mailCatcher!.waitFor((message) => message.to === email, 10_000);
  }

  test('GET /dev/mailbox.json lists each email with to, subject, time, text, HTML and headers, newest first', async () => {
    const first = await oneMail('json.first@example.com');
    const second = await oneMail('json.second@example.com');
    const answer = await createClient(app.url).get('/dev/mailbox.json');
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type')!, /^application\/json/);
    const { mail, texts } = JSON.parse(answer.text);
    assert.deepEqual(texts, []);
    const mine = mail.filter((m: { to: string }) => m.to.startsWith('json.'));
    assert.deepEqual(mine.map((m: { to: string }) => m.to), ['json.second@example.com', 'json.first@example.com'], 'newest first');
    const listed = mine[1];
    assert.equal(listed.id, first.id);
    assert.equal(listed.subject, first.subject);
    assert.equal(listed.receivedAt, first.receivedAt.toISOString());
    assert.equal(listed.text, first.text);
    assert.match(listed.text, /\b\d{6}\b/, 'the code is in the text');
    assert.equal(listed.html, first.html);
    assert.match(listed.html, /^<!DOCTYPE html>/);
    assert.ok(listed.headers.some((line: string) => /^Subject: /i.test(line)), 'the headers as sent');
    assert.ok(listed.headers.some((line: string) => /^Message-ID: /i.test(line)));
    assert.equal(second.to, 'json.second@example.com');
  });

  test('each email has its HTML in a sandboxed frame, its text and its headers; the frame’s page loads nothing and runs nothing', async () => {
    const mail = await oneMail('framed@example.com');
    const client = createClient(app.url);
    const page = await client.get('/dev/mailbox');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy')!, /; frame-src 'self'$/, 'the mailbox may frame our own pages only');
    const item = page.text.slice(page.text.indexOf(`data-mail-id="${mail.id}"`));
    assert.match(item, new RegExp(`<iframe class="mail-frame" sandbox="" src="/dev/mailbox/${mail.id}\\.html" title="The email “[^"]+” as the shopper sees it" loading="lazy">`));
    assert.match(item, /data-tab-name="Text"><h3 class="mail-view-title">Text<\/h3><pre class="mail-text">[^<]*\d{6}/);
    assert.match(item, /data-tab-name="Headers"><h3 class="mail-view-title">Headers<\/h3><pre class="mail-text mail-headers">[^<]*Subject: /);

    const framed = await client.get(`/dev/mailbox/${mail.id}.html`);
    assert.equal(framed.status, 200);
    assert.match(framed.headers.get('content-type')!, /^text\/html/);
    assert.equal(framed.text, mail.html);
    assert.equal(framed.headers.get('content-security-policy'), "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox");
    assert.equal(framed.headers.get('x-frame-options'), 'SAMEORIGIN');

    for (const path of ['/dev/mailbox/00000000-0000-4000-8000-000000000000.html', `/dev/mailbox/${mail.id}.txt`, '/dev/mailbox/..%2Fpackage.json']) {
      assert.equal((await client.get(path)).status, 404, path);
    }
  });

  test('the mailbox in Russian names the views in Russian', async () => {
    await oneMail('russian.views@example.com');
    const page = await createClient(app.url).get('/dev/mailbox', { 'accept-language': 'ru' });
    assert.match(page.text, /data-tab-name="Как отправлено \(HTML\)"/);
    assert.match(page.text, /data-tab-name="Заголовки"/);
  });
});
