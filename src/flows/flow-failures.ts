// Why a flow cannot go on: unknown or bound to another browser, past its lifetime, already done, or its code not yet confirmed.
export const flowFailureCodes = [
  'flow.not_found',
  'flow.expired',
  'flow.finished',
  'flow.not_verified',
] as const;

export type FlowFailureCode = (typeof flowFailureCodes)[number];
