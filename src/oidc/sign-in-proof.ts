// What an app is told about how the shopper signed in: `amr` (RFC 8176 method values) and `acr`
// (one factor or two), from the Gatehouse session's authenticated_via, and `auth_time` from when
// a secret was last proved in that session. Pure, so each mapping has its own test.

export const ACR_ONE_FACTOR = 'urn:gatehouse:acr:1fa';
export const ACR_TWO_FACTORS = 'urn:gatehouse:acr:2fa';

/** The session's proof: how it was made, when, and when "Confirm it's you" was last passed. */
export interface SessionProof {
  authenticated_via: string;
  created_at: number;
  reverified_at: number | null;
  /** For a passkey sign-in: whether the passkey is synced (backup eligible) — RFC 8176 `swk` — or bound to one device (`hwk`). */
  passkeySynced?: boolean;
}

/**
 * RFC 8176: pwd (a password), otp (a one-time code: the authenticator app, an emailed code, a
 * backup code), sms (a code by text message), hwk/swk (a hardware- or software-held key: a passkey),
 * user (user presence and verification, which a passkey sign-in demands), mfa (more than one
 * factor), mca (multiple-channel: confirmed on another device, the QR sign-in from the app).
 */
export function amrFor(proof: SessionProof): string[] {
  const key = proof.passkeySynced ? 'swk' : 'hwk';
  switch (proof.authenticated_via) {
    case 'password':
      return ['pwd'];
    case 'password+totp':
    case 'password+backup_code':
      return ['pwd', 'otp', 'mfa'];
    case 'password+sms':
      return ['pwd', 'sms', 'mfa'];
    case 'password+passkey':
      return ['pwd', key, 'mfa'];
    case 'passkey':
      return [key, 'user'];
    case 'email_code':
      return ['otp'];
    case 'qr':
      return ['mca'];
    default:
      return [];
  }
}

/** Two factors: a password with a second factor, or a passkey (something held, unlocked by the person). */
export function acrFor(proof: SessionProof): string {
  return proof.authenticated_via.startsWith('password+') || proof.authenticated_via === 'passkey' ? ACR_TWO_FACTORS : ACR_ONE_FACTOR;
}

/** When the shopper last signed in in this session (auth_time, seconds): the sign-in itself, or "Confirm it's you" after it. */
export function authTimeOf(proof: SessionProof): number {
  return Math.floor(Math.max(proof.created_at, proof.reverified_at ?? 0) / 1000);
}
