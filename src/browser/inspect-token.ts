/**
 * What the token inspector page shows about a pasted token: a SAML 2.0 / 1.1 assertion (XML, or
 * base64 or base64url of it, alone or inside an RSTR) or a JWT, read and checked against this STS
 * as the page's address serves it: its published signing keys (its JWKS, whose x5c certificates
 * are the same keys federation metadata lists) and its issuer (RFC 8414 metadata).
 *
 * It runs in the browser (bundled by scripts/build-browser.mjs), so the token never leaves the
 * page; the checks are the worker's own: the same XML parser limits, the same strict enveloped
 * signature verification (no wrapping, no keys taken from the document), the same assertion
 * reader. Nothing here trusts the token: every field shown comes from the parsed text, and the
 * verdict says whether the signature holds and the token is this issuer's, separately from
 * whether the times still do.
 */
import { compactVerify, decodeProtectedHeader } from "jose";
import { fromBase64Url } from "../bytes.ts";
import { canonicalCompact, unencodedPayloadHeader } from "../jwt/compact-form.ts";
import { KeyRing } from "../keys/keyring.ts";
import type { JwsAlg } from "../keys/keyring.ts";
import { assertionAttributes, readAssertion } from "../saml/parse.ts";
import { SAML1_NS, SAML2_NS } from "../saml/ns.ts";
import { childElements } from "../xml/dom.ts";
import { parseXml } from "../xml/parse.ts";
import { verifyEnveloped } from "../xmldsig/verify.ts";
import type { Element } from "@xmldom/xmldom";

/** A pasted token is at most this long: a large SAML assertion is a few tens of kilobytes. */
export const MAX_TOKEN_CHARS = 256 * 1024;

/**
 * A time the token states: a date; `{ invalid }` holding what it states instead when that is no
 * date (a JWT's NumericDate, RFC 7519 §2, that is not a number, or is beyond what a date holds:
 * ±8.64e15 ms, ECMA-262 §21.4.1.22); undefined when it states none.
 */
export type StatedTime = Date | { invalid: string } | undefined;

export interface Inspection {
  format: "SAML 2.0" | "SAML 1.1" | "JWT";
  issuer: string | undefined;
  subject: string | undefined;
  audiences: string[];
  issuedAt: StatedTime;
  notBefore: StatedTime;
  expires: StatedTime;
  /** Whether `now` falls inside the token's validity window; "invalid time stated" when a time is no date. */
  timeStatus: "current" | "expired" | "not yet valid" | "no expiry stated" | "invalid time stated";
  /** Subject confirmation methods (SAML), or the `cnf` members (JWT); "bearer" when none. */
  confirmation: string[];
  /**
   * Claims, each with its values, as the token states them, in its order: a SAML attribute by its
   * Name (SAML 1.1: AttributeName, then its AttributeNamespace in parentheses), none merged.
   */
  claims: [string, string[]][];
  signature: { valid: boolean; detail: string };
}

export type InspectionResult = { ok: true; inspection: Inspection } | { ok: false; error: string };

/** This STS as the page's address serves it: the issuer its tokens name there, and its keys. */
export interface ThisSts {
  issuer: string;
  keys: KeyRing;
}

/**
 * This STS at the page's address, from its RFC 8414 metadata (§2: `issuer`, `jwks_uri`) and the
 * JWKS document that names (fetched by `fetchJwks`).
 */
export async function thisSts(metadata: unknown, fetchJwks: (uri: string) => Promise<unknown>): Promise<ThisSts> {
  const m = metadata as { issuer?: unknown; jwks_uri?: unknown } | null;
  if (typeof m?.issuer !== "string" || typeof m.jwks_uri !== "string") throw new Error("the metadata names no issuer or no jwks_uri");
  return { issuer: m.issuer, keys: await publishedKeys(await fetchJwks(m.jwks_uri)) };
}

/** The signing keys this STS publishes (its JWKS document). */
async function publishedKeys(jwks: unknown): Promise<KeyRing> {
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new Error("the JWKS has no keys");
  const materials = keys.flatMap((k: { x5c?: unknown; kid?: unknown }) =>
    Array.isArray(k.x5c) && typeof k.x5c[0] === "string"
      ? [{ kid: typeof k.kid === "string" ? k.kid : undefined, status: "previous" as const, certificatePem: pemOf(k.x5c[0]) }]
      : [],
  );
  return KeyRing.load(materials);
}

function pemOf(b64: string): string {
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/(.{64})/g, "$1\n")}\n-----END CERTIFICATE-----`;
}

/**
 * The token in what was pasted: without the white space around it, nor the authorization scheme
 * in front of it when an Authorization header's value was copied from a tool — `Bearer` (RFC
 * 6750 §2.1) or `DPoP` (RFC 9449 §7.1), in any letter case (RFC 9110 §11.1), and the
 * white space after it. A JWT or base64 copied from a terminal, a log or an e-mail often comes
 * wrapped over lines; neither holds white space of its own (RFC 7515 §7.1, RFC 4648 §3.3), so
 * the line breaks are dropped too. XML keeps its white space: there it is the token's.
 */
export function pastedToken(input: string): string {
  const token = input.trim().replace(/^(?:bearer|dpop)\s+/i, "");
  return token.startsWith("<") ? token : token.replace(/\s+/g, "");
}

/** Reads and checks `input` against `sts` at `now`. Never throws: a refusal is a result. */
export async function inspectToken(input: string, sts: ThisSts, now: Date): Promise<InspectionResult> {
  const text = pastedToken(input);
  if (text === "") return { ok: false, error: "Paste a SAML assertion (XML, base64 or base64url) or a JWT." };
  if (text.length > MAX_TOKEN_CHARS) return { ok: false, error: `The token is longer than ${MAX_TOKEN_CHARS} characters.` };
  try {
    if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(text)) return { ok: true, inspection: await inspectJwt(text, sts, now) };
    if (/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){4}$/.test(text)) return { ok: false, error: "This is an encrypted JWT (JWE): only the relying party it was encrypted for can read it." };
    const xml = pastedXml(text);
    if (xml === undefined) return { ok: false, error: "This is neither XML, base64 or base64url of XML, nor a JWT." };
    return await inspectSaml(xml, sts, now);
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : "The token could not be read." };
  }
}

/**
 * The XML a pasted token is: the text itself, or base64 or base64url of it (RFC 4648 §4, §5;
 * RFC 8693 §3: a SAML token from a token exchange is base64url), any of them URL-encoded
 * too (copied from a query string or a form body).
 */
function pastedXml(text: string): string | undefined {
  if (text.startsWith("<")) return text;
  const unescaped = /%[0-9A-Fa-f]{2}/.test(text) ? urlDecoded(text) : undefined;
  // Form-encoded XML writes a space as "+"; base64 has no spaces, and its "+" stays as it is.
  if (unescaped?.startsWith("<")) return urlDecoded(text.replace(/\+/g, "%20"));
  return base64Xml(unescaped ?? text);
}

function urlDecoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text).trim();
  } catch {
    return undefined; // a "%" that escapes nothing: not URL-encoded
  }
}

function base64Xml(text: string): string | undefined {
  // fromBase64Url takes either alphabet, with or without padding.
  const bytes = fromBase64Url(text.replace(/\s+/g, ""));
  if (!bytes || bytes.length === 0) return undefined;
  let xml: string;
  try {
    xml = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes).trim();
  } catch {
    return undefined; // not text: not base64 of XML
  }
  return xml.startsWith("<") ? xml : undefined;
}

/**
 * The verdict on a signature that holds with this STS's key `key`: the token is this STS's here
 * only when it names the issuer the page's address serves. One key ring may sign for several
 * issuers (a realm without `issuer` is named by the address it was asked at: its host, or its
 * path prefix), and the STS refuses a token of another issuer as not its own.
 */
function signedBy(key: string, tokenIssuer: string | undefined, sts: ThisSts): Inspection["signature"] {
  if (tokenIssuer === sts.issuer) return { valid: true, detail: `Signed by this STS (${key}).` };
  const names = tokenIssuer === undefined ? "names no issuer" : `was issued by ${tokenIssuer}`;
  return {
    valid: false,
    detail: `The signature verifies with this STS's ${key}, but the token ${names}, not by ${sts.issuer}, the issuer at this address: this STS does not accept it here.`,
  };
}

async function inspectSaml(xml: string, sts: ThisSts, now: Date): Promise<InspectionResult> {
  const doc = parseXml(xml);
  const root = doc.documentElement;
  if (!root) return { ok: false, error: "The XML has no root element." };
  const found: Element[] = [];
  const encrypted = findAssertions(root, found);
  if (found.length === 0) {
    return { ok: false, error: encrypted ? "This assertion is encrypted: only the relying party it was encrypted for can read it." : "No SAML 2.0 or 1.1 assertion was found in the XML." };
  }
  if (found.length > 1) return { ok: false, error: "The XML holds more than one assertion; paste one." };
  const el = found[0]!;
  const v = await verifyEnveloped(el, { keys: sts.keys.all() });
  const notVerified = (reason: string) => `The signature does not verify with this STS's published keys: ${reason}`;
  let f;
  try {
    f = readAssertion(el);
  } catch (e) {
    // An assertion that cannot be read is still judged: its signature first.
    const why = e instanceof Error ? e.message : "it cannot be read";
    return { ok: false, error: v.ok ? why : `${notVerified(v.reason)} And: ${why}` };
  }
  const signature = v.ok ? signedBy(`key ${v.key.kid}`, f.issuer, sts) : { valid: false, detail: notVerified(v.reason) };
  const methods = f.confirmationMethods.map((m) => m.replace(/^urn:oasis:names:tc:SAML:(2\.0|1\.0):cm:/, ""));
  return {
    ok: true,
    inspection: {
      format: f.kind === "saml2" ? "SAML 2.0" : "SAML 1.1",
      issuer: f.issuer,
      subject: f.subject,
      audiences: f.audiences,
      issuedAt: f.issuedAt,
      notBefore: f.notBefore,
      expires: f.expires,
      timeStatus: timeStatus(f.issuedAt, f.notBefore, f.expires, now),
      confirmation: methods.length > 0 ? methods : ["none stated"],
      claims: assertionAttributes(el).map((at): [string, string[]] => [at.namespace ? `${at.name} (${at.namespace})` : at.name, at.values]),
      signature,
    },
  };
}

/**
 * Collects the assertions under `el` (depth-first); true when an encrypted one was met. An
 * EncryptedAssertion holding a clear Assertion is what decrypting in place leaves (xmlsec1
 * --decrypt replaces the EncryptedData with its plaintext): that assertion is read like any other.
 */
function findAssertions(el: Element, out: Element[]): boolean {
  const ns = el.namespaceURI;
  if (el.localName === "Assertion" && (ns === SAML2_NS || ns === SAML1_NS)) {
    out.push(el);
    return false;
  }
  if (el.localName === "EncryptedData" && ns === "http://www.w3.org/2001/04/xmlenc#") return true;
  const before = out.length;
  let encrypted = false;
  for (const c of childElements(el)) encrypted = findAssertions(c, out) || encrypted;
  // An EncryptedAssertion with nothing readable inside stands for an encrypted one all the same.
  return encrypted || (el.localName === "EncryptedAssertion" && ns === SAML2_NS && out.length === before);
}

const JWS_ALGS: readonly JwsAlg[] = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "ES512"];

async function inspectJwt(token: string, sts: ThisSts, now: Date): Promise<Inspection> {
  const header = decodeProtectedHeader(token);
  const payload = decodePayload(token);
  let signature: Inspection["signature"];
  const alg = header.alg as JwsAlg | undefined;
  const key = typeof header.kid === "string" ? sts.keys.byKid(header.kid) : undefined;
  // Shown as stated, whatever JSON it is: a non-string never equals the issuer a page serves.
  const issuer = stated(payload.iss);
  // What the STS refuses before it tries a key (jwt/compact-form.ts) is not valid here either:
  // jose, which checks the signature below, reads such a token as if it were well formed.
  if (!canonicalCompact(token)) signature = { valid: false, detail: "The token's base64url is not in its one canonical form (a segment's last character carries bits beyond the data); this STS refuses it as malformed." };
  else if (unencodedPayloadHeader(header)) signature = { valid: false, detail: "The token's header carries b64 (RFC 7797), which this STS refuses: verifiers disagree on what such a token signed." };
  else if (!alg || !JWS_ALGS.includes(alg)) signature = { valid: false, detail: `The algorithm ${String(header.alg)} is not one this STS signs with.` };
  else if (!key) signature = { valid: false, detail: "The token's kid names none of this STS's published keys." };
  else {
    try {
      await compactVerify(token, await key.publicKeyFor(alg), { algorithms: [alg] });
      signature = signedBy(`key ${key.kid}, ${alg}`, issuer, sts);
    } catch {
      signature = { valid: false, detail: `The signature does not verify with this STS's key ${key.kid}.` };
    }
  }
  const issuedAt = numericDate(payload.iat);
  const notBefore = numericDate(payload.nbf);
  const expires = numericDate(payload.exp);
  const aud = payload.aud;
  const cnf = payload.cnf && typeof payload.cnf === "object" ? Object.keys(payload.cnf as object) : [];
  const claims = Object.entries(payload)
    .filter(([k]) => !["iss", "sub", "aud", "iat", "nbf", "exp"].includes(k))
    .map(([k, v]): [string, string[]] => [k, Array.isArray(v) ? v.map(show) : [show(v)]]);
  return {
    format: "JWT",
    issuer,
    subject: stated(payload.sub),
    audiences: Array.isArray(aud) ? aud.map(show) : aud === undefined ? [] : [show(aud)],
    issuedAt,
    notBefore,
    expires,
    timeStatus: timeStatus(issuedAt, notBefore, expires, now),
    confirmation: cnf.length > 0 ? cnf.map((m) => `cnf.${m}`) : ["bearer"],
    claims,
    signature,
  };
}

function decodePayload(token: string): Record<string, unknown> {
  const bytes = fromBase64Url(token.split(".")[1]!);
  if (!bytes) throw new Error("The JWT's payload is not base64url.");
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new Error("The JWT's payload is not UTF-8 JSON.");
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error("The JWT's payload is not a JSON object.");
  return value as Record<string, unknown>;
}

function show(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * A registered claim as the token states it (RFC 7519 §4.1: `iss` and `sub` are strings, but
 * the page shows what a token holds, not what it should): a value of another JSON type is shown
 * as its JSON rather than as "none", since it is left out of the claims list.
 */
function stated(v: unknown): string | undefined {
  return v === undefined ? undefined : show(v);
}

/** A JWT time claim (seconds since the epoch) as a {@link StatedTime}. */
function numericDate(n: unknown): StatedTime {
  if (n === undefined) return undefined;
  // A Date of a number out of its range is an Invalid Date (NaN), which no printing survives.
  const d = typeof n === "number" ? new Date(n * 1000) : undefined;
  if (d && !Number.isNaN(d.getTime())) return d;
  return { invalid: typeof n === "number" ? String(n) : show(n) };
}

function timeStatus(issuedAt: StatedTime, notBefore: StatedTime, expires: StatedTime, now: Date): Inspection["timeStatus"] {
  if (!isDate(issuedAt) || !isDate(notBefore) || !isDate(expires)) return "invalid time stated";
  if (notBefore && notBefore.getTime() > now.getTime()) return "not yet valid";
  if (!expires) return "no expiry stated";
  return expires.getTime() <= now.getTime() ? "expired" : "current";
}

/** Whether a stated time is a date, or not stated at all. */
function isDate(t: StatedTime): t is Date | undefined {
  return t === undefined || t instanceof Date;
}
