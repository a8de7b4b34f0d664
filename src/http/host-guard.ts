// DNS rebinding: a page on evil.example whose name is re-pointed at this server's address is,
// for the browser, same-origin with evil.example, so it can read any answer, e.g. /dev/mailbox's
// codes while DEV_MAILBOX is on. What it cannot change is the Host header (evil.example:port),
// so requests are answered only for PUBLIC_URL's host. In development (PUBLIC_URL on a loopback
// name, or DEV_MAILBOX on) localhost, 127.0.0.1 and [::1] on any port are accepted too: no
// rebinding page can send those names, and tests and local tools use them.
//
// Only the Host header counts, never X-Forwarded-Host: a rebinding page may set that header itself
// (for the browser it is a same-origin request). Behind a proxy, pass the public Host through
// (nginx `proxy_set_header Host $host;`; haproxy does by default).
import type { FastifyInstance } from 'fastify';
import { commonMessages } from './common-messages.ts';
import { localeFromAcceptLanguage } from './request-context.ts';
import { defaultLocale } from '../shared/i18n.ts';
import { isProbe } from './probe.ts';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** Lower-cased name and port of a Host header value ("Shop.Example:443" → ["shop.example", "443"]). */
function splitHost(host: string): [string, string] {
  const match = /^(\[[0-9a-f:.]+\]|[^:]*)(?::(\d{1,5}))?$/i.exec(host);
  return match ? [match[1]!.toLowerCase(), match[2] ?? ''] : ['', ''];
}

export function hostAllowList(publicUrl: string, devMailbox: boolean): (host: string | undefined) => boolean {
  const url = new URL(publicUrl);
  const publicName = url.hostname.toLowerCase();
  const publicPort = url.port || DEFAULT_PORTS[url.protocol]!;
  const development = devMailbox || LOOPBACK_NAMES.has(publicName);
  return (host) => {
    if (!host) return false;
    const [name, port] = splitHost(host);
    if (development && LOOPBACK_NAMES.has(name)) return true;
    return name === publicName && (port || DEFAULT_PORTS[url.protocol]) === publicPort;
  };
}

export function registerHostGuard(app: FastifyInstance, options: { publicUrl: string; devMailbox: boolean }) {
  const allowed = hostAllowList(options.publicUrl, options.devMailbox);
  // A callback hook, first of all: a misdirected request costs one Set lookup and a compare.
  app.addHook('onRequest', (request, reply, done) => {
    // Health probes name the server by its address (Kubernetes sends the pod IP as Host, a cloud
    // load balancer the instance's); what they answer ("ok" or a reason word) reveals nothing a
    // rebinding page could use, and they set no cookie and read no session.
    if (allowed(request.headers.host) || isProbe(request)) return done();
    const locale = localeFromAcceptLanguage(request.headers['accept-language']) ?? defaultLocale;
    reply.code(421).header('content-type', 'text/plain; charset=utf-8').send(commonMessages['request.wrong_host']![locale]);
  });
}
