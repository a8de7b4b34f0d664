// The claim's lease (issue 9 §5): a node killed holding a mail delays it by the 15 s lease, not a
// minute; a node still sending renews it, so a slow mail server never gets the mail twice.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { createDispatcher, DEFAULT_LEASE_MS } from '../../src/courier/dispatcher.ts';
import { enqueueEmail } from '../../src/courier/outbox.ts';
import { createSmtpSender, type MailSender } from '../../src/courier/smtp-transport.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { testDialects } from '../harness/databases.ts';
import { captureLogger, courierKit, FROM, MESSAGE_ID_DOMAIN, senderFor, STORE, type Kit } from './courier-kit.ts';

const notice = { template: 'password_changed' as const, locale: 'en' as const, to: 'lease.owner@example.com', data: { storeName: STORE, time: 'now', secureUrl: 'https://store.test/r' } };

/** Another Gatehouse node: its own connection pool to the same database, its own dispatcher. */
function otherNode(kit: Kit, sender: MailSender, options: { renewEveryMs?: number } = {}) {
  const database = openDatabase(kit.database.config);
  const dispatcher = createDispatcher({ db: database.db, secrets: kit.secrets, clock: kit.clock, logger: captureLogger(), storeName: STORE, messageIdDomain: MESSAGE_ID_DOMAIN, sender, ...options });
  kit.onCleanup(async () => {
    await dispatcher.stop();
    await database.close();
  });
  return dispatcher;
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`gave up waiting: ${what}`);
}

for (const kind of testDialects) {
  describe(`outbox lease (${kind})`, () => {
    test('a node killed after claiming a mail delays it by the 15 s lease: another node delivers it at 15 s, not at 14.999 s', async (t) => {
      const kit = await courierKit(t, kind);
      const catcher = await kit.catcher();
      assert.equal(DEFAULT_LEASE_MS, 15_000);
      await enqueueEmail(kit.db, kit.deps, notice);

      // Node A claims the mail and "dies" mid-send: its send never returns and its renewal timer
      // never fires again, as in a process killed with SIGKILL.
      let kill!: (error: Error) => void;
      const frozen: MailSender = { send: () => new Promise<void>((_resolve, reject) => (kill = reject)), close() {} };
      const nodeA = otherNode(kit, frozen, { renewEveryMs: 3_600_000 });
      const passA = nodeA.deliverDueMessages();
      await until(async () => (await kit.rows())[0].status === 'sending', 'node A claims the mail');

      const nodeB = kit.dispatcher({ sender: senderFor(catcher.port) });
      kit.clock.advance(DEFAULT_LEASE_MS - 1);
      assert.equal(await nodeB.deliverDueMessages(), 0, 'the lease still protects the claim');
      kit.clock.advance(2);
      assert.equal(await nodeB.deliverDueMessages(), 1, 'taken over once the lease ran out');
      assert.equal(catcher.messages().length, 1);

      // Whatever the dead node's send finally says, its late write must not undo the delivery.
      kill(new Error('connection reset'));
      assert.equal(await passA, 0);
      const [row] = await kit.rows();
      assert.equal(row.status, 'sent');
      assert.equal(Number(row.attempts), 1);
    });

    test('a send slower than the lease is not sent twice: the sending node renews its lease while the server has not answered', async (t) => {
      const kit = await courierKit(t, kind);
      // A mail server that takes the message and then holds its reply until the test lets go.
      let received = 0;
      let answer!: () => void;
      const held = new Promise<void>((resolve) => (answer = resolve));
      const slow = new SMTPServer({
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        onData(stream, _session, callback) {
          stream.resume();
          stream.on('end', () => {
            received += 1;
            void held.then(() => callback());
          });
        },
      });
      await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', () => resolve()));
      kit.onCleanup(() => new Promise<void>((resolve) => slow.close(() => resolve())));
      const port = (slow.server.address() as { port: number }).port;
      // Long socket timeouts: the server is slow on purpose, not dead.
      const patient = createSmtpSender({ url: `smtp://127.0.0.1:${port}`, from: FROM, timeoutMs: 60_000 });
      kit.onCleanup(() => patient.close());

      await enqueueEmail(kit.db, kit.deps, notice);
      const nodeA = otherNode(kit, patient, { renewEveryMs: 20 });
      const passA = nodeA.deliverDueMessages();
      await until(async () => received === 1, 'the server has the message and is holding its reply');

      // 75 s go by while the server sits on its reply: five leases' worth, more than the old 60 s.
      const nodeB = kit.dispatcher({ sender: senderFor(port) });
      for (let step = 0; step < 5; step++) {
        kit.clock.advance(15_000);
        await until(async () => Number((await kit.rows())[0].lease_until) === kit.clock.now() + DEFAULT_LEASE_MS, 'node A renews its lease');
        assert.equal(await nodeB.deliverDueMessages(), 0, `after ${(step + 1) * 15} s the claim is still node A's`);
      }
      answer();
      assert.equal(await passA, 1);
      assert.equal(received, 1, 'the server saw the message once');
      const [row] = await kit.rows();
      assert.equal(row.status, 'sent');
      assert.equal(row.lease_until, null);
    });
  });
}
