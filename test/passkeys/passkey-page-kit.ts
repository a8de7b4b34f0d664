// Adding a passkey through My account → Security as a browser would, with the software
// authenticator standing in for navigator.credentials.create.
import assert from 'node:assert/strict';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import type { TestGatehouse } from '../harness/test-app.ts';
import { createSoftwareAuthenticator, type SoftwareAuthenticator } from '../harness/software-authenticator.ts';
import type { Shopper } from '../factors/factors-kit.ts';

const unescapeHtml = (text: string) => text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The creation options the add page hands to its script. */
export function optionsIn(html: string): PublicKeyCredentialCreationOptionsJSON {
  const raw = /data-options="([^"]*)"/.exec(html)?.[1];
  assert.ok(raw, 'the add page carries creation options');
  return JSON.parse(unescapeHtml(raw));
}

export const authenticatorFor = (app: TestGatehouse, aaguid?: string) => createSoftwareAuthenticator({ origin: new URL(app.gatehouse.services.config.publicUrl).origin, aaguid });

/** GET the add page, let the authenticator answer, POST the answer; returns the POST's response. */
/** Security → Add a passkey, answered by `authenticator`; `fields` adds form fields (two_step: '1' is the ticked box). */
export async function addPasskey(app: TestGatehouse, shopper: Shopper, authenticator: SoftwareAuthenticator = authenticatorFor(app), fields: Record<string, string> = {}) {
  const page = await shopper.browser.get('/account/security/passkeys/add');
  assert.equal(page.status, 200, `the add page opens (${page.status} ${page.location ?? ''})`);
  const answer = authenticator.register(optionsIn(page.text));
  return { response: await shopper.browser.post('/account/security/passkeys/add', { response: JSON.stringify(answer), ...fields }), authenticator, answer, page };
}

export const passkeyRows = (app: TestGatehouse, accountId: string) => app.gatehouse.services.db.selectFrom('passkeys').selectAll().where('account_id', '=', accountId).orderBy('created_at').execute();
