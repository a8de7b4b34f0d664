// The client's address, behind the proxies TRUST_PROXY names (DESIGN.md §2 "client address").
// Every per-address limit and the place shown on the QR confirm screen read it, so it must be an
// address a proxy we trust wrote, never one the client put in X-Forwarded-For itself.
//
// Fastify reads the chain right to left: the socket's peer, then X-Forwarded-For from its last
// entry back. Each trusted hop lets it step one entry further; the first untrusted one is the
// client. A standard proxy appends what it saw (haproxy `option forwardfor`, nginx
// `$proxy_add_x_forwarded_for`), so whatever a client wrote stays to the left and is never reached.
import type { TrustProxy } from '../config/config.ts';

type FastifyTrustProxy = false | string[] | ((address: string, hop: number) => boolean);

export function fastifyTrustProxy(setting: TrustProxy): FastifyTrustProxy {
  if (setting.kind === 'none') return false;
  // A function, not Fastify's number form: Fastify 5 treats a bare number as "trust nothing".
  // Hop 0 is the socket's peer; with n proxies the n right-most entries are theirs to vouch for.
  if (setting.kind === 'hops') {
    const { hops } = setting;
    return (_address, hop) => hop < hops;
  }
  return setting.addresses;
}
