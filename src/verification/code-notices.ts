// What a code page says about the send that brought the shopper there, carried in `?sent=`:
// a new code replacing one ('1'), the code sent a moment ago moved here ('earlier', the same
// browser started again within the minute), or no new code because one went out less than a
// minute ago ('recently', the countdown shows when *Get code* works again).
import type { EarlierCode } from './code-service.ts';

/** The `&sent=…` a start appends to its code page's address. */
export function sentParam(earlier: EarlierCode | undefined): string {
  if (earlier === 'moved') return '&sent=earlier';
  if (earlier === 'elsewhere') return '&sent=recently';
  return '';
}

/** The message id of the notice for a code page's query, if it has one. */
export function sentNoticeId(query: unknown): 'code.sent_again' | 'code.earlier_still_works' | 'code.sent_recently' | undefined {
  const sent = query && typeof query === 'object' ? (query as Record<string, unknown>).sent : undefined;
  if (sent === '1') return 'code.sent_again';
  if (sent === 'earlier') return 'code.earlier_still_works';
  if (sent === 'recently') return 'code.sent_recently';
  return undefined;
}
