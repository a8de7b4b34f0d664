// What a browser (or the app) sends back from navigator.credentials: checked for shape and size
// here, before any challenge is touched or any CBOR is parsed, so bad input of any kind is a
// clean 400 that changes nothing. The library then verifies what the fields say.
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';

const BASE64URL = /^[A-Za-z0-9_-]*$/;
/** Generous bounds: a credential id is at most 1023 bytes (WebAuthn §5.1); real attestations are a few KB. */
const LIMITS = { id: 1400, clientDataJSON: 4096, attestationObject: 16_384, authenticatorData: 4096, signature: 1024, userHandle: 128 } as const;
/** The most characters a whole response may have, for the route's body limit. */
export const MAX_RESPONSE_CHARS = 32_768;

const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
const b64 = (value: unknown, max: number, min = 1): value is string => typeof value === 'string' && value.length >= min && value.length <= max && BASE64URL.test(value);

/** The response as text (a form field) or already parsed (a JSON body); undefined when it is not JSON at all. */
export function parseResponseText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (value.length > MAX_RESPONSE_CHARS) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function commonShape(value: unknown): value is Record<string, unknown> & { response: Record<string, unknown> } {
  if (!isObject(value) || !isObject(value.response)) return false;
  if (value.type !== 'public-key' || !b64(value.id, LIMITS.id) || value.rawId !== value.id) return false;
  if (value.clientExtensionResults !== undefined && !isObject(value.clientExtensionResults)) return false;
  if (value.authenticatorAttachment !== undefined && value.authenticatorAttachment !== 'platform' && value.authenticatorAttachment !== 'cross-platform') return false;
  return b64(value.response.clientDataJSON, LIMITS.clientDataJSON);
}

export function asRegistrationResponse(value: unknown): RegistrationResponseJSON | undefined {
  if (!commonShape(value)) return undefined;
  const r = value.response;
  if (!b64(r.attestationObject, LIMITS.attestationObject)) return undefined;
  const transports = r.transports ?? [];
  if (!Array.isArray(transports) || transports.length > 8 || !transports.every((t) => typeof t === 'string' && TRANSPORTS.has(t))) return undefined;
  return {
    id: value.id as string,
    rawId: value.id as string,
    type: 'public-key',
    response: { clientDataJSON: r.clientDataJSON as string, attestationObject: r.attestationObject as string, transports: transports as RegistrationResponseJSON['response']['transports'] },
    clientExtensionResults: (value.clientExtensionResults ?? {}) as RegistrationResponseJSON['clientExtensionResults'],
    ...(value.authenticatorAttachment ? { authenticatorAttachment: value.authenticatorAttachment as 'platform' | 'cross-platform' } : {}),
  };
}

export function asAuthenticationResponse(value: unknown): AuthenticationResponseJSON | undefined {
  if (!commonShape(value)) return undefined;
  const r = value.response;
  if (!b64(r.authenticatorData, LIMITS.authenticatorData) || !b64(r.signature, LIMITS.signature)) return undefined;
  if (r.userHandle !== undefined && r.userHandle !== null && !b64(r.userHandle, LIMITS.userHandle, 0)) return undefined;
  return {
    id: value.id as string,
    rawId: value.id as string,
    type: 'public-key',
    response: {
      clientDataJSON: r.clientDataJSON as string,
      authenticatorData: r.authenticatorData as string,
      signature: r.signature as string,
      ...(typeof r.userHandle === 'string' ? { userHandle: r.userHandle } : {}),
    },
    clientExtensionResults: (value.clientExtensionResults ?? {}) as AuthenticationResponseJSON['clientExtensionResults'],
    ...(value.authenticatorAttachment ? { authenticatorAttachment: value.authenticatorAttachment as 'platform' | 'cross-platform' } : {}),
  };
}
