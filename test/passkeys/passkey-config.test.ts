// PASSKEY_RP_ID: PUBLIC_URL's host by default; a parent domain when set; anything else stops
// start-up with one clear line, like the other configuration errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

const base = { PUBLIC_URL: 'https://shop.example.com' };

test('the RP ID is PUBLIC_URL’s host unless PASSKEY_RP_ID names a parent domain', () => {
  assert.equal(loadConfig(base).passkeyRpId, 'shop.example.com');
  assert.equal(loadConfig({ ...base, PASSKEY_RP_ID: 'example.com' }).passkeyRpId, 'example.com');
  assert.equal(loadConfig({ ...base, PASSKEY_RP_ID: 'Shop.Example.com' }).passkeyRpId, 'shop.example.com');
});

test('a PASSKEY_RP_ID that is not PUBLIC_URL’s host or a registrable parent of it stops start-up with one clear line', () => {
  for (const bad of ['other.com', 'com', 'evil-example.com', 'sub.shop.example.com', 'exa mple.com']) {
    assert.throws(() => loadConfig({ ...base, PASSKEY_RP_ID: bad }), (error: Error) => error instanceof ConfigError && /^PASSKEY_RP_ID must be PUBLIC_URL's host \(shop\.example\.com\)/.test(error.message) && !error.message.includes('\n'), bad);
  }
});
