/** The token of an `Authorization: Bearer …` header (apps and other services), if well formed. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header ?? '');
  return match?.[1];
}
