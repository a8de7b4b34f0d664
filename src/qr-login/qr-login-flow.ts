// QR sign-in (DESIGN.md §4) as pure rules over a stored request:
//
//   pending --app scans--> scanned --app confirms--> approved --browser completes--> consumed
//        \                       \--app cancels--> denied
//         \-- deadline passes at any step --> expired (computed, never stored)
//
// Deadlines: 60 s to scan, then 60 s to decide, then 30 s for the waiting browser to complete.
import type { QrLoginRequestsTable } from '../storage/tables.ts';

export const SCAN_SECONDS = 60;
export const DECIDE_SECONDS = 60;
export const COMPLETE_SECONDS = 30;

export type QrRequest = QrLoginRequestsTable;
export type QrStatus = 'pending' | 'scanned' | 'approved' | 'consumed' | 'denied' | 'expired';

/** What the request's state means now, with its deadline applied. */
export function statusAt(request: Pick<QrRequest, 'state' | 'scan_by' | 'decide_by' | 'complete_by'>, now: number): QrStatus {
  switch (request.state) {
    case 'pending':
      return now < request.scan_by ? 'pending' : 'expired';
    case 'scanned':
      return request.decide_by !== null && now < request.decide_by ? 'scanned' : 'expired';
    case 'approved':
      return request.complete_by !== null && now < request.complete_by ? 'approved' : 'expired';
    default:
      return request.state;
  }
}

/** Statuses after which nothing more can happen to the request. */
export function isFinal(status: QrStatus): boolean {
  return status === 'consumed' || status === 'denied' || status === 'expired';
}
