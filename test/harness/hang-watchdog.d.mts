/** One thing keeping the process alive: a handle or a referenced timer, and a line saying what it is. */
export interface LiveResource {
  resource: unknown;
  description: string;
}
export function liveResources(): LiveResource[];
