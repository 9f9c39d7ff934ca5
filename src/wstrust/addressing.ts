/**
 * What a WS-Trust request says about where it is going and what it asks for, checked against
 * what it actually is: its action against the operation in the Body, its wsa:To against this
 * endpoint. A gateway or WAF that routes or filters on the action or the address must see the
 * operation the STS performs.
 */
import { actionNotSupported, destinationUnreachable } from "../errors.ts";
import { WSA04_NS, WSA10_NS } from "../soap/ns.ts";
import type { RequestKind } from "./rst.ts";
import type { TrustNs } from "./ns.ts";

const OPERATION = { issue: "Issue", validate: "Validate", renew: "Renew", cancel: "Cancel" } as const;

/**
 * The actions that name `kind` in WS-Trust version `t`. A single RST: the binding's action
 * (WS-Trust 1.3 §4, e.g. `.../RST/Cancel`; the February 2005 draft alike). A batch
 * (RequestSecurityTokenCollection): WS-Trust gives it no action of its own, and deployed stacks
 * send the operation's RST action, `.../RSTC/<Op>` (gSOAP) or the Batch request type (CXF), all
 * naming the same operation, so all three are taken.
 */
export function actionsFor(t: TrustNs, kind: RequestKind, batch: boolean): string[] {
  const single = t.actions[kind];
  return batch ? [single, `${t.ns}/RSTC/${OPERATION[kind]}`, t.batchTypes[kind]] : [single];
}

/**
 * The message's action (undefined: it names none, and the Body alone says what it asks — what
 * some SOAP 1.1 clients send) must name the operation of its Body: a Cancel sent as Validate is
 * refused, never performed. WS-Addressing 1.0 SOAP Binding §6.4.4: wsa:ActionNotSupported.
 */
export function checkAction(action: string | undefined, t: TrustNs, kind: RequestKind, batch: boolean): void {
  if (action === undefined) return;
  const accepted = actionsFor(t, kind, batch);
  if (accepted.includes(action)) return;
  throw actionNotSupported(`The action '${action.slice(0, 200)}' does not name this request's operation (expected ${accepted[0]}).`, action);
}

const ANONYMOUS = new Set([`${WSA10_NS}/anonymous`, `${WSA04_NS}/role/anonymous`]);

/** This endpoint: its path, and the origins it is reached at (the request's, the configured issuer's). */
export interface Destination {
  path: string;
  origin: string;
  issuer: string;
}

/** The http(s) URL `s` names, or undefined. */
function httpUrl(s: string): URL | undefined {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return undefined;
  }
  return u.protocol === "http:" || u.protocol === "https:" ? u : undefined;
}

/** A remembered "scheme://hostname" of one URL string. */
interface Site {
  of: string;
  site: string | undefined;
}

/**
 * "scheme://hostname" of an http(s) URL (WHATWG-normalized: lower case, no port), or undefined.
 * The request origin and the issuer repeat on every request: each keeps its last answer (one
 * entry each).
 */
const remembered: { origin?: Site; issuer?: Site } = {};
function siteOf(which: "origin" | "issuer", s: string): string | undefined {
  const last = remembered[which];
  if (last?.of === s) return last.site;
  const u = httpUrl(s);
  const site = u ? `${u.protocol}//${u.hostname}` : undefined;
  remembered[which] = { of: s, site };
  return site;
}

/** The path part of a base URL ("" for a bare origin). */
function basePath(base: string): string {
  const at = base.indexOf("/", base.indexOf("//") + 2);
  return at === -1 ? "" : base.slice(at);
}

/**
 * Whether the URL `s` names this endpoint: an http(s) URL whose scheme and host are those of the
 * request or of the configured issuer and whose path is this endpoint's (see checkDestination).
 */
export function namesEndpoint(s: string, here: Destination): boolean {
  if (s === here.origin + here.path) return true;
  const named = addressOf(s);
  // The origin may end with a realm's path prefix (src/http/realm.ts): the endpoint's path starts with it.
  if (!named || named.path !== basePath(here.origin) + here.path) return false;
  return named.site === siteOf("origin", here.origin) || named.site === siteOf("issuer", here.issuer);
}

/** The site and path an http(s) URL names. */
interface Address {
  site: string;
  path: string;
}

/**
 * The last wsa:To read, parsed: a client sends the same address on every request, and a WHATWG
 * URL parse is most of what checking it costs. One entry, and only an address of URL length:
 * the text is the caller's.
 */
const MAX_REMEMBERED_ADDRESS = 2048;
let lastAddress: { of: string; address: Address | undefined } | undefined;
function addressOf(s: string): Address | undefined {
  if (lastAddress?.of === s) return lastAddress.address;
  const u = httpUrl(s);
  const address = u ? { site: `${u.protocol}//${u.hostname}`, path: u.pathname } : undefined;
  if (s.length <= MAX_REMEMBERED_ADDRESS) lastAddress = { of: s, address };
  return address;
}

/**
 * wsa:To must name this endpoint (WS-Addressing 1.0 SOAP Binding §6.4.3: else
 * wsa:DestinationUnreachable): absent or anonymous (WS-Addressing 1.0 Core §3.2: the endpoint the
 * transport reached), or an http(s) URL whose scheme and host are those of the request or of the
 * configured issuer (behind a proxy the public name is the issuer's) and whose path is this
 * endpoint's. The port is not compared: port mappings and proxies change it while the host and
 * path still name this endpoint. Query and fragment are not part of the endpoint's name.
 */
export function checkDestination(to: string | undefined, here: Destination): void {
  if (to === undefined || ANONYMOUS.has(to) || namesEndpoint(to, here)) return;
  throw destinationUnreachable(`wsa:To '${to.slice(0, 200)}' does not name this endpoint (${here.origin}${here.path}).`, to);
}
