// The one table from failure codes to HTTP statuses. A code missing here is a bug (500).
const statusByCode: Record<string, number> = {
  'request.malformed': 400,
  'request.too_large': 413,
  'request.unsupported_type': 415,
  'request.csrf_invalid': 403,
  'request.not_found': 404,
  'request.method_not_allowed': 405,
  'request.unauthenticated': 401,
  'request.unavailable': 503,
  'request.internal': 500,
  'flow.not_found': 404,
  'flow.expired': 410,
  'flow.finished': 409,
  'flow.not_verified': 409,
  'identity.email_invalid': 422,
  'identity.login_name_invalid': 422,
  'identity.identifier_invalid': 422,
  'identity.identifier_missing': 422,
  'registration.login_name_taken': 409,
  'login.invalid_credentials': 401,
  'login.throttled': 429,
  'login.missing_fields': 422,
  'password.too_short': 422,
  'password.too_long': 422,
  'password.common': 422,
  'password.contains_identifier': 422,
  'password.too_guessable': 422,
  'password.mismatch': 422,
  'code.invalid': 422,
  'code.missing': 422,
  'code.expired': 410,
  'code.used_up': 410,
  'code.resting': 429,
  'code.resend_too_soon': 429,
  'code.send_limit_reached': 429,
  'session.not_found': 404,
  'qr.not_found': 404,
  'qr.expired': 410,
  'qr.already_used': 409,
  'qr.not_confirmed': 409,
  'qr.too_many_requests': 429,
};

export function statusFor(code: string): number {
  const status = statusByCode[code];
  if (status === undefined) throw new Error(`no HTTP status for failure code "${code}"`);
  return status;
}
