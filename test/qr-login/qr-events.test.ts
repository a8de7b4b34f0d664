// GET /qr/events: the waiting browser learns of the app's decision by server-sent events
// (DESIGN.md §4): one `event: status` block per change, and the stream ends once approved or settled.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { testDialects } from '../harness/databases.ts';
import type { TestGatehouse } from '../harness/test-app.ts';
import { addAccount, api, appSignIn, newBrowser, openEvents, showQr, startQrGatehouse } from './qr-kit.ts';

for (const dialect of testDialects) {
  describe(`QR event stream on ${dialect}`, () => {
    let app: TestGatehouse;
    let bearer: string;
    before(async () => {
      app = await startQrGatehouse(dialect);
      await addAccount(app, { email: 'streamer@example.com', loginName: 'streamer' });
      bearer = await appSignIn(app, 'streamer');
    });
    after(() => app.close());

    test('the event stream reports pending, then scanned when the app scans, then approved, and then ends', async () => {
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      const stream = await openEvents(app.url, browser.cookie());
      try {
        assert.equal(stream.response.status, 200);
        assert.match(stream.response.headers.get('content-type') ?? '', /^text\/event-stream/);
        assert.equal(stream.response.headers.get('cache-control'), 'no-store');
        assert.equal((await stream.next()).status, 'pending');

        assert.equal((await api(app, bearer, '/api/v1/qr/scan', { token })).status, 200);
        assert.equal((await stream.next(3000)).status, 'scanned');

        assert.equal((await api(app, bearer, '/api/v1/qr/confirm', { token })).status, 200);
        assert.equal((await stream.next(3000)).status, 'approved');

        await Promise.race([stream.ended, new Promise((_, reject) => setTimeout(() => reject(new Error('the stream did not end after approved')), 3000))]);
        assert.deepEqual(stream.events.map((e) => e.status), ['pending', 'scanned', 'approved']);
        assert.match(stream.raw, /^event: status\ndata: \{"status":"pending"\}\n\n/, 'each change is an `event: status` block with JSON data');
      } finally {
        await stream.close();
      }
      // The stream only reports; completing is still the browser's own step.
      assert.equal((await browser.post('/qr/complete', {})).status, 303);
    });

    test('the event stream reports denied and ends when the app cancels', async () => {
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      const stream = await openEvents(app.url, browser.cookie());
      try {
        assert.equal((await stream.next()).status, 'pending');
        await api(app, bearer, '/api/v1/qr/scan', { token });
        assert.equal((await stream.next(3000)).status, 'scanned');
        assert.equal((await api(app, bearer, '/api/v1/qr/cancel', { token })).status, 200);
        assert.equal((await stream.next(3000)).status, 'denied');
        await stream.ended;
        assert.deepEqual(stream.events.map((e) => e.status), ['pending', 'scanned', 'denied']);
      } finally {
        await stream.close();
      }
    });

    test('the event stream opened after the approval reports approved at once and ends', async () => {
      const browser = newBrowser(app.url);
      const { token } = await showQr(browser);
      await api(app, bearer, '/api/v1/qr/scan', { token });
      await api(app, bearer, '/api/v1/qr/confirm', { token });
      const stream = await openEvents(app.url, browser.cookie());
      try {
        assert.equal((await stream.next()).status, 'approved');
        await stream.ended;
        assert.deepEqual(stream.events.map((e) => e.status), ['approved']);
      } finally {
        await stream.close();
      }
    });

    test('an event stream the browser closes stops re-reading the row at once (no 150 s poll left behind)', async () => {
      const { qrLogin } = app.gatehouse.services;
      const original = qrLogin.statusForBrowser;
      const originalSubscribe = qrLogin.subscribe;
      let reads = 0;
      qrLogin.statusForBrowser = (secret) => {
        reads++;
        return original(secret);
      };
      // The stream's stop() unsubscribes and clears its re-read timer in one go: seeing the
      // unsubscribe is seeing the server notice that the browser went away.
      let unsubscribed!: () => void;
      const stopped = new Promise<void>((resolve) => (unsubscribed = resolve));
      qrLogin.subscribe = (id, listener) => {
        const unsubscribe = originalSubscribe(id, listener);
        return () => {
          unsubscribe();
          unsubscribed();
        };
      };
      try {
        const browser = newBrowser(app.url);
        await showQr(browser);
        const stream = await openEvents(app.url, browser.cookie());
        assert.equal((await stream.next()).status, 'pending');
        // The first read, then one a second: wait for the third rather than for a fixed time.
        for (const deadline = Date.now() + 10_000; reads < 3 && Date.now() < deadline; ) await sleep(50);
        assert.ok(reads >= 3, `the open stream re-reads about once a second (${reads} reads)`);
        await stream.close();
        await Promise.race([stopped, sleep(10_000, undefined, { ref: false }).then(() => assert.fail('the server never noticed the closed stream'))]);
        const afterClose = reads;
        // One re-read period (RE_READ_MS, 1 s) and a little: a timer left running would read again in it.
        await sleep(1200);
        assert.equal(reads, afterClose, 'no re-reads after the browser went away');
      } finally {
        qrLogin.statusForBrowser = original;
        qrLogin.subscribe = originalSubscribe;
      }
    });

    test('the event stream without the QR cookie is refused like an unknown request, not opened', async () => {
      const stranger = newBrowser(app.url);
      await stranger.get('/register');
      const stream = await openEvents(app.url, stranger.cookie(), { accept: 'application/json' });
      try {
        assert.equal(stream.response.status, 404);
        await stream.ended;
        assert.equal(stream.events.length, 0);
      } finally {
        await stream.close();
      }
    });
  });
}
