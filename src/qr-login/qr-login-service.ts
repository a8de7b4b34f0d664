// QR sign-in (DESIGN.md §4). The QR holds only https://<host>/qr/<token>; the browser that asked
// keeps a separate secret in an HttpOnly cookie. Only SHA-256 hashes of both are stored, and
// status and completion need the secret: whoever photographs the QR can neither watch nor finish.
import type { Config } from '../config/config.ts';
import type { enqueueEmail } from '../courier/outbox.ts';
import type { AccountStore } from '../identity/account-store.ts';
import { placeInWords, placeOf, sameNetworkOrCountry, type Place } from '../places/approximate-place.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { describeUserAgent, deviceName } from '../sessions/user-agent.ts';
import type { Clock } from '../shared/clock.ts';
import type { Failure } from '../shared/failure.ts';
import { fail } from '../shared/failure.ts';
import { newId } from '../shared/ids.ts';
import { describeMoment, type Locale } from '../shared/i18n.ts';
import { randomToken, sha256Hex, type Secrets } from '../shared/secrets.ts';
import type { Database } from '../storage/database.ts';
import type { RateEvents } from '../throttling/rate-events.ts';
import { COMPLETE_SECONDS, DECIDE_SECONDS, SCAN_SECONDS, statusAt, type QrStatus } from './qr-login-flow.ts';
import type { QrLoginStore } from './qr-login-store.ts';
import type { SecurityEvents } from '../activity/security-events.ts';
import type { QrNotifier } from './qr-notifier.ts';

export type QrProblem = 'qr.not_found' | 'qr.expired' | 'qr.already_used' | 'qr.not_confirmed' | 'qr.too_many_requests' | 'qr.elsewhere_unconfirmed';

/** The phone (or app) deciding: where it is, for comparing with where the browser is. */
export interface Phone {
  id: string;
  address: string;
}

/** What the app shows before the shopper confirms: who is asking, never anything of the account. */
export interface QrRequestDetails {
  browser: string;
  system: string;
  /** The browser's country in English (the app API's word); null when it cannot be known. */
  place: string | null;
  /** The same country with its name in every language, for pages in the shopper's language. */
  approximatePlace: Place | null;
  clientAddress: string;
  /** Where the phone is now (null when unknown). */
  phonePlace: Place | null;
  /**
   * The browser is not where the phone is (another country or network: places/approximate-place.ts).
   * A relayed QR looks exactly like this, so confirming then takes a second, explicit "yes".
   */
  elsewhere: boolean;
  requestedAt: number;
  decideBy: number;
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function createQrLoginService(deps: {
  db: Database;
  store: QrLoginStore;
  notifier: QrNotifier;
  sessions: SessionService;
  accounts: AccountStore;
  rateEvents: RateEvents;
  secrets: Secrets;
  clock: Clock;
  config: Config;
  enqueueEmail: typeof enqueueEmail;
  wakeCourier: () => void;
  events: SecurityEvents;
}) {
  const { db, store, notifier, sessions, accounts, rateEvents, secrets, clock, config } = deps;
  const createRule = { bucket: 'qr_create_client', limit: 60, windowSeconds: 600 };
  const scanRule = { bucket: 'qr_scan_session', limit: 20, windowSeconds: 600 };

  const byToken = (token: string) => (TOKEN_SHAPE.test(token) ? store.findByTokenHash(sha256Hex(token)) : Promise.resolve(undefined));
  const bySecret = (secret: string | undefined) => (secret && TOKEN_SHAPE.test(secret) ? store.findBySecretHash(sha256Hex(secret)) : Promise.resolve(undefined));

  /** Who is asking, as the phone shows it: a device name from our own list, never header text. */
  async function detailsOf(request: { browser_user_agent: string; browser_address: string; created_at: number }, decideBy: number, locale: Locale, phoneAddress: string): Promise<QrRequestDetails> {
    const { browser, system } = describeUserAgent(request.browser_user_agent, locale);
    // Where the waiting browser is, from the bundled offline database: the shopper compares it with
    // where they are before confirming a sign-in they may not have started.
    const [place, phonePlace, together] = await Promise.all([placeOf(request.browser_address), placeOf(phoneAddress), sameNetworkOrCountry(request.browser_address, phoneAddress)]);
    return {
      browser,
      system,
      place: place ? place.country.en : null,
      approximatePlace: place,
      clientAddress: request.browser_address,
      phonePlace,
      elsewhere: !together,
      requestedAt: request.created_at,
      decideBy,
    };
  }

  return {
    /** A new QR for the sign-in page; the old one of this browser simply runs out. */
    async createRequest(browser: { clientAddress: string; userAgent: string }): Promise<{ ok: true; id: string; token: string; secret: string; url: string; expiresAt: number } | Failure<QrProblem>> {
      const allowed = await rateEvents.consume([createRule], () => `client:${browser.clientAddress}`);
      if (!allowed.ok) return fail('qr.too_many_requests', { retryAfterSeconds: allowed.retryAfterSeconds });
      const now = clock.now();
      const token = randomToken();
      const secret = randomToken();
      const expiresAt = now + SCAN_SECONDS * 1000;
      const id = newId();
      await store.insert({
        id,
        token_hash: sha256Hex(token),
        secret_hash: sha256Hex(secret),
        state: 'pending',
        browser_user_agent: browser.userAgent.slice(0, 512),
        browser_address: browser.clientAddress,
        account_id: null,
        app_session_id: null,
        session_id: null,
        created_at: now,
        scan_by: expiresAt,
        decide_by: null,
        complete_by: null,
        updated_at: now,
      });
      return { ok: true, id, token, secret, url: `${config.publicUrl}/qr/${token}`, expiresAt };
    },

    /** The browser's view: a status and nothing about the account. Unknown secret → not found. */
    async statusForBrowser(secret: string | undefined): Promise<{ ok: true; id: string; status: QrStatus } | Failure<QrProblem>> {
      const request = await bySecret(secret);
      if (!request) return fail('qr.not_found');
      return { ok: true, id: request.id, status: statusAt(request, clock.now()) };
    },

    subscribe: (requestId: string, listener: () => void) => notifier.subscribe(requestId, listener),

    /**
     * What a signed-in phone opening the QR's link sees, changing nothing: a link can be opened by
     * a cross-site page or a link preview, so opening it must not lock the request to whoever
     * opened it (that is the scan, a POST). Once this session has scanned it: the details.
     */
    async peek(appSession: Phone, token: string, locale: Locale = 'en'): Promise<{ ok: true; scanned: false } | { ok: true; scanned: true; details: QrRequestDetails } | Failure<QrProblem>> {
      const allowed = await rateEvents.consume([scanRule], () => `session:${appSession.id}`);
      if (!allowed.ok) return fail('qr.too_many_requests', { retryAfterSeconds: allowed.retryAfterSeconds });
      const request = await byToken(token);
      if (!request) return fail('qr.not_found');
      const status = statusAt(request, clock.now());
      if (status === 'scanned' && request.app_session_id === appSession.id) return { ok: true, scanned: true, details: await detailsOf(request, request.decide_by!, locale, appSession.address) };
      if (status === 'expired') return fail('qr.expired');
      if (status !== 'pending') return fail('qr.already_used');
      return { ok: true, scanned: false };
    },

    /** The app scanned the QR: the request is locked to this shopper's account and session. */
    async scan(appSession: Phone & { accountId: string }, token: string, locale: Locale = 'en'): Promise<{ ok: true; details: QrRequestDetails } | Failure<QrProblem>> {
      const allowed = await rateEvents.consume([scanRule], () => `session:${appSession.id}`);
      if (!allowed.ok) return fail('qr.too_many_requests', { retryAfterSeconds: allowed.retryAfterSeconds });
      const request = await byToken(token);
      if (!request) return fail('qr.not_found');
      const now = clock.now();
      const alreadyMine = request.state === 'scanned' && request.app_session_id === appSession.id && statusAt(request, now) === 'scanned';
      if (!alreadyMine) {
        const status = statusAt(request, now);
        if (status === 'expired') return fail('qr.expired');
        if (status !== 'pending') return fail('qr.already_used');
        if (!(await store.markScanned(request.id, appSession.accountId, appSession.id, now, now + DECIDE_SECONDS * 1000))) return fail('qr.already_used');
        await notifier.notify(request.id);
      }
      return { ok: true, details: await detailsOf(request, alreadyMine ? request.decide_by! : now + DECIDE_SECONDS * 1000, locale, appSession.address) };
    },

    /**
     * The phone's answer. Approving a browser that is elsewhere (QrRequestDetails.elsewhere) needs
     * `confirmedElsewhere`: the shopper's second, explicit "Yes, this is me on that computer".
     */
    async decide(appSession: Phone, token: string, approve: boolean, confirmedElsewhere = false): Promise<{ ok: true } | Failure<QrProblem>> {
      const request = await byToken(token);
      if (!request || request.app_session_id !== appSession.id) return fail('qr.not_found');
      const now = clock.now();
      if (statusAt(request, now) === 'expired') return fail('qr.expired');
      if (approve && !confirmedElsewhere && !(await sameNetworkOrCountry(request.browser_address, appSession.address))) return fail('qr.elsewhere_unconfirmed');
      // The decision and its record together; the record names the computer that asked, not the phone.
      const decided = await db.transaction().execute(async (trx) => {
        if (!(await store.decide(request.id, appSession.id, approve, now, now + COMPLETE_SECONDS * 1000, trx))) return false;
        const from = { clientAddress: request.browser_address, userAgent: request.browser_user_agent };
        await deps.events.record(trx, { accountId: request.account_id!, type: approve ? 'qr.approved' : 'qr.denied', detail: confirmedElsewhere ? { elsewhere: true } : undefined, from });
        return true;
      });
      if (!decided) return fail('qr.already_used');
      await notifier.notify(request.id);
      return { ok: true };
    },

    /** The waiting browser turns an approval into its own fresh session, exactly once. */
    async complete(secret: string | undefined, browser: { clientAddress: string; userAgent: string; locale: Locale }) {
      const request = await bySecret(secret);
      if (!request) return fail('qr.not_found');
      const now = clock.now();
      const status = statusAt(request, now);
      if (status === 'expired') return fail('qr.expired');
      if (status === 'pending' || status === 'scanned') return fail('qr.not_confirmed');
      if (status !== 'approved' || !request.account_id) return fail('qr.already_used');
      const account = await accounts.findById(request.account_id);
      if (!account || account.locked_at !== null) return fail('qr.not_found');
      // Looked up before the transaction: the first lookup may read the database file.
      const place = placeInWords(await placeOf(browser.clientAddress), browser.clientAddress, account.locale as Locale);
      const result = await db.transaction().execute(async (trx) => {
        const session = await sessions.startSession(trx, {
          accountId: account.id,
          kind: 'browser',
          authenticatedVia: 'qr',
          userAgent: browser.userAgent,
          clientAddress: browser.clientAddress,
        });
        if (!(await store.markConsumed(trx, request.id, session.sessionId, now))) throw new LostRace();
        await deps.enqueueEmail(trx, { secrets, clock }, {
          template: 'new_sign_in',
          locale: account.locale as Locale,
          to: account.email,
          data: {
            storeName: config.storeName,
            device: deviceName(browser.userAgent, account.locale as Locale),
            place,
            time: describeMoment(now, account.locale),
            secureUrl: `${config.publicUrl}/account/security`,
          },
        });
        return session;
      }).catch((error) => {
        if (error instanceof LostRace) return null; // rolled back: the session above never existed
        throw error;
      });
      if (!result) return fail('qr.already_used');
      deps.wakeCourier();
      await notifier.notify(request.id);
      return { ok: true as const, ...result };
    },
  };
}

/** Another completion won the conditional update; used only to roll the transaction back. */
class LostRace extends Error {}

export type QrLoginService = ReturnType<typeof createQrLoginService>;
