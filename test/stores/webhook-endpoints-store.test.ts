// src/webhooks/webhook-endpoints.ts on both databases: add (secret once, sealed), list, the
// subscribers of a type, what a delivery needs, remove.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWebhookEndpoints } from '../../src/webhooks/webhook-endpoints.ts';
import { storeSuite } from './store-kit.ts';

storeSuite('webhook endpoints store', (s) => {
  const endpoints = () => createWebhookEndpoints(s.db, s.secrets, s.clock);

  test('an endpoint is added with its events and a secret returned once; the row holds the secret sealed', async () => {
    const added = await endpoints().add({ url: 'https://orders.example/hooks', events: 'password.changed,account.locked' });
    assert.ok(added.ok);
    assert.deepEqual(added.endpoint.events, ['password.changed', 'account.locked']);
    const row = await s.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', added.endpoint.id).executeTakeFirstOrThrow();
    assert.ok(!row.secret_sealed.includes(added.secret.slice(6)), 'never readable in the row');
    assert.deepEqual(await endpoints().forDelivery(added.endpoint.id), { url: 'https://orders.example/hooks', secret: added.secret });
    assert.ok((await endpoints().list()).some((e) => e.id === added.endpoint.id && !('secret' in e)));
  });

  test('subscribers of a type are the endpoints that named it or *, read through the given executor', async () => {
    const store = endpoints();
    const locked = await store.add({ url: 'https://a.example/h', events: 'account.locked' });
    const all = await store.add({ url: 'https://b.example/h', events: '*' });
    assert.ok(locked.ok && all.ok);
    const wanted = await s.db.transaction().execute((trx) => store.subscribedTo(trx, 'account.locked'));
    assert.ok(wanted.includes(locked.endpoint.id) && wanted.includes(all.endpoint.id));
    const other = await store.subscribedTo(s.db, 'qr.denied');
    assert.ok(!other.includes(locked.endpoint.id) && other.includes(all.endpoint.id));
  });

  test('a bad URL or event list adds nothing; remove is true once, then false, and the endpoint is gone', async () => {
    const before = (await endpoints().list()).length;
    assert.equal((await endpoints().add({ url: 'http://orders.example/hooks', events: '*' })).ok, false);
    assert.equal((await endpoints().add({ url: 'https://orders.example/hooks', events: 'nope' })).ok, false);
    assert.equal((await endpoints().list()).length, before);
    const added = await endpoints().add({ url: 'https://c.example/h', events: '*' });
    assert.ok(added.ok);
    assert.equal(await endpoints().remove(added.endpoint.id), true);
    assert.equal(await endpoints().remove(added.endpoint.id), false);
    assert.equal(await endpoints().forDelivery(added.endpoint.id), undefined);
  });
});
