import type { Element } from "@xmldom/xmldom";
import { StsError, authenticationFailed, badRequest, messageExpired, unsupportedToken } from "../errors.ts";
import { characterCount } from "../bytes.ts";
import { MAX_USERNAME_CHARS } from "../identity/username.ts";
import { targetsUs, text } from "./envelope.ts";
import { childElements, uniqueChild, valueText } from "../xml/dom.ts";
import { PASSWORD_DIGEST, PASSWORD_TEXT, type SoapVersion, WSSE11_NS, WSSE_NS, WSU_NS } from "./ns.ts";
import { zonedInstant } from "../xml/datetime.ts";
import { collapse, trimXmlSpace } from "../xml/xs.ts";

export interface UsernameToken {
  username: string;
  password: string;
  /** Base64 nonce, if sent (for replay detection together with `created`). */
  nonce: string | undefined;
  created: Date | undefined;
}

export interface SecurityHeader {
  /** The Security header targeted at us, when there is one (a message signature lives in it). */
  element: Element | undefined;
  timestamp: { created: Date; expires: Date | undefined } | undefined;
  usernameToken: UsernameToken | undefined;
}

/**
 * Reads the wsse:Security header targeted at us (WS-Security 1.1 §5): the Timestamp (checked
 * for freshness with the configured skew, §10) and a UsernameToken (Username Token Profile 1.1).
 * Only PasswordText is accepted: PasswordDigest needs the clear password on the server, and we
 * store only hashes. BinarySecurityTokens are refused unless `binaryTokens` (an endpoint that
 * authenticates by message signature, src/soap/message-signature.ts, verifies them there).
 *
 * WS-Security 1.1 §6.1 lets a message carry one Security header per role / actor; a header for
 * another SOAP node (SOAP 1.2 Part 1 §2.2) is that node's business and authenticates nothing
 * here. Two targeted at us are ambiguous and refused.
 */
export function readSecurity(
  header: Element | null,
  version: SoapVersion,
  now: Date,
  skewSeconds: number,
  opts: { binaryTokens?: boolean } = {},
): SecurityHeader {
  const result: SecurityHeader = { element: undefined, timestamp: undefined, usernameToken: undefined };
  if (!header) return result;
  const secs = childElements(header, WSSE_NS, "Security").filter((h) => targetsUs(h, version));
  if (secs.length === 0) return result;
  if (secs.length > 1) throw new StsError("bad_request", "Only one wsse:Security header targeted at this endpoint is accepted.");
  const sec = secs[0]!;
  result.element = sec;
  const skew = skewSeconds * 1000;

  const ts = childElements(sec, WSU_NS, "Timestamp");
  if (ts.length > 1) throw badRequest("Only one wsu:Timestamp is accepted.");
  if (ts.length === 1) {
    const createdEl = once(ts[0]!, WSU_NS, "Created", "wsu:Timestamp");
    if (!createdEl) throw badRequest("wsu:Timestamp must carry a wsu:Created.");
    const created = wsuTime(createdEl, "wsu:Timestamp's wsu:Created");
    const expiresEl = once(ts[0]!, WSU_NS, "Expires", "wsu:Timestamp");
    const expires = expiresEl ? wsuTime(expiresEl, "wsu:Timestamp's wsu:Expires") : undefined;
    if (created.getTime() > now.getTime() + skew) throw messageExpired("The message timestamp is in the future.");
    if (expires && expires.getTime() < now.getTime() - skew) throw messageExpired("The message has expired.");
    if (expires && expires.getTime() < created.getTime()) throw badRequest("wsu:Timestamp expires before it was created.");
    // Expires is optional (WS-Security 1.1 §10); without one a Created of any age would pass.
    // The same bound as a UsernameToken's or a signed message's Created (WSS4J: five minutes).
    if (now.getTime() - created.getTime() > MAX_CREDENTIAL_AGE_MS) {
      throw messageExpired(`The message timestamp was created more than ${MAX_CREDENTIAL_AGE_MS / 60_000} minutes ago; create it afresh for each message.`);
    }
    result.timestamp = { created, expires };
  }

  const uts = childElements(sec, WSSE_NS, "UsernameToken");
  if (uts.length > 1) throw badRequest("Only one wsse:UsernameToken is accepted.");
  if (uts.length === 1) result.usernameToken = readUsernameToken(uts[0]!, now, skew);
  for (const c of childElements(sec)) {
    if (!opts.binaryTokens && c.namespaceURI === WSSE_NS && c.localName === "BinarySecurityToken") {
      throw unsupportedToken("Binary security tokens are not accepted for authentication here; send a UsernameToken.");
    }
  }
  return result;
}

/** The reason a time without a zone is refused, after the element and its value. */
export const NO_TIME_ZONE = "states no time zone: WS-Security 1.1 §10 requires UTC, such as 2026-01-01T00:00:00Z";

/**
 * The instant a wsu:Created or wsu:Expires states (WS-Security 1.1 §10; WS-Trust's Lifetime holds
 * the same elements), as {@link zonedInstant} reads it, and the text it was read from (for a
 * refusal to show). The content must be text or CDATA: markup inside (`…T<x>12:00:00Z</x>`, a
 * comment) makes no xs:dateTime to a schema-typed reader and another value to one that reads the
 * element's own text nodes, so it names no instant here either. Only XML white space is trimmed
 * (xs:dateTime collapses it); a no-break space or a byte order mark is part of the value.
 */
export function wsuInstant(el: Element): { value: string; instant: Date | "no time zone" | "not text" | undefined } {
  const v = valueText(el, { cdata: true });
  if (v === undefined) return { value: text(el), instant: "not text" };
  return { value: trimXmlSpace(v), instant: zonedInstant(v) };
}

/** The reason a wsu time holding markup is refused, after the element. */
export const NOT_TEXT = "must hold its time as text only (no elements or comments inside)";

/** The instant of a wsu time element, or a refusal naming `what` and showing the value. */
function wsuTime(el: Element, what: string): Date {
  const { value, instant } = wsuInstant(el);
  if (instant === "no time zone") throw badRequest(`${what} '${value.slice(0, 64)}' ${NO_TIME_ZONE}.`);
  if (instant === "not text") throw badRequest(`${what} ${NOT_TEXT}.`);
  if (instant === undefined) throw badRequest(`${what} '${value.slice(0, 64)}' is not an xs:dateTime such as 2026-01-01T00:00:00Z.`);
  return instant;
}

/** At most one child of this name: a repeated credential element is ambiguous (which one did a
 * proxy or WAF check?), so it is refused rather than resolved by taking the first. */
function once(parent: Element, ns: string, local: string, within: string): Element | null {
  return uniqueChild(parent, ns, local, () => badRequest(`${within} must not carry ${local} more than once.`));
}

/**
 * How old a credential's wsu:Created may be (a UsernameToken's, a signed message's Timestamp):
 * older is refused as stale (WSS4J's default is five minutes), so that the replay cache, which
 * remembers each Nonce or signature for this long, stays bounded.
 */
export const MAX_CREDENTIAL_AGE_MS = 10 * 60 * 1000;

/** A UsernameToken value (a name, a password, a nonce, a time): text and CDATA only (`valueText`). */
function textOnly(el: Element, what: string): void {
  if (valueText(el, { cdata: true }) === undefined) throw badRequest(`${what} must hold text only.`);
}

/**
 * A wsse:UsernameToken (Username Token Profile 1.1 §3.1): PasswordText only, a Created neither
 * in the future nor stale, values as text only. Also read where a token is presented rather
 * than sent as the requestor's proof (WS-Trust ValidateTarget, OnBehalfOf, ActAs).
 * @param skew the allowed clock skew in milliseconds
 */
export function readUsernameToken(ut: Element, now: Date, skew: number): UsernameToken {
  for (const el of childElements(ut)) {
    if (el.namespaceURI !== WSSE_NS && el.namespaceURI !== WSU_NS) continue;
    // The schema allows other namespaces' elements only: a wsse:Created (Created belongs to wsu)
    // read as nothing would leave the token without the freshness and replay checks its sender
    // meant it to have.
    const known = el.namespaceURI === WSSE_NS ? ["Username", "Password", "Nonce"] : ["Created"];
    if (!known.includes(el.localName ?? "")) {
      throw badRequest(`wsse:UsernameToken holds no ${el.namespaceURI === WSSE_NS ? "wsse" : "wsu"}:${(el.localName ?? "").slice(0, 64)} (Username, Password and Nonce are wsse elements, Created is wsu:Created).`);
    }
    textOnly(el, `wsse:UsernameToken's ${el.localName}`);
  }
  // Username Token Profile 1.1 §4: with wsse11:Salt and wsse11:Iteration the token is key
  // material for a derived key, not a password to check (the password is derived from, never
  // sent). Said so, rather than "needs a Password" or the Password beside them checked and the
  // key derivation its sender asked for ignored.
  if (childElements(ut, WSSE11_NS).some((el) => el.localName === "Salt" || el.localName === "Iteration")) {
    throw unsupportedToken("Derived-key UsernameTokens (wsse11:Salt, wsse11:Iteration) are not supported: send the password as PasswordText over TLS.");
  }
  const userEl = once(ut, WSSE_NS, "Username", "wsse:UsernameToken");
  const passEl = once(ut, WSSE_NS, "Password", "wsse:UsernameToken");
  if (!userEl || !passEl) throw badRequest("wsse:UsernameToken needs wsse:Username and wsse:Password.");
  // Type is an xs:anyURI (whitespace collapsed); absent means PasswordText (UsernameToken Profile 1.1 §3.1).
  const type = passEl.hasAttribute("Type") ? collapse(passEl.getAttribute("Type") ?? "") : PASSWORD_TEXT;
  if (type === PASSWORD_DIGEST) {
    throw unsupportedToken(
      "PasswordDigest is not supported: this STS stores only password hashes. Send the password as PasswordText over TLS.",
    );
  }
  if (type !== PASSWORD_TEXT) throw unsupportedToken("Unsupported wsse:Password Type; send PasswordText over TLS.");
  const nonceEl = once(ut, WSSE_NS, "Nonce", "wsse:UsernameToken");
  const createdEl = once(ut, WSU_NS, "Created", "wsse:UsernameToken");
  let created: Date | undefined;
  if (createdEl) {
    created = wsuTime(createdEl, "wsse:UsernameToken's wsu:Created");
    if (created.getTime() > now.getTime() + skew) throw messageExpired("The UsernameToken was created in the future.");
    if (now.getTime() - created.getTime() > MAX_CREDENTIAL_AGE_MS) {
      throw messageExpired(`The UsernameToken was created more than ${MAX_CREDENTIAL_AGE_MS / 60_000} minutes ago; create it afresh for each message.`);
    }
  }
  // Password and username are taken verbatim (no trimming of the password: spaces are legal).
  const username = trimXmlSpace(userEl.textContent ?? "");
  // No user or service account has a longer name (configuration and directory hold at most
  // MAX_USERNAME_CHARS), and the sign-in form refuses one: failed here, as an unknown name, before
  // a failure counter, a password derivation or the audit line's requestor takes the caller's text.
  if (characterCount(username) > MAX_USERNAME_CHARS) throw authenticationFailed();
  return {
    // In NFC, as sign-in compares names (src/abuse/guard.ts): the nonce's replay key and the
    // audit line then name one spelling of the name.
    username: username.normalize("NFC"),
    password: passEl.textContent ?? "",
    nonce: nonceEl ? text(nonceEl) : undefined,
    created,
  };
}
