// Passkeys (WebAuthn) on @simplewebauthn/server: registration for My account → Security and the
// app, authentication for the sign-in, two-step and recovery flows built on it.
//
// Rules (DESIGN.md §2): a challenge is 32 random bytes, stored only hashed, bound to the browser
// (and flow or account) that asked, 5 minutes, single use — consumed by one conditional UPDATE
// from inside the library's challenge check, so two racing answers cannot both use it and any
// node can finish what another started. RP ID and origin come from configuration; every other
// origin is refused. The signature counter must move forward; a counter that goes back means a
// possibly cloned key: refused, and the owner is told by email.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { AuthenticatorTransportFuture, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { Config } from '../config/config.ts';
import type { enqueueEmail } from '../courier/outbox.ts';
import type { AccountStore } from '../identity/account-store.ts';
import type { Clock } from '../shared/clock.ts';
import { fail, type Failure } from '../shared/failure.ts';
import { describeMoment, type Locale } from '../shared/i18n.ts';
import type { Secrets } from '../shared/secrets.ts';
import type { Database } from '../storage/database.ts';
import { uniqueViolationColumn } from '../storage/database-errors.ts';
import { asAuthenticationResponse, asRegistrationResponse } from './passkey-input.ts';
import { nameForNewPasskey } from './passkey-names.ts';
import { CHALLENGE_LIFETIME_MS, MAX_PASSKEYS_PER_ACCOUNT, type NewPasskey, type PasskeyRow, type PasskeyStore } from './passkey-store.ts';

export type UserVerification = 'required' | 'preferred';

export type RegistrationProblem = 'passkey.response_invalid' | 'passkey.challenge_invalid' | 'passkey.not_verified' | 'passkey.already_registered' | 'passkey.limit_reached';
export type AuthenticationProblem = 'passkey.response_invalid' | 'passkey.challenge_invalid' | 'passkey.not_accepted';

/** What a verified sign-in proved. */
export interface PasskeyProof {
  ok: true;
  accountId: string;
  passkey: { id: string; name: string; backedUp: boolean; deviceType: PasskeyRow['deviceType']; userVerified: boolean };
}

/** COSE algorithms we accept: ES256, RS256 (Windows Hello), EdDSA. */
const ALGORITHMS = [-7, -257, -8];

/**
 * The WebAuthn library, loaded by the first registration or verification. It brings ASN.1 and
 * X.509 parsers for attestation (about 11 MiB of a node's memory), which every sign-in page view
 * would otherwise pay for: its request options are plain JSON and are written here instead.
 */
let webAuthnLoads = 0;
let webAuthn: Promise<{ server: typeof import('@simplewebauthn/server'); helpers: typeof import('@simplewebauthn/server/helpers') }> | undefined;
const loadWebAuthn = () =>
  (webAuthn ??= (async () => {
    webAuthnLoads++;
    const [server, helpers] = await Promise.all([import('@simplewebauthn/server'), import('@simplewebauthn/server/helpers')]);
    return { server, helpers };
  })());
/** How many times the WebAuthn library was loaded in this process (0 until a passkey is registered or checked). */
export const webAuthnLibraryLoads = () => webAuthnLoads;

const fromBase64Url = (text: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(text, 'base64url'));
const toBase64Url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/**
 * An ES256 public key nobody holds the private half of, as COSE: an unknown or removed
 * credential is checked against it, so it costs the same signature check as a real one.
 */
async function decoyPublicKey(): Promise<Uint8Array> {
  const { helpers } = await loadWebAuthn();
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  const cose = new Map<number, number | Uint8Array>([
    [1, 2], // kty: EC2
    [3, -7], // alg: ES256
    [-1, 1], // crv: P-256
    [-2, fromBase64Url(jwk.x!)],
    [-3, fromBase64Url(jwk.y!)],
  ]);
  return helpers.isoCBOR.encode(cose);
}

export function createPasskeyService(deps: {
  db: Database;
  config: Config;
  store: PasskeyStore;
  accounts: AccountStore;
  secrets: Secrets;
  clock: Clock;
  enqueueEmail: typeof enqueueEmail;
  wakeCourier: () => void;
}) {
  const { db, config, store, accounts, secrets, clock } = deps;
  const rpID = config.passkeyRpId;
  const expectedOrigin = new URL(config.publicUrl).origin;
  let decoyKey: Promise<Uint8Array> | undefined;

  /** A stable, opaque user handle: not the account id, so a passkey's metadata names nobody. */
  const userHandle = (accountId: string) => createHash('sha256').update(secrets.keyedHash('passkey-user-handle', accountId)).digest();

  const newChallenge = () => toBase64Url(randomBytes(32));

  async function tellOwnerOfClone(row: PasskeyRow) {
    const account = await accounts.findById(row.accountId);
    if (!account) return;
    await deps.enqueueEmail(db, { secrets, clock }, {
      template: 'passkey_refused',
      locale: account.locale as Locale,
      to: account.email,
      data: { storeName: config.storeName, name: row.name, time: describeMoment(clock.now(), account.locale), secureUrl: `${config.publicUrl}/recovery` },
    });
    deps.wakeCourier();
  }

  return {
    rpID,
    expectedOrigin,

    /** The account's passkeys, oldest first. */
    list: (accountId: string, executor?: Database) => store.listForAccount(accountId, executor),

    // ---- registration ------------------------------------------------------------------------

    async registrationOptions(input: { accountId: string; browserId: string; userName: string; userDisplayName?: string }): Promise<{ ok: true; options: PublicKeyCredentialCreationOptionsJSON } | Failure<'passkey.limit_reached'>> {
      const existing = await store.listForAccount(input.accountId);
      if (existing.length >= MAX_PASSKEYS_PER_ACCOUNT) return fail('passkey.limit_reached');
      const challenge = newChallenge();
      const { server } = await loadWebAuthn();
      const options = await server.generateRegistrationOptions({
        rpName: config.storeName,
        rpID,
        userName: input.userName,
        userDisplayName: input.userDisplayName ?? input.userName,
        userID: userHandle(input.accountId),
        challenge: fromBase64Url(challenge),
        timeout: CHALLENGE_LIFETIME_MS,
        attestationType: 'none',
        // The browser refuses to make a second passkey on an authenticator that already has one here.
        excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports as AuthenticatorTransportFuture[] })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        supportedAlgorithmIDs: ALGORITHMS,
      });
      await store.issueChallenge(options.challenge, { purpose: 'register', browserId: input.browserId, accountId: input.accountId });
      return { ok: true, options };
    },

    /**
     * Checks a new passkey (nothing is saved: `register` saves it, with the caller's notice, in
     * one transaction). User verification is always required to add one.
     */
    async verifyRegistration(input: { accountId: string; browserId: string; response: unknown; userAgent: string; locale: Locale }): Promise<{ ok: true; passkey: NewPasskey } | Failure<RegistrationProblem>> {
      const response = asRegistrationResponse(input.response);
      if (!response) return fail('passkey.response_invalid');
      let challengeRefused = false;
      const consume = async (challenge: string) => {
        const used = await store.consumeChallenge(challenge, { purpose: 'register', browserId: input.browserId, accountId: input.accountId });
        challengeRefused = !used;
        return !!used;
      };
      let info;
      try {
        const { server } = await loadWebAuthn();
        const verification = await server.verifyRegistrationResponse({ response, expectedChallenge: consume, expectedOrigin, expectedRPID: rpID, requireUserVerification: true, supportedAlgorithmIDs: ALGORITHMS });
        if (!verification.verified || !verification.registrationInfo) return fail('passkey.not_verified');
        info = verification.registrationInfo;
      } catch {
        // The library throws for every refusal (origin, RP ID, flags, CBOR); none of them is a 500.
        return fail(challengeRefused ? 'passkey.challenge_invalid' : 'passkey.not_verified');
      }
      if (await store.findByCredentialId(info.credential.id)) return fail('passkey.already_registered');
      return {
        ok: true,
        passkey: {
          credentialId: info.credential.id,
          publicKey: toBase64Url(info.credential.publicKey),
          signCount: info.credential.counter,
          transports: response.response.transports ?? [],
          aaguid: info.aaguid,
          name: nameForNewPasskey(info.aaguid, input.userAgent, input.locale),
          deviceType: info.credentialDeviceType,
          backupEligible: info.credentialDeviceType === 'multiDevice',
          backedUp: info.credentialBackedUp,
        },
      };
    },

    /**
     * Saves a verified passkey and runs `alsoInTransaction` (the owner's notice) in the same
     * transaction. The cap is checked inside it; the unique index on credential_id decides a race
     * between two registrations of the same key, and the loser gets a typed failure.
     */
    async register(accountId: string, passkey: NewPasskey, alsoInTransaction: (trx: Database, row: PasskeyRow) => Promise<void> = async () => {}): Promise<{ ok: true; passkey: PasskeyRow } | Failure<'passkey.already_registered' | 'passkey.limit_reached'>> {
      try {
        return await db.transaction().execute(async (trx) => {
          // Under the account's lock: two registrations at 9 passkeys cannot both count 9 and end at 11.
          await accounts.holdAccount(trx, accountId);
          if ((await store.countForAccount(accountId, trx)) >= MAX_PASSKEYS_PER_ACCOUNT) return fail('passkey.limit_reached');
          const row = await store.add(trx, accountId, passkey);
          await alsoInTransaction(trx, row);
          return { ok: true as const, passkey: row };
        });
      } catch (error) {
        if (uniqueViolationColumn(error) === 'credential_id') return fail('passkey.already_registered');
        throw error;
      }
    },

    // ---- authentication ----------------------------------------------------------------------

    /**
     * Options for navigator.credentials.get. With `accountId`: that account's passkeys are offered
     * (a second step, recovery). Without: discoverable credentials, for the identifier field's
     * autofill (conditional mediation) and the "Sign in with a passkey" button.
     */
    async authenticationOptions(input: { browserId: string; flowId?: string; accountId?: string; userVerification?: UserVerification }): Promise<{ ok: true; options: PublicKeyCredentialRequestOptionsJSON }> {
      const allow = input.accountId ? await store.listForAccount(input.accountId) : [];
      const challenge = newChallenge();
      // What the library's generateAuthenticationOptions returns, without loading it (see loadWebAuthn).
      const options: PublicKeyCredentialRequestOptionsJSON = {
        rpId: rpID,
        challenge,
        timeout: CHALLENGE_LIFETIME_MS,
        userVerification: input.userVerification ?? 'required',
        allowCredentials: allow.map((p) => ({ id: p.credentialId, type: 'public-key', transports: p.transports as AuthenticatorTransportFuture[] })),
      };
      await store.issueChallenge(options.challenge, { purpose: 'authenticate', browserId: input.browserId, flowId: input.flowId ?? null, accountId: input.accountId ?? null });
      return { ok: true, options };
    },

    /**
     * Verifies an assertion against the challenge this browser (and flow) was given. An unknown
     * credential, a removed one, another account's (when the challenge named an account) and a
     * locked account's all answer `passkey.not_accepted` after the same signature check.
     * `userVerification: 'required'` for sign-in without a password; 'preferred' for a second step.
     */
    async verifyAuthentication(input: { browserId: string; flowId?: string; accountId?: string; response: unknown; userVerification?: UserVerification }): Promise<PasskeyProof | Failure<AuthenticationProblem>> {
      const response = asAuthenticationResponse(input.response);
      if (!response) return fail('passkey.response_invalid');
      const row = await store.findByCredentialId(response.id);
      const account = row ? await accounts.findById(row.accountId) : undefined;
      // A passkey marked as copied stays refused: whichever copy signed in first moved the counter,
      // so refusing only the one that comes second could lock out the real key and keep the copy.
      const usable = !!row && row.suspectedCloneAt === null && !!account && account.locked_at === null && (!input.accountId || row.accountId === input.accountId);
      let challengeRefused = false;
      const consume = async (challenge: string) => {
        const used = await store.consumeChallenge(challenge, { purpose: 'authenticate', browserId: input.browserId, flowId: input.flowId ?? null, accountId: input.accountId ?? null });
        challengeRefused = !used;
        return !!used;
      };
      let info;
      try {
        const { server } = await loadWebAuthn();
        const decoy = await (decoyKey ??= decoyPublicKey());
        const verification = await server.verifyAuthenticationResponse({
          response,
          expectedChallenge: consume,
          expectedOrigin,
          expectedRPID: rpID,
          // Counter 0 here: the library would throw on a counter going back; we compare below,
          // so that case can tell the owner.
          credential: { id: response.id, publicKey: new Uint8Array(row ? fromBase64Url(row.publicKey) : decoy), counter: 0 },
          requireUserVerification: (input.userVerification ?? 'required') === 'required',
        });
        if (!verification.verified) return fail('passkey.not_accepted');
        info = verification.authenticationInfo;
      } catch {
        return fail(challengeRefused ? 'passkey.challenge_invalid' : 'passkey.not_accepted');
      }
      if (!usable || !row) return fail('passkey.not_accepted');
      // WebAuthn §6.1.1: a counter that does not move forward (when either side keeps one) means
      // another copy of the key signed in meanwhile.
      if ((row.signCount > 0 || info.newCounter > 0) && info.newCounter <= row.signCount) {
        if (await store.markSuspectedClone(row.id)) await tellOwnerOfClone(row);
        return fail('passkey.not_accepted');
      }
      if (!(await store.recordUse(row.id, row.signCount, info.newCounter, info.credentialBackedUp))) return fail('passkey.not_accepted');
      return {
        ok: true,
        accountId: row.accountId,
        passkey: { id: row.id, name: row.name, backedUp: info.credentialBackedUp, deviceType: info.credentialDeviceType, userVerified: info.userVerified },
      };
    },
  };
}

export type PasskeyService = ReturnType<typeof createPasskeyService>;
