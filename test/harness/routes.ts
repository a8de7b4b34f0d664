// The routes a running app has, read from Fastify itself, so that tests over "every route" cover
// a route added tomorrow without anyone listing it.
import type { FastifyInstance } from 'fastify';

export interface Route {
  method: string;
  /** The pattern, e.g. /account/sessions/:id/end */
  url: string;
}

/** Reads method + URL pairs out of Fastify's route tree (printRoutes), HEAD left out (it is GET's). */
export function registeredRoutes(app: FastifyInstance): Route[] {
  const tree = app.printRoutes({ commonPrefix: false });
  const routes: Route[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const url = (stack[depth - 1] ?? '') + match[2]!;
    stack[depth] = url;
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) {
      if (method !== 'HEAD') routes.push({ method, url });
    }
  }
  return routes;
}

