// The passkey way of a flow's verification step (src/passkeys/passkey-way.tsx) as a browser
// takes it: GET the step page, let the software authenticator answer the options it carries,
// POST the answer back. Shared by the two-step, recovery and Change password tests.
import assert from 'node:assert/strict';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { TestGatehouse } from '../harness/test-app.ts';
import type { Client } from '../harness/http-client.ts';
import type { Bend, SoftwareAuthenticator } from '../harness/software-authenticator.ts';
import { enrollAuthenticator, makeBackupCodes, signedInShopper, turnOnTwoStep, type Shopper } from '../factors/factors-kit.ts';
import { addPasskey, authenticatorFor } from './passkey-page-kit.ts';

const unescapeHtml = (text: string) => text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The request options the step page hands to static/passkey-assertion.js. */
export function requestOptionsIn(html: string): PublicKeyCredentialRequestOptionsJSON {
  assert.match(html, /data-passkey-assertion/, 'the page carries the shared assertion form');
  const raw = /data-options="([^"]*)"/.exec(html)?.[1];
  assert.ok(raw, 'the step page carries request options');
  return JSON.parse(unescapeHtml(raw));
}

export interface PasskeyOwner extends Shopper {
  authenticator: SoftwareAuthenticator;
  credentialId: string;
  secret: string;
  backupCodes: string[];
}

/** A signed-in shopper with a passkey and, as asked, an authenticator app, backup codes, two-step on. */
export async function passkeyOwner(app: TestGatehouse, email: string, options: { totp?: boolean; backupCodes?: boolean; twoStep?: boolean; locale?: 'en' | 'ru' } = {}): Promise<PasskeyOwner> {
  const shopper = await signedInShopper(app, email, options.locale ?? 'en');
  const { response, authenticator } = await addPasskey(app, shopper, authenticatorFor(app));
  assert.equal(response.status, 303, `the passkey is added (${response.status})`);
  let secret = '';
  let backupCodes: string[] = [];
  if (options.totp) ({ secret, backupCodes } = await enrollAuthenticator(app, shopper));
  if (options.backupCodes) backupCodes = await makeBackupCodes(shopper);
  if (options.twoStep) await turnOnTwoStep(shopper);
  return { ...shopper, authenticator, credentialId: authenticator.credentialIds()[0]!, secret, backupCodes };
}

/** GET the passkey step, answer with `authenticator` (bent as asked), POST; the page, the options, the answer and the reply. */
export async function usePasskey(browser: Client, path: string, flowId: string, authenticator: SoftwareAuthenticator, bend: Bend & { credentialId?: string } = {}) {
  const page = await browser.get(`${path}?flow=${flowId}`);
  assert.equal(page.status, 200, `the passkey step opens (${page.status} ${page.location ?? ''})`);
  const options = requestOptionsIn(page.text);
  const answer = authenticator.authenticate(options, bend);
  const response = await browser.post(path, { flow: flowId, response: JSON.stringify(answer) });
  return { page, options, answer, response };
}

/** POST an answer as it is (a replay, or bad input). */
export const postAnswer = (browser: Client, path: string, flowId: string, answer: AuthenticationResponseJSON | string) =>
  browser.post(path, { flow: flowId, response: typeof answer === 'string' ? answer : JSON.stringify(answer) });

/** Wrong-code tries counted against the account's shared 24 h budget (recovery's, or the second step's). */
export async function wrongTriesOf(app: TestGatehouse, accountId: string, bucket: 'wrong_code' | 'wrong_code:second_step'): Promise<number> {
  const rows = await app.gatehouse.services.db.selectFrom('rate_events').select('id').where('bucket', '=', bucket).where('subject', '=', `account:${accountId}`).execute();
  return rows.length;
}
