// A software WebAuthn authenticator for tests: real ES256 keys from node:crypto, real "none"
// attestation objects and real assertions, CBOR from the encoder @simplewebauthn/server ships.
// Each option bends one rule a test wants broken: another origin, another RP ID, no user
// verification, a counter that goes back, a damaged signature.
import { createHash, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

export interface Bend {
  origin?: string;
  rpId?: string;
  userVerified?: boolean;
  /** The counter to sign with (else the next one). */
  counter?: number;
  /** Sign for this challenge instead of the one in the options. */
  challenge?: string;
  type?: string;
}

export interface SoftwareAuthenticatorOptions {
  origin: string;
  aaguid?: string;
  /** Backup eligible and backed up (a synced passkey) — else a device-bound one. */
  synced?: boolean;
  /** False for authenticators that keep no counter (always 0). */
  counts?: boolean;
}

export function createSoftwareAuthenticator(options: SoftwareAuthenticatorOptions) {
  const aaguid = Buffer.from((options.aaguid ?? '00000000-0000-0000-0000-000000000000').replace(/-/g, ''), 'hex');
  const credentials = new Map<string, { key: KeyObject; cose: Uint8Array; counter: number; rpId: string; userHandle: string }>();

  function flags(userVerified: boolean, attested: boolean) {
    return 0x01 | (userVerified ? 0x04 : 0) | (options.synced ? 0x08 | 0x10 : 0) | (attested ? 0x40 : 0);
  }
  const clientData = (type: string, challenge: string, origin: string) => Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));

  return {
    /** The credential ids this authenticator holds. */
    credentialIds: () => [...credentials.keys()],

    /** Sets the stored counter (e.g. back, as a cloned key would be). */
    setCounter(credentialId: string, counter: number) {
      credentials.get(credentialId)!.counter = counter;
    },

    /** navigator.credentials.create: a new ES256 key and its "none" attestation. */
    register(creation: PublicKeyCredentialCreationOptionsJSON, bend: Bend & { credentialId?: string } = {}): RegistrationResponseJSON {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwk = publicKey.export({ format: 'jwk' });
      const cose = isoCBOR.encode(new Map<number, number | Uint8Array>([[1, 2], [3, -7], [-1, 1], [-2, isoBase64URL.toBuffer(jwk.x!)], [-3, isoBase64URL.toBuffer(jwk.y!)]]));
      const rawId = bend.credentialId ? Buffer.from(isoBase64URL.toBuffer(bend.credentialId)) : randomBytes(16);
      const credentialId = isoBase64URL.fromBuffer(rawId);
      const rpId = bend.rpId ?? creation.rp.id!;
      const counter = 0; // a new credential starts at 0 (WebAuthn §6.1.1)
      credentials.set(credentialId, { key: privateKey, cose, counter, rpId: creation.rp.id!, userHandle: creation.user.id });
      const idLength = Buffer.alloc(2);
      idLength.writeUInt16BE(rawId.length);
      const authData = Buffer.concat([sha256(rpId), Buffer.from([flags(bend.userVerified ?? true, true)]), u32(counter), aaguid, idLength, rawId, Buffer.from(cose)]);
      const attestationObject = isoCBOR.encode(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]) as never);
      const clientDataJSON = clientData(bend.type ?? 'webauthn.create', bend.challenge ?? creation.challenge, bend.origin ?? options.origin);
      return {
        id: credentialId,
        rawId: credentialId,
        type: 'public-key',
        response: { clientDataJSON: isoBase64URL.fromBuffer(clientDataJSON), attestationObject: isoBase64URL.fromBuffer(attestationObject), transports: ['internal'] },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      };
    },

    /** navigator.credentials.get: an assertion by `credentialId` (else the first allowed, else the first held). */
    authenticate(request: PublicKeyCredentialRequestOptionsJSON, bend: Bend & { credentialId?: string } = {}): AuthenticationResponseJSON {
      const credentialId = bend.credentialId ?? request.allowCredentials?.find((c) => credentials.has(c.id))?.id ?? [...credentials.keys()][0]!;
      const credential = credentials.get(credentialId)!;
      if (options.counts !== false) credential.counter += 1;
      const counter = bend.counter ?? (options.counts === false ? 0 : credential.counter);
      const authData = Buffer.concat([sha256(bend.rpId ?? credential.rpId), Buffer.from([flags(bend.userVerified ?? true, false)]), u32(counter)]);
      const clientDataJSON = clientData(bend.type ?? 'webauthn.get', bend.challenge ?? request.challenge, bend.origin ?? options.origin);
      const signer = createSign('sha256');
      signer.update(Buffer.concat([authData, sha256(clientDataJSON)]));
      const signature = signer.sign(credential.key);
      return {
        id: credentialId,
        rawId: credentialId,
        type: 'public-key',
        response: {
          clientDataJSON: isoBase64URL.fromBuffer(clientDataJSON),
          authenticatorData: isoBase64URL.fromBuffer(authData),
          signature: isoBase64URL.fromBuffer(signature),
          userHandle: credential.userHandle,
        },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      };
    },
  };
}

export type SoftwareAuthenticator = ReturnType<typeof createSoftwareAuthenticator>;
