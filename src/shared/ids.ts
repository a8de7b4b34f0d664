import { randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();

/** Our ids as they are written (lower-case UUIDs); anything else from a URL or a command is no id of ours. */
export const isOurId = (text: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text);
