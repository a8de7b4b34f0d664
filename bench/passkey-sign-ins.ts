// Passkey sign-ins per second, end to end over HTTP, beside the machine's raw ES256 verify rate
// (node:crypto verifying the same kind of signature, the same number in flight) in the same run.
//
// Seeding gives the first accounts one ES256 passkey each (public key stored as a registration
// would store it; the private key kept in seed.json for the load generator). A virtual app then
// does what the store's app does: POST /api/v1/app/sessions/passkey/options, sign the challenge
// (a real WebAuthn assertion: authenticator data ‖ SHA-256(client data), ES256), POST the answer
// to /api/v1/app/sessions/passkey and expect 201 with a token. Each client has its own passkey (a
// passkey's counter moves forward one sign-in at a time) and its own client address.
import { createHash, createPrivateKey, createSign, generateKeyPairSync, randomBytes, verify as verifyAsync, type KeyObject } from 'node:crypto';
import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';
import type { Database } from '../src/storage/database.ts';
import type { PasskeyStore } from '../src/passkeys/passkey-store.ts';
import { percentile } from './load.ts';

export interface SeededPasskey {
  credentialId: string;
  privateKeyPem: string;
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

/** One ES256 passkey for each given account, saved through the passkey store. */
export async function seedPasskeys(trx: Database, store: PasskeyStore, accountIds: string[]): Promise<SeededPasskey[]> {
  const seeded: SeededPasskey[] = [];
  for (const accountId of accountIds) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = isoCBOR.encode(new Map<number, number | Uint8Array>([[1, 2], [3, -7], [-1, 1], [-2, isoBase64URL.toBuffer(jwk.x!)], [-3, isoBase64URL.toBuffer(jwk.y!)]]));
    const credentialId = isoBase64URL.fromBuffer(randomBytes(16));
    await store.add(trx, accountId, {
      credentialId,
      publicKey: isoBase64URL.fromBuffer(cose),
      signCount: 0,
      transports: ['internal'],
      aaguid: '00000000-0000-0000-0000-000000000000',
      name: 'Bench passkey',
      deviceType: 'singleDevice',
      backupEligible: false,
      backedUp: false,
    });
    seeded.push({ credentialId, privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string });
  }
  return seeded;
}

type Signer = (challenge: string) => object;
/** One signer per passkey for the whole run: its counter must keep moving forward across measurements. */
const signers = new Map<string, Signer>();

/** A signer for one seeded passkey: assertions with a counter that moves forward. */
export function signerFor(passkey: SeededPasskey, rpId: string, origin: string): Signer {
  const known = signers.get(passkey.credentialId);
  if (known) return known;
  const key: KeyObject = createPrivateKey(passkey.privateKeyPem);
  let counter = 0;
  const signer = (challenge: string) => {
    counter += 1;
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    const authData = Buffer.concat([sha256(rpId), Buffer.from([0x05]), count]); // UP | UV
    const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge, origin, crossOrigin: false }));
    const signature = createSign('sha256').update(Buffer.concat([authData, sha256(clientDataJSON)])).sign(key);
    return {
      id: passkey.credentialId,
      rawId: passkey.credentialId,
      type: 'public-key',
      response: { clientDataJSON: isoBase64URL.fromBuffer(clientDataJSON), authenticatorData: isoBase64URL.fromBuffer(authData), signature: isoBase64URL.fromBuffer(signature) },
      clientExtensionResults: {},
    };
  };
  signers.set(passkey.credentialId, signer);
  return signer;
}

export interface RateResult {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
}

/** `concurrency` virtual apps signing in by passkey again and again for `ms`. */
export async function measurePasskeySignIns(base: string, passkeys: SeededPasskey[], options: { rpId: string; origin: string; concurrency: number; ms: number }): Promise<RateResult> {
  const deadline = performance.now() + options.ms;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const count = (status: number | string) => (statuses[status] = (statuses[status] ?? 0) + 1);
  await Promise.all(
    Array.from({ length: options.concurrency }, async (_, client) => {
      const sign = signerFor(passkeys[client % passkeys.length]!, options.rpId, options.origin);
      const headers = { 'content-type': 'application/json', 'x-forwarded-for': `10.77.${client >> 8}.${client & 255}` };
      while (performance.now() < deadline) {
        const start = performance.now();
        const started = await fetch(`${base}/api/v1/app/sessions/passkey/options`, { method: 'POST', headers, body: '{}' });
        const { options: request, signInId } = (await started.json()) as { options: { challenge: string }; signInId: string };
        const signedIn = await fetch(`${base}/api/v1/app/sessions/passkey`, { method: 'POST', headers, body: JSON.stringify({ signInId, response: sign(request.challenge) }) });
        await signedIn.arrayBuffer();
        const end = performance.now();
        count(signedIn.status);
        if (signedIn.status === 201 && end <= deadline) latencies.push(end - start);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / (options.ms / 1000), p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), statuses };
}

/** The machine's raw ES256 verify rate: node:crypto's (thread-pool) verify, `concurrency` in flight. */
export async function measureEs256Verify(options: { concurrency: number; ms: number }): Promise<RateResult> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // The same signed data as an assertion: authenticator data (37 bytes) ‖ SHA-256(client data).
  const data = Buffer.concat([randomBytes(37), sha256(randomBytes(120))]);
  const signature = createSign('sha256').update(data).sign(privateKey);
  const verifyOnce = () => new Promise<boolean>((resolve, reject) => verifyAsync('sha256', data, publicKey, signature, (error, ok) => (error ? reject(error) : resolve(ok))));
  const deadline = performance.now() + options.ms;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < deadline) {
        const start = performance.now();
        if (!(await verifyOnce())) throw new Error('ES256 verify failed');
        const end = performance.now();
        if (end <= deadline) latencies.push(end - start);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / (options.ms / 1000), p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), statuses: {} };
}
