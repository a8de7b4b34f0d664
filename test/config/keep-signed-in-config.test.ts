// KEEP_SIGNED_IN and KEEP_SIGNED_IN_DAYS (src/config/security-config.ts): what the sign-in page
// offers and how long a kept session lives. A typo stops start-up with one line naming the variable,
// rather than silently keeping every shopper signed in (or none).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/config.ts';
import { refusal } from './config-refusal.ts';

test('keep signed in: offered ticked for 30 days by default; ticked, unticked and off are the choices', () => {
  const defaults = loadConfig({}).security;
  assert.equal(defaults.keepSignedIn, 'ticked');
  assert.equal(defaults.keptSessionSeconds, 30 * 24 * 3600);
  for (const offer of ['ticked', 'unticked', 'off', ' OFF ']) assert.equal(loadConfig({ KEEP_SIGNED_IN: offer }).security.keepSignedIn, offer.trim().toLowerCase());
  assert.equal(loadConfig({ KEEP_SIGNED_IN_DAYS: '7' }).security.keptSessionSeconds, 7 * 24 * 3600);
});

test('keep signed in: another word, or a length outside 1–400 days (Chromium keeps no cookie longer), stops start-up naming the variable', () => {
  assert.match(refusal({ KEEP_SIGNED_IN: 'yes' }), /^KEEP_SIGNED_IN must be ticked, unticked or off; got "yes"$/);
  assert.match(refusal({ KEEP_SIGNED_IN_DAYS: '0' }), /^KEEP_SIGNED_IN_DAYS must be between 1 and 400, got 0$/);
  assert.match(refusal({ KEEP_SIGNED_IN_DAYS: '401' }), /^KEEP_SIGNED_IN_DAYS must be between 1 and 400, got 401$/);
  assert.match(refusal({ KEEP_SIGNED_IN_DAYS: '30d' }), /^KEEP_SIGNED_IN_DAYS must be a whole number/);
});
