import type { RenewingMarks } from "../token/renewability.ts";
import type { Element } from "@xmldom/xmldom";
import type { TokenKind } from "../config/types.ts";
import { invalidRequest } from "../errors.ts";
import { text } from "../soap/envelope.ts";
import { childElements, strayText, uniqueChild } from "../xml/dom.ts";
import { WSA04_NS, WSA10_NS, WSU_NS } from "../soap/ns.ts";
import { NOT_TEXT, NO_TIME_ZONE, wsuInstant } from "../soap/security.ts";
import { parseXsBoolean } from "../xml/xs.ts";
import { fromBase64 } from "../keys/pem.ts";
import { type TrustNs, WSP15_NS, WSP_NS, WST14_NS, WS_TRUST_NAMESPACES } from "./ns.ts";
import { tokenKindFromUri } from "./token-types.ts";
import { readClaimsRequest } from "./claims-request.ts";
import type { RequestedClaim } from "../engine/types.ts";

export type RequestKind = "issue" | "validate" | "renew" | "cancel";

/** A RequestSecurityToken, read into plain data (WS-Trust 1.3 §3.1). */
export interface Rst {
  trust: TrustNs;
  context: string | undefined;
  requestKind: RequestKind;
  /** Requested token kind, or "status" for Validate with the RSTR/Status token type. */
  tokenType: TokenKind | "status" | undefined;
  tokenTypeUri: string | undefined;
  appliesTo: string | undefined;
  keyType: string | undefined;
  lifetime: { created: Date | undefined; expires: Date | undefined } | undefined;
  /** The token element inside ValidateTarget / RenewTarget / CancelTarget. */
  target: Element | undefined;
  /** WS-Trust 1.3 §9.3 wst:OnBehalfOf: the token of the party the requestor acts for (impersonation). */
  onBehalfOf: Element | undefined;
  /** WS-Trust 1.4 §9.3 wst14:ActAs: the token of the party the requestor acts as (delegation). */
  actAs: Element | undefined;
  /** WS-Trust 1.3 §5 wst:Renewing: what it asks of the returned token (no marks when absent). */
  renewing: RenewingMarks;
  /** §3.3 wst:Entropy/wst:BinarySecret: the requestor's entropy for a computed proof key. */
  entropy: Uint8Array | undefined;
  /**
   * §3.3 wst:KeySize in bits, and where it was read (the request or its SecondaryParameters);
   * undefined when absent or 0. Its range depends on the key type (proof-key.ts).
   */
  keySize: { bits: number; where: string } | undefined;
  /** §3.3 wst:ComputedKeyAlgorithm (only P_SHA1 is accepted). */
  computedKeyAlgorithm: string | undefined;
  /** §9.2 wst:UseKey: the requestor's public proof key, still unread. */
  useKey: Element | undefined;
  /** §4.1 wst:Claims: the claims the requestor asks the token to carry (undefined: no request). */
  claims: RequestedClaim[] | undefined;
}

/** Entropy bounds: at least 128 bits (a weaker half would weaken the key), at most 512 bytes. */
export const MIN_ENTROPY_BYTES = 16;
export const MAX_ENTROPY_BYTES = 512;

/**
 * §3.3 wst:Entropy: one wst:BinarySecret of Type Nonce (or no Type), 16–512 bytes. A refusal
 * says what is wrong: how many elements it holds, which other element (encrypted entropy is not
 * taken), or the namespace a BinarySecret is in when it is not the request's WS-Trust version's.
 */
function readEntropy(en: Element, t: TrustNs): Uint8Array {
  const kids = childElements(en);
  if (kids.length !== 1) {
    const held = kids.length === 0 ? "nothing" : `${kids.length} elements (${kids.slice(0, 3).map((k) => (k.localName ?? "").slice(0, 60)).join(", ")}${kids.length > 3 ? ", …" : ""})`;
    throw invalidRequest(`wst:Entropy must hold exactly one wst:BinarySecret; it holds ${held}.`);
  }
  const bs = kids[0]!;
  if (bs.localName !== "BinarySecret") {
    throw invalidRequest(`wst:Entropy must hold a wst:BinarySecret (this STS does not take encrypted entropy); it holds ${(bs.localName ?? "").slice(0, 60)}.`);
  }
  if (bs.namespaceURI !== t.ns) {
    const ns = bs.namespaceURI ? `the namespace '${bs.namespaceURI.slice(0, 200)}'` : "no namespace";
    throw invalidRequest(`wst:Entropy's BinarySecret must be in the request's WS-Trust namespace, ${t.ns}; it is in ${ns}.`);
  }
  const type = bs.getAttribute("Type");
  if (type && type !== t.nonceType) throw invalidRequest(`wst:Entropy/wst:BinarySecret Type must be ${t.nonceType}.`);
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(text(bs));
  } catch {
    throw invalidRequest("wst:Entropy/wst:BinarySecret is not base64.");
  }
  if (bytes.length < MIN_ENTROPY_BYTES) throw invalidRequest(`wst:Entropy must be at least ${MIN_ENTROPY_BYTES * 8} bits (it has ${bytes.length * 8}).`);
  if (bytes.length > MAX_ENTROPY_BYTES) throw invalidRequest(`wst:Entropy may be at most ${MAX_ENTROPY_BYTES} bytes.`);
  return bytes;
}

/**
 * §3.3 wst:KeySize: a number of bits, digits only; 0 means none asked for (.NET's "unspecified",
 * which WS-Trust serializers there may write with a bearer request). Five digits hold every key
 * size there is (RSA tops out at 16384 bits); which sizes a request may ask for depends on its
 * key type, decided later (proof-key.ts): a PublicKey request names the size of its own key.
 */
function readKeySize(el: Element, where: string): { bits: number; where: string } | undefined {
  const v = text(el).trim();
  if (!/^[0-9]{1,5}$/.test(v)) throw invalidRequest(`${where} must be a number of bits (digits only); got '${v.slice(0, 40)}'.`);
  const bits = Number(v);
  return bits === 0 ? undefined : { bits, where };
}

/**
 * The one child `local` of `parent` (in any of the namespaces `ns`), or null. Every RST element
 * we read appears at most once: with two, a gateway or log that reads one copy and the STS that
 * reads the other would disagree about what was asked.
 */
function once(parent: Element, ns: string | readonly string[], local: string, within = "wst:RequestSecurityToken"): Element | null {
  return uniqueChild(parent, ns, local, () => invalidRequest(`${within} must not carry ${local} more than once.`));
}

/**
 * Reads the request type, checked against the namespace's known types. In a batch item both the
 * Batch types and the plain ones name the operation.
 */
export function readRequestKind(rst: Element, t: TrustNs, batch: boolean): RequestKind {
  const el = once(rst, t.ns, "RequestType");
  if (!el) throw invalidRequest("wst:RequestType is missing.");
  const v = text(el);
  const types = batch ? t.batchTypes : t.requestTypes;
  for (const k of ["issue", "validate", "renew", "cancel"] as const) {
    if (types[k] === v || t.requestTypes[k] === v) return k;
    // WS-Trust 1.3 §8: the Batch types name the items of a collection; told so, the sender
    // knows which of the two to change.
    if (t.batchTypes[k] === v) {
      throw invalidRequest(`wst:RequestType '${v}' belongs to the items of a wst:RequestSecurityTokenCollection; a single wst:RequestSecurityToken asks for '${t.requestTypes[k]}'.`);
    }
  }
  throw invalidRequest(`Unsupported wst:RequestType '${v.slice(0, 200)}'.`);
}

/** wsp:AppliesTo/wsa:EndpointReference/wsa:Address (either WS-Policy and WS-Addressing version, one of each). */
function readAppliesTo(rst: Element): string | undefined {
  const at = once(rst, [WSP_NS, WSP15_NS], "AppliesTo");
  if (!at) return undefined;
  const epr = once(at, [WSA10_NS, WSA04_NS], "EndpointReference", "wsp:AppliesTo");
  const addr = epr ? once(epr, epr.namespaceURI!, "Address", "wsa:EndpointReference") : null;
  if (!addr) throw invalidRequest("wsp:AppliesTo must contain a wsa:EndpointReference with a wsa:Address.");
  return text(addr);
}

/** The element that carries the token of each request type that acts on one (WS-Trust 1.3 §6–§10). */
const TARGET_OF = { validate: "ValidateTarget", renew: "RenewTarget", cancel: "CancelTarget" } as const;
const KIND_NAME: Record<RequestKind, string> = { issue: "Issue", validate: "Validate", renew: "Renew", cancel: "Cancel" };

/**
 * Each target element belongs to its own request type: an Issue carrying a wst:CancelTarget, or
 * a Renew carrying a wst:ValidateTarget beside its RenewTarget, asks for two different things,
 * and answering the one its RequestType names while the other is passed over hands the requestor
 * something it did not ask for (a token, where it meant to end one). Refused, naming the element.
 */
function refuseOtherTargets(rst: Element, t: TrustNs, kind: RequestKind): void {
  for (const [other, local] of Object.entries(TARGET_OF)) {
    if (other === kind || !once(rst, t.ns, local)) continue;
    const instead = kind === "issue" ? "an Issue acts on no token of its own" : `the request must carry its token in wst:${TARGET_OF[kind]}`;
    throw invalidRequest(`wst:${local} belongs to a ${KIND_NAME[other as RequestKind]} request, not to this ${KIND_NAME[kind]}: ${instead}.`);
  }
}

/**
 * wst:OnBehalfOf (WS-Trust 1.3 §9.3) and wst14:ActAs (1.4 §9.3) ask for a token for another
 * party; only Issue reads them here. A Validate, Renew or Cancel acts on its target token for the
 * requestor itself (this STS offers no delegated validation, renewal or cancellation), so one
 * carried there is refused, naming it: answered as if it were not sent, the requestor would take
 * the answer for one given on behalf of that party.
 */
function refuseDelegationOutsideIssue(rst: Element, t: TrustNs, kind: RequestKind): void {
  if (kind === "issue") return;
  for (const [ns, name] of [[t.ns, "wst:OnBehalfOf"], [WST14_NS, "wst14:ActAs"]] as const) {
    if (!once(rst, ns, name.slice(name.indexOf(":") + 1))) continue;
    throw invalidRequest(`${name} is read only in an Issue request: this STS does not ${KIND_NAME[kind].toLowerCase()} a token on behalf of another party.`);
  }
}

function readTarget(rst: Element, ns: string, local: string): Element | undefined {
  const el = once(rst, ns, local);
  if (!el) return undefined;
  const kids = childElements(el);
  if (kids.length !== 1) throw invalidRequest(`wst:${local} must contain exactly one token.`);
  return kids[0];
}

/** The RST's own elements this STS reads, in the request's WS-Trust namespace. */
const CORE_ELEMENTS = new Set([
  "RequestType", "SecondaryParameters", "TokenType", "KeyType", "KeySize", "Lifetime", "Renewing", "Entropy",
  "ComputedKeyAlgorithm", "UseKey", "Claims", "ValidateTarget", "RenewTarget", "CancelTarget", "OnBehalfOf",
]);

/**
 * An RST speaks one WS-Trust version: its elements belong to the request's own namespace (1.3 or
 * the 2005 draft), wst14:ActAs to WS-Trust 1.4's (1.4 §9.3), which adds elements but never
 * respells the core ones. An element of the other core version (a 2005 wst:TokenType in a 1.3
 * request), or a core element or OnBehalfOf spelled in 1.4's namespace, would be passed over as an
 * unknown extension and the request answered as if it had not asked: another token type, a bearer
 * token for a SymmetricKey request, an Issue for the caller itself instead of OnBehalfOf. Refused,
 * naming the namespace expected.
 */
function refuseMixedVersions(rst: Element, t: TrustNs): void {
  for (const el of childElements(rst)) {
    const ns = el.namespaceURI ?? "";
    if (!WS_TRUST_NAMESPACES.includes(ns)) continue;
    const local = el.localName ?? "";
    const want =
      local === "ActAs" ? { name: "wst14:ActAs", ns: WST14_NS } : ns !== WST14_NS || CORE_ELEMENTS.has(local) ? { name: `wst:${local}`, ns: t.ns } : undefined;
    if (want && ns !== want.ns) {
      throw invalidRequest(`${want.name.slice(0, 80)} must be in the namespace ${want.ns} in this request, not ${ns}.`);
    }
  }
}

/**
 * Elements of the request's own WS-Trust namespace that ask for a token this STS does not make,
 * each with why. Passed over, the request would be answered with a token the requestor takes for
 * the one it asked: one it believes cannot be forwarded or used for delegation, or a proof key it
 * believes encrypted for its own key — what an operation cannot honour is refused, as Apache
 * CXF's STS refuses every RST element it does not read.
 */
const UNHONOURED: ReadonlyMap<string, string> = new Map([
  ["DelegateTo", "this STS delegates no token to another party (a service acts for a user with wst14:ActAs or wst:OnBehalfOf)"],
  ["Forwardable", "this STS makes no token that only its requestor's machine may use: asking for one that is not forwardable cannot be honoured"],
  ["Delegatable", "this STS marks no token delegatable or not (who may present a token for its subject is set by its configuration)"],
  ["Participants", "a token is for the one party its wsp:AppliesTo names; this STS names no further participants"],
  ["Encryption", "a token is encrypted for its relying party as configured, never for a key the requestor names"],
  ["ProofEncryption", "a proof key is returned in the response itself, never encrypted for a key the requestor names"],
]);

/** WS-Trust 1.3 §4.1, §9.3, §9.5 (the February 2005 draft alike): refuses the first element of UNHONOURED the RST carries, naming it. */
function refuseUnhonoured(rst: Element, t: TrustNs): void {
  for (const el of childElements(rst)) {
    const why = el.namespaceURI === t.ns ? UNHONOURED.get(el.localName ?? "") : undefined;
    // Forwardable true is the default (§9.3) and what every token here is: bound to no machine.
    if (el.localName === "Forwardable" && parseXsBoolean(text(el)) === true) continue;
    if (why !== undefined) throw invalidRequest(`wst:${el.localName} cannot be honoured: ${why}. Send the request without it.`);
  }
}

/**
 * A wst:Lifetime's wsu:Created or wsu:Expires, an xs:dateTime; a refusal names the element and
 * shows the value (escaped by the XML writer, at most 64 characters of it).
 */
function readInstant(el: Element): Date {
  // Lifetime's Created and Expires are WS-Security's wsu elements (WS-Trust 1.3 §4.1), in UTC.
  const { value: v, instant: d } = wsuInstant(el);
  if (d === "no time zone") throw invalidRequest(`wst:Lifetime/wsu:${el.localName} '${v.slice(0, 64)}' ${NO_TIME_ZONE}.`);
  if (d === "not text") throw invalidRequest(`wst:Lifetime/wsu:${el.localName} ${NOT_TEXT}.`);
  if (!d) throw invalidRequest(`wst:Lifetime/wsu:${el.localName} '${v.slice(0, 64)}' is not an xs:dateTime such as 2026-01-01T00:00:00Z.`);
  return d;
}

/** WS-Trust 1.3 §5 Renewing: Allow (default true) and OK (renew after expiry, default false) are xs:boolean. */
function readRenewing(rn: Element): RenewingMarks {
  const flag = (name: string, dflt: boolean) => {
    if (!rn.hasAttribute(name)) return dflt;
    const v = parseXsBoolean(rn.getAttribute(name) ?? "");
    if (v === undefined) throw invalidRequest(`wst:Renewing ${name} must be true, false, 1 or 0.`);
    return v;
  };
  return { notRenewable: !flag("Allow", true), renewableAfterExpiry: flag("OK", false) };
}

/**
 * wst:SecondaryParameters (WS-Trust 1.3 §4.1) carries what the relying party's policy asks for,
 * passed on by a client that did not choose it. Its TokenType, KeyType and KeySize stand in for
 * the request's own on an Issue that has none (Apache CXF's client sends the policy's only there),
 * and its Claims for a request without wst:Claims (WCF passes the policy's claims there); the
 * request's own always win. Validate is left alone: its TokenType decides status or transformation.
 */
function ownOrSecondary(rst: Element, t: TrustNs, sp: Element | null, local: string, fromSecondary: boolean): { el: Element; where: string } | null {
  const own = once(rst, t.ns, local);
  if (own) return { el: own, where: `wst:${local}` };
  const el = fromSecondary && sp ? once(sp, t.ns, local, "wst:SecondaryParameters") : null;
  return el ? { el, where: `wst:SecondaryParameters/wst:${local}` } : null;
}

/**
 * The token type an Issue, Renew or Cancel names. The Status type names the answer of a status
 * Validate (WS-Trust 1.3 §7.2), so anywhere else it is refused rather than ignored.
 */
export function tokenKindAsked(rst: Rst): TokenKind | undefined {
  if (rst.tokenType === "status") throw invalidRequest("wst:TokenType: the Status token type is only valid for Validate.");
  return rst.tokenType;
}

/**
 * The RST's Context attribute, which its RSTR echoes (WS-Trust 1.3 §3.1, §4.4): an empty one
 * is a Context too, so only an absent attribute means none.
 */
export function readContext(rst: Element): string | undefined {
  return rst.hasAttribute("Context") ? (rst.getAttribute("Context") ?? "") : undefined;
}

/** Parses one RST element of the given WS-Trust version. */
export function readRst(rst: Element, t: TrustNs, batch = false): Rst {
  const requestKind = readRequestKind(rst, t, batch);
  const sp = once(rst, t.ns, "SecondaryParameters");
  const issue = requestKind === "issue";
  const tt = ownOrSecondary(rst, t, sp, "TokenType", issue);
  let tokenType: Rst["tokenType"];
  let tokenTypeUri: string | undefined;
  if (tt) {
    tokenTypeUri = text(tt.el);
    tokenType = tokenTypeUri === t.statusTokenType ? "status" : tokenKindFromUri(tokenTypeUri);
    if (!tokenType) throw invalidRequest(`Unsupported ${tt.where} '${tokenTypeUri.slice(0, 200)}'.`);
  }
  const kt = ownOrSecondary(rst, t, sp, "KeyType", issue);
  let lifetime: Rst["lifetime"];
  const lt = once(rst, t.ns, "Lifetime");
  if (lt) {
    const c = once(lt, WSU_NS, "Created", "wst:Lifetime");
    const e = once(lt, WSU_NS, "Expires", "wst:Lifetime");
    lifetime = { created: c ? readInstant(c) : undefined, expires: e ? readInstant(e) : undefined };
  }
  const rn = once(rst, t.ns, "Renewing");
  const renewing: Rst["renewing"] = rn ? readRenewing(rn) : {};
  const en = once(rst, t.ns, "Entropy");
  const ks = ownOrSecondary(rst, t, sp, "KeySize", issue);
  const cka = once(rst, t.ns, "ComputedKeyAlgorithm");
  const computedKeyAlgorithm = cka ? text(cka).trim() : undefined;
  if (computedKeyAlgorithm !== undefined && computedKeyAlgorithm !== t.psha1) {
    throw invalidRequest(`Unsupported wst:ComputedKeyAlgorithm '${computedKeyAlgorithm.slice(0, 200)}': only ${t.psha1} is supported.`);
  }
  const claims = ownOrSecondary(rst, t, sp, "Claims", true);
  refuseMixedVersions(rst, t);
  refuseUnhonoured(rst, t);
  refuseOtherTargets(rst, t, requestKind);
  refuseDelegationOutsideIssue(rst, t, requestKind);
  // Its parameters are elements (WS-Trust 1.3 §3.1); text beside them is a parameter nobody reads.
  const stray = strayText(rst);
  if (stray !== undefined) throw invalidRequest(`wst:RequestSecurityToken holds its parameters as elements; it holds text ('${stray.trim().slice(0, 64)}').`);
  const targetName = requestKind === "issue" ? undefined : TARGET_OF[requestKind];
  return {
    trust: t,
    context: readContext(rst),
    requestKind,
    tokenType,
    tokenTypeUri,
    appliesTo: readAppliesTo(rst),
    keyType: kt ? text(kt.el) : undefined,
    lifetime,
    target: targetName ? readTarget(rst, t.ns, targetName) : undefined,
    onBehalfOf: readTarget(rst, t.ns, "OnBehalfOf"),
    actAs: readTarget(rst, WST14_NS, "ActAs"),
    renewing,
    entropy: en ? readEntropy(en, t) : undefined,
    keySize: ks ? readKeySize(ks.el, ks.where) : undefined,
    computedKeyAlgorithm,
    useKey: once(rst, t.ns, "UseKey") ?? undefined,
    claims: claims ? readClaimsRequest(claims.el) : undefined,
  };
}
