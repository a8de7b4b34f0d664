// QR sign-in: the request is unknown, past its time, decided already, unconfirmed, or asked too often.
export const qrLoginFailureCodes = [
  'qr.not_found',
  'qr.expired',
  'qr.already_used',
  'qr.not_confirmed',
  'qr.elsewhere_unconfirmed',
  'qr.too_many_requests',
] as const;

export type QrLoginFailureCode = (typeof qrLoginFailureCodes)[number];
