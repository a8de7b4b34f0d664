// What a client address text is, before any database is asked: an IPv4 or IPv6 address, local or
// public, and which network it belongs to. Addresses are compared as numbers, never as spellings:
// "::ffff:8.8.8.8", "::ffff:808:808" and "8.8.8.8" are one client, and "2a01:cb00::1" and
// "2a01:cb00:0:0::1" one network. Anything that is not exactly an address is malformed (null), so
// a header someone wrote can never be mistaken for a place.
import { BlockList, isIP } from 'node:net';

export interface ClientAddress {
  family: 4 | 6;
  /** The address as the database is asked for it: IPv4-mapped IPv6 as dotted IPv4, no zone. */
  text: string;
  /** Local network, loopback or a reserved range: no country can be known for it. */
  local: boolean;
  /** The /16 (IPv4) or /32 (IPv6) it is in, e.g. "4:90.0" or "6:2a01:cb00": roughly one provider. */
  network: string;
}

// Ranges that are never a shopper's public address (RFC 6890 and its IPv6 registry). A server
// that sees one is reached from its own network (or through a proxy it does not trust yet).
const NOT_PUBLIC: Array<[string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'], // "this network"
  ['10.0.0.0', 8, 'ipv4'], // private
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT: inside a provider, not a place
  ['127.0.0.0', 8, 'ipv4'], // loopback
  ['169.254.0.0', 16, 'ipv4'], // link-local
  ['172.16.0.0', 12, 'ipv4'], // private
  ['192.0.0.0', 24, 'ipv4'], // protocol assignments
  ['192.0.2.0', 24, 'ipv4'], // documentation
  ['192.168.0.0', 16, 'ipv4'], // private
  ['198.18.0.0', 15, 'ipv4'], // benchmarking
  ['198.51.100.0', 24, 'ipv4'], // documentation
  ['203.0.113.0', 24, 'ipv4'], // documentation
  ['224.0.0.0', 3, 'ipv4'], // multicast and reserved, up to 255.255.255.255
  ['::', 96, 'ipv6'], // unspecified, loopback and the old IPv4-compatible form
  ['100::', 64, 'ipv6'], // discard
  ['2001:db8::', 32, 'ipv6'], // documentation
  ['3fff::', 20, 'ipv6'], // documentation (RFC 9637)
  ['fc00::', 7, 'ipv6'], // unique local
  ['fe80::', 10, 'ipv6'], // link-local
  ['fec0::', 10, 'ipv6'], // old site-local
  ['ff00::', 8, 'ipv6'], // multicast
];
const notPublic = new BlockList();
for (const [network, prefix, type] of NOT_PUBLIC) notPublic.addSubnet(network, prefix, type);

const MAX_LENGTH = 64; // the longest IPv6 text with a zone fits easily; longer input is not an address

export function parseClientAddress(input: unknown): ClientAddress | null {
  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_LENGTH) return null;
  const family = isIP(input);
  if (family === 4) return ipv4(input);
  if (family !== 6) return null;
  const words = ipv6Words(input.split('%')[0]);
  const mapped = words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff;
  if (mapped) return ipv4([words[6] >> 8, words[6] & 255, words[7] >> 8, words[7] & 255].join('.'));
  const text = words.map((w) => w.toString(16)).join(':');
  return { family: 6, text, local: notPublic.check(text, 'ipv6'), network: `6:${words[0].toString(16)}:${words[1].toString(16)}` };
}

function ipv4(text: string): ClientAddress {
  const [a, b] = text.split('.');
  return { family: 4, text, local: notPublic.check(text, 'ipv4'), network: `4:${a}.${b}` };
}

/** The eight 16-bit words of an IPv6 address that isIP already accepted (so no checks here). */
function ipv6Words(text: string): number[] {
  let head = text;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const [a, b, c, d] = text.slice(lastColon + 1).split('.').map(Number);
    tail.push((a << 8) | b, (c << 8) | d);
    head = text.slice(0, text.endsWith('::', lastColon + 1) ? lastColon + 1 : lastColon);
  }
  const toWords = (part: string) => (part === '' ? [] : part.split(':').map((w) => parseInt(w, 16)));
  const [left, right] = head.split('::');
  const leftWords = toWords(left);
  const rightWords = right === undefined ? [] : toWords(right);
  const missing = 8 - tail.length - leftWords.length - rightWords.length;
  return [...leftWords, ...new Array<number>(missing).fill(0), ...rightWords, ...tail];
}
