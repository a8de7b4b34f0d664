// Helpers for the second-factor tests: a signed-in shopper, and the real forms of My account →
// Security to add a phone (code read from the embedded SMS catcher), set up an authenticator (codes
// computed by Debian's oathtool, the independent implementation), make backup codes, and turn on
// two-step sign-in.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createClient, type Client } from '../harness/http-client.ts';
import type { TestGatehouse } from '../harness/test-app.ts';
import { flowIdFrom, makeAccount, signInOk, type MadeAccount } from '../security/kit.ts';

export const PHONE = '+447911123456';
export const PHONE_MASKED_END = '56';

/** The 6-digit TOTP code for `secret` at `when`, computed by oathtool (RFC 6238, SHA-1, 30 s). */
export function oathtool(secret: string, when: Date | number): string {
  const at = new Date(when).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const run = spawnSync('oathtool', ['--totp=SHA1', '--base32', '--digits=6', '--time-step-size=30s', `--now=${at}`, '-'], { input: secret, encoding: 'utf8' });
  assert.equal(run.status, 0, `oathtool failed: ${run.stderr}`);
  return run.stdout.trim();
}

/** The app's own clock (tests may run a manual clock). */
export const appNow = (app: TestGatehouse) => app.gatehouse.services.clock.now();

/** The newest text message to `to` caught after `after`; returns its 6-digit code. */
export async function smsCodeFor(app: TestGatehouse, to: string, after: Date): Promise<string> {
  const catcher = app.gatehouse.services.smsCatcher;
  assert.ok(catcher, 'the embedded SMS catcher runs (no SMS provider configured)');
  const message = await catcher.waitFor((m) => m.to === to && m.receivedAt >= after, 10_000);
  const code = /^(\d{6})\b/.exec(message.body)?.[1];
  assert.ok(code, `the text starts with the code: ${message.body}`);
  return code;
}

export const smsCount = (app: TestGatehouse, to?: string) => app.gatehouse.services.smsCatcher!.messages().filter((m) => !to || m.to === to).length;

/** A moment strictly after every message already caught. */
export const afterNow = () => new Date(Date.now() + 1);

export interface Shopper extends MadeAccount {
  browser: Client;
}

/** An account and a browser signed in to it (so "Confirm it's you" is not needed for 10 minutes). */
export async function signedInShopper(app: TestGatehouse, email: string, options: 'en' | 'ru' | { locale?: 'en' | 'ru'; password?: string } = 'en'): Promise<Shopper> {
  const { locale = 'en', password } = typeof options === 'string' ? { locale: options } : options;
  const account = await makeAccount(app, { email, locale, password });
  const browser = createClient(app.url);
  await signInOk(browser, email, account.password);
  return { ...account, browser };
}

/** My account → Security → Add phone number → the SMS code. */
export async function addPhone(app: TestGatehouse, shopper: Shopper, number = PHONE): Promise<void> {
  const page = await shopper.browser.get('/account/security/phone');
  assert.equal(page.status, 200, `the phone form opens (${page.status})`);
  const sentAfter = afterNow();
  const started = await shopper.browser.post('/account/security/phone', { phone: number });
  assert.equal(started.status, 303, `the number is accepted (${started.status}): ${started.text.slice(0, 300)}`);
  const flowId = flowIdFrom(started.location);
  const code = await smsCodeFor(app, number.replace(/[^\d+]/g, ''), sentAfter);
  const confirmed = await shopper.browser.post('/account/security/phone/code', { flow: flowId, code });
  assert.equal(confirmed.status, 303, `the SMS code confirms the number (${confirmed.status})`);
  assert.equal(confirmed.location, '/account/security?saved=phone');
}

/** My account → Security → Set up authenticator app; confirms with oathtool's code. */
export async function enrollAuthenticator(app: TestGatehouse, shopper: Shopper): Promise<{ secret: string; backupCodes: string[] }> {
  const started = await shopper.browser.post('/account/security/authenticator/start', {});
  assert.equal(started.status, 303, `set-up starts (${started.status})`);
  const flowId = flowIdFrom(started.location);
  const page = await shopper.browser.get(started.location!);
  assert.equal(page.status, 200);
  const secret = /data-totp-secret="([A-Z2-7]+)"/.exec(page.text)?.[1];
  assert.ok(secret, 'the set-up page shows the secret for typing');
  const confirmed = await shopper.browser.post('/account/security/authenticator', { flow: flowId, code: oathtool(secret, appNow(app)) });
  assert.equal(confirmed.status, 200, `oathtool's code turns the authenticator on and shows the first backup codes (${confirmed.status})`);
  return { secret, backupCodes: backupCodesIn(confirmed.text) };
}

export function backupCodesIn(html: string): string[] {
  return [...html.matchAll(/data-backup-code="([a-z0-9-]+)"/g)].map((m) => m[1]!);
}

export async function turnOnTwoStep(shopper: Shopper): Promise<void> {
  const response = await shopper.browser.post('/account/security/two-step', { on: '1' });
  assert.equal(response.status, 303, `two-step turns on (${response.status})`);
  assert.equal(response.location, '/account/security?saved=on');
}

/** The password step of sign-in for a two-step account: where it sends the browser next. */
export async function passwordStep(app: TestGatehouse, browser: Client, identifier: string, password: string): Promise<{ location: string; flowId: string }> {
  await browser.get('/login');
  const response = await browser.post('/login', { identifier, password });
  assert.equal(response.status, 303, `the password is accepted (${response.status})`);
  assert.match(response.location ?? '', /^\/login\/verify\//, 'a second step is asked for');
  return { location: response.location!, flowId: flowIdFrom(response.location) };
}

// ---- Helpers for security-settings*.test.ts and two-step*.test.ts --------------------------------
import { createManualClock } from '../../src/shared/clock.ts';
import { startTestGatehouse } from '../harness/test-app.ts';
import type { TestDialect } from '../harness/databases.ts';
import { TABLES } from '../security/kit.ts';

export type ManualClock = ReturnType<typeof createManualClock>;

/** The "recent verification" window for changing factors (10 minutes). */
export const REVERIFY_WINDOW_MS = 10 * 60_000;
/** One TOTP step. */
export const STEP_MS = 30_000;

/**
 * A Gatehouse on a manual clock (TOTP steps, the re-verification window, code lifetimes and the
 * resend wait are moved by hand). The per-number SMS cap is raised so tests that send several
 * codes to one number are not stopped by it (test/courier covers the cap itself).
 */
export async function startClockedGatehouse(dialect: TestDialect, env: Record<string, string> = {}): Promise<{ app: TestGatehouse; clock: ManualClock }> {
  const clock = createManualClock();
  const app = await startTestGatehouse(dialect, { clock, env: { SMS_PER_NUMBER_PER_HOUR: '50', ...env } });
  return { app, clock };
}

/** Every row of every table, the second-factor tables included, as one string. */
export async function dumpAllTables(app: TestGatehouse): Promise<string> {
  const db = app.gatehouse.services.db;
  const parts: string[] = [];
  for (const table of [...TABLES, 'account_phones', 'totp_credentials', 'backup_codes'] as const) {
    parts.push(`${table}: ${JSON.stringify(await db.selectFrom(table).selectAll().execute())}`);
  }
  return parts.join('\n');
}

/** The account's factor rows and two-step switch, to prove a refused request changed nothing. */
export async function factorState(app: TestGatehouse, accountId: string): Promise<string> {
  const db = app.gatehouse.services.db;
  const [phone, totp, codes, account] = await Promise.all([
    db.selectFrom('account_phones').selectAll().where('account_id', '=', accountId).executeTakeFirst(),
    db.selectFrom('totp_credentials').selectAll().where('account_id', '=', accountId).executeTakeFirst(),
    db.selectFrom('backup_codes').select(['code_hash', 'used_at']).where('account_id', '=', accountId).orderBy('code_hash').execute(),
    db.selectFrom('accounts').select('two_step_enabled_at').where('id', '=', accountId).executeTakeFirstOrThrow(),
  ]);
  return JSON.stringify({ phone: phone ?? null, totp: totp ?? null, codes, twoStep: account.two_step_enabled_at });
}

/** POST /account/confirm ("Confirm it's you") with this password; returns the response. */
export async function reverify(shopper: Shopper, password: string, returnTo = '/account/security') {
  await shopper.browser.get(`/account/confirm?return_to=${encodeURIComponent(returnTo)}`);
  return shopper.browser.post('/account/confirm', { password, return_to: returnTo });
}

/** Starts adding a number: returns the set-up flow and the code texted to it. */
export async function startPhone(app: TestGatehouse, shopper: Shopper, number = PHONE): Promise<{ flowId: string; code: string }> {
  await shopper.browser.get('/account/security/phone');
  const sentAfter = afterNow();
  const started = await shopper.browser.post('/account/security/phone', { phone: number });
  assert.equal(started.status, 303, `the number is accepted (${started.status})`);
  return { flowId: flowIdFrom(started.location), code: await smsCodeFor(app, number, sentAfter) };
}

/** A 6-digit code that is not this one. */
export const otherCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

/** The `data-two-step` badge of the Security page: 'on' or 'off'. */
export async function twoStepBadge(shopper: Shopper): Promise<string | undefined> {
  const page = await shopper.browser.get('/account/security');
  assert.equal(page.status, 200);
  return /data-two-step="(on|off)"/.exec(page.text)?.[1];
}

/** An account with the authenticator enrolled and two-step sign-in on; the clock moved one step on. */
export async function twoStepShopper(app: TestGatehouse, clock: ManualClock, email: string, options: { phone?: boolean; totp?: boolean } = { totp: true }) {
  const shopper = await signedInShopper(app, email);
  if (options.phone) await addPhone(app, shopper);
  const enrolled = options.totp ? await enrollAuthenticator(app, shopper) : { secret: '', backupCodes: [] as string[] };
  await turnOnTwoStep(shopper);
  clock.advance(STEP_MS);
  return { ...shopper, ...enrolled };
}

// ---- recovery and Change password with the other ways (test/factors/recovery-*.test.ts,
// test/factors/change-password-other-ways.test.ts) ---------------------------------------------

/** A distinct valid UK mobile number per account (the per-number SMS cap is 3 texts an hour). */
export const phoneNo = (i: number) => `+4479111234${String(i).padStart(2, '0')}`;

/** My account → Security → Backup codes: a new set (works without an authenticator); returns the codes shown. */
export async function makeBackupCodes(shopper: Shopper): Promise<string[]> {
  const response = await shopper.browser.post('/account/security/backup-codes', {});
  assert.equal(response.status, 200, `backup codes are made (${response.status})`);
  const codes = backupCodesIn(response.text);
  assert.equal(codes.length, 10);
  return codes;
}

/** "Text me a code" on the Other ways page of either kind; reads the code from the catcher when `to` is given. */
export async function sendTextCode(app: TestGatehouse, browser: Client, flowId: string, to?: string, base = '/recovery'): Promise<{ status: number; location: string | null; code: string }> {
  const sentAfter = afterNow();
  const response = await browser.post(`${base}/sms/send`, { flow: flowId });
  return { status: response.status, location: response.location, code: to && response.status === 303 ? await smsCodeFor(app, to, sentAfter) : '' };
}

/** Rows of one table matching a column, to count what a request wrote. */
export async function countWhere(app: TestGatehouse, table: 'outbox' | 'rate_events', column: string, value: string): Promise<number> {
  const db = app.gatehouse.services.db as any;
  const row = await db.selectFrom(table).select((eb: any) => eb.fn.countAll().as('n')).where(column, '=', value).executeTakeFirstOrThrow();
  return Number(row.n);
}

export const SECOND_STEP_PATHS = { totp: '/login/verify/authenticator', backup_code: '/login/verify/backup-code', sms: '/login/verify/sms' } as const;

/** Password, then one second-step code, in a new browser (or the one given). */
export async function signInWithSecondStep(app: TestGatehouse, account: { email: string; password: string }, way: keyof typeof SECOND_STEP_PATHS, code: string, browser: Client = createClient(app.url)) {
  const first = await passwordStep(app, browser, account.email, account.password);
  const response = await browser.post(SECOND_STEP_PATHS[way], { flow: first.flowId, code });
  return { response, flowId: first.flowId, browser };
}

/** Sessions rows of the account (any state). */
export async function sessionCount(app: TestGatehouse, accountId: string): Promise<number> {
  const rows = await app.gatehouse.services.db.selectFrom('sessions').select('id').where('account_id', '=', accountId).execute();
  return rows.length;
}
