// Sign-in by passkey as a browser would do it: GET /login, let the software authenticator answer
// the request options the page hands its script, POST the answer to /login/passkey.
import assert from 'node:assert/strict';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { createClient, type Client } from '../harness/http-client.ts';
import type { Bend, SoftwareAuthenticator } from '../harness/software-authenticator.ts';
import type { TestGatehouse } from '../harness/test-app.ts';

const unescapeHtml = (text: string) => text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The request options of the page's "use a passkey" form. */
export function requestOptionsIn(html: string): PublicKeyCredentialRequestOptionsJSON {
  const raw = /data-passkey-assertion="" data-options="([^"]*)"/.exec(html)?.[1];
  assert.ok(raw, 'the page carries a passkey form with request options');
  return JSON.parse(unescapeHtml(raw));
}

/** GET /login, the authenticator's answer (bent as asked), POST /login/passkey. */
export async function signInWithPasskey(app: TestGatehouse, authenticator: SoftwareAuthenticator, options: { browser?: Client; bend?: Bend & { credentialId?: string }; returnTo?: string } = {}) {
  const browser = options.browser ?? createClient(app.url);
  const page = await browser.get('/login');
  assert.equal(page.status, 200);
  const answer = authenticator.authenticate(requestOptionsIn(page.text), options.bend);
  const response = await browser.post('/login/passkey', { response: JSON.stringify(answer), ...(options.returnTo ? { return_to: options.returnTo } : {}) });
  return { browser, response, answer };
}

/** The error alert's text on a redrawn page. */
export const alertIn = (html: string) => /role="alert"[^>]*>([\s\S]*?)<\/div>/.exec(html)?.[1]?.replace(/<[^>]+>/g, '').trim();

export const sessionRows = (app: TestGatehouse, accountId?: string) => {
  let query = app.gatehouse.services.db.selectFrom('sessions').selectAll();
  if (accountId) query = query.where('account_id', '=', accountId);
  return query.orderBy('created_at').execute();
};
