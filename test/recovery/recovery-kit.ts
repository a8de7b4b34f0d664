// Helpers for the recovery and Change password tests: walk the steps through the real forms and
// read the codes from the caught mail.
import assert from 'node:assert/strict';
import type { Client, Response } from '../harness/http-client.ts';
import type { TestGatehouse } from '../harness/test-app.ts';
import { flowIdFrom } from '../security/kit.ts';

export const NEW_PASSWORD = 'violet harbor compass 2026';
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** A code that is not this one (the i-th such). */
export const wrongCode = (code: string, i = 0) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');

/** A moment strictly after every mail already caught (a mail read just now can share this millisecond). */
export const afterNow = () => new Date(Date.now() + 1);

/** "Forgot password?" → the identifier → the code page; reads the emailed code when `mailTo` is given. */
export async function startRecovery(app: TestGatehouse, browser: Client, identifier: string, mailTo?: string): Promise<{ flowId: string; code: string; response: Response }> {
  await browser.get('/recovery');
  const sentAfter = afterNow();
  const response = await browser.post('/recovery', { identifier });
  assert.equal(response.status, 303, `recovery for ${identifier} starts (${response.status})`);
  const flowId = flowIdFrom(response.location);
  return { flowId, response, code: mailTo ? await app.codeFor(mailTo, sentAfter) : '' };
}

/** *Get code* on the code page of either kind; asserts it was accepted and reads the new code. */
export async function resendCode(app: TestGatehouse, browser: Client, flowId: string, mailTo: string, path = '/recovery/resend'): Promise<string> {
  const sentAfter = afterNow();
  const response = await browser.post(path, { flow: flowId });
  assert.equal(response.status, 303, `resend accepted (${response.status})`);
  return app.codeFor(mailTo, sentAfter);
}

/** My account → Settings → Change password, from a signed-in browser. */
export async function startPasswordChange(app: TestGatehouse, browser: Client, mailTo: string): Promise<{ flowId: string; code: string }> {
  await browser.get('/account/settings');
  const sentAfter = afterNow();
  const response = await browser.post('/account/password', {});
  assert.equal(response.status, 303, `change password starts (${response.status})`);
  assert.match(response.location ?? '', /^\/account\/password\/code\?flow=/);
  return { flowId: flowIdFrom(response.location), code: await app.codeFor(mailTo, sentAfter) };
}

/** The right code → the new-password form → *Update password*; asserts each step went through. */
export async function finishRecovery(browser: Client, flowId: string, code: string, password = NEW_PASSWORD, signOutOthers = true, prefix = '/recovery') {
  const confirmed = await browser.post(`${prefix}/code`, { flow: flowId, code });
  assert.equal(confirmed.status, 303, `the right code is accepted (${confirmed.status})`);
  const passwordPath = prefix === '/recovery' ? '/recovery/password' : '/account/password/new';
  assert.equal(confirmed.location, `${passwordPath}?flow=${flowId}`);
  await browser.get(confirmed.location!);
  const fields: Record<string, string> = { flow: flowId, password, password_confirmation: password };
  if (signOutOthers) fields.sign_out_others = '1';
  const done = await browser.post(passwordPath, fields);
  assert.equal(done.status, 303, `the new password is set (${done.status})`);
  return done;
}

/** The stored password hash, to show that a refused step changed nothing. */
export async function passwordHashOf(app: TestGatehouse, accountId: string): Promise<string | null> {
  const row = await app.gatehouse.services.db.selectFrom('accounts').select('password_hash').where('id', '=', accountId).executeTakeFirstOrThrow();
  return row.password_hash;
}

/** Outbox rows (queued or delivered mail), to count what a request enqueued. */
/** Messages queued for someone (decoy rows written for unknown accounts have no recipient). */
export async function outboxCount(app: TestGatehouse): Promise<number> {
  const row = await app.gatehouse.services.db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('recipient_sealed', '!=', '')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
