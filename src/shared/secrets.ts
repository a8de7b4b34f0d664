// Everything derived from GATEHOUSE_SECRET: keyed hashes (codes, identifiers), CSRF tokens, and
// sealing of outbox payloads so the database never holds a readable code or address at rest.
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export interface Secrets {
  keyedHash(purpose: string, value: string): string;
  seal(plain: string): string;
  unseal(sealed: string): string;
  /**
   * Sealing for long-lived secrets (an authenticator's TOTP key): its own key, and bound to
   * `context` (the account id) as AES-GCM associated data, so a sealed value copied onto another
   * account's row does not open.
   */
  sealBound(context: string, plain: string): string;
  unsealBound(context: string, sealed: string): string;
  csrfTokenFor(browserId: string): string;
  isCsrfTokenValid(browserId: string, token: string): boolean;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** 256 bits from the CSPRNG, URL-safe. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function createSecrets(masterSecret: string): Secrets {
  // Separate keys per use (HKDF, RFC 5869), so a leak of one use's outputs says nothing of another.
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', masterSecret, 'gatehouse', info, 32));
  const hashKey = derive('keyed-hash');
  const csrfKey = derive('csrf');
  const sealKey = derive('seal');
  const factorKey = derive('factor-seal');

  const sealWith = (key: Buffer, plain: string, context?: string) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    if (context !== undefined) cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  };
  const unsealWith = (key: Buffer, sealed: string, context?: string) => {
    const raw = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    if (context !== undefined) decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  };

  const keyedHash = (purpose: string, value: string) =>
    createHmac('sha256', hashKey).update(purpose).update('\0').update(value).digest('hex');

  const csrfTokenFor = (browserId: string) => createHmac('sha256', csrfKey).update(browserId).digest('base64url');

  return {
    keyedHash,
    csrfTokenFor,
    isCsrfTokenValid: (browserId, token) => constantTimeEqual(csrfTokenFor(browserId), token),
    seal: (plain) => sealWith(sealKey, plain),
    unseal: (sealed) => unsealWith(sealKey, sealed),
    sealBound: (context, plain) => sealWith(factorKey, plain, context),
    unsealBound: (context, sealed) => unsealWith(factorKey, sealed, context),
  };
}
