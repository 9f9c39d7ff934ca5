import type { Element } from "@xmldom/xmldom";
import { StsError } from "../errors.ts";
import type { TokenKind } from "../config/types.ts";
import { identityClaims } from "../jwt/claims.ts";
import { MALFORMED_CNF, readCnf } from "../jwt/cnf.ts";
import { readActor } from "../token/actor.ts";
import { personClaims } from "../token/claims.ts";
import { actorFromName, actorFromNames } from "./names.ts";
import { type PairwiseName, withRealSubject } from "./pairwise.ts";
import { lookupRelyingParty } from "./relying-party.ts";
import { verifyJwt } from "../jwt/verify.ts";
import { type AssertionFacts, readAssertion } from "../saml/parse.ts";
import { SAML2_NS } from "../saml/ns.ts";
import { XENC_NS } from "../xmlenc/algorithms.ts";
import { MAX_CLOCK_SKEW_SECONDS } from "../state/types.ts";
import { jwtTimes } from "../token/time.ts";
import { VerifiedMemo, deepFreeze } from "../keys/verified-memo.ts";
import type { KeyRing } from "../keys/keyring.ts";
import { elementSource } from "../xml/tree.ts";
import { type DuplicateId, duplicateIdRefusal, verifyEnveloped } from "../xmldsig/verify.ts";
import { childElements } from "../xml/dom.ts";
import { treeFromElement } from "../xml/tree-writer.ts";
import { readPublicKeyInfo } from "../xmldsig/key-info.ts";
import type { Actor, Confirmation, StsContext } from "./types.ts";

/** The facts of a token this STS issued, after its signature verified. */
export interface OwnToken {
  kind: TokenKind;
  id: string;
  subject: string;
  audience: string;
  issuedAt: Date;
  notBefore: Date | undefined;
  expires: Date;
  authnInstant: Date;
  authnMethod: string;
  claims: Record<string, string[]>;
  scope: string[];
  actor: Actor | undefined;
  clientId: string | undefined;
  /**
   * The `may_act` the token states (RFC 8693 §4.4), in a JWT's form: a JWT's claim as it stands,
   * a SAML token's may_act attribute read into `{ sub, iss }` (null when it is not one name).
   */
  mayAct: unknown;
  /** The key the token is bound to (holder-of-key SAML, JWT `cnf`); undefined for a bearer token. */
  confirmation: Confirmation | undefined;
  /**
   * The pseudonym a pairwise token states and the sector it is for (src/engine/pairwise.ts);
   * `subject` is then the real subject it stands for. Undefined for a token that names its subject.
   */
  pairwise?: PairwiseName | undefined;
}

/**
 * The confirmation a verified assertion of ours states: a symmetric proof key stays as the
 * xenc:EncryptedKey the relying party can open (we cannot), a public key is read back.
 */
async function samlConfirmation(keyInfo: Element | undefined): Promise<Confirmation | undefined> {
  if (!keyInfo) return undefined;
  const sealed = childElements(keyInfo, XENC_NS, "EncryptedKey");
  if (sealed.length === 1 && childElements(keyInfo).length === 1) return { method: "symmetric", sealed: treeFromElement(sealed[0]!) };
  return { method: "public-key", ...(await readPublicKeyInfo(keyInfo)) };
}

/**
 * Outcome of checking one of our tokens. Without `token` nothing in it can be trusted; a valid
 * signature with a bad time window keeps the facts: renewal grace needs an expired token's, and
 * Cancel takes a token that has expired or not yet started as it takes a valid one.
 */
export type OwnTokenCheck =
  | { ok: true; token: OwnToken }
  | { ok: false; reason: string; token?: OwnToken; expired?: boolean };

/**
 * A token as presented: an XML element (SAML) or a compact JWT. `saml`: the SAML version the
 * requestor declared for it (an RFC 8693 token type), which an encrypted token must turn out to
 * hold once opened.
 */
export type PresentedToken = { xml: Element; saml?: "saml2" | "saml1" | undefined } | { jwt: string };


/**
 * Why an encrypted token is refused where it is: what we hand an encrypting relying party is
 * encrypted to its key, which we never hold, so it cannot be validated, renewed or cancelled; a
 * JWE is opened nowhere. Only a partner's SAML assertion encrypted for us is opened, where a
 * partner's assertion serves as evidence.
 */
export const ENCRYPTED_TOKEN_REFUSAL =
  "The token is encrypted. A token encrypted for its relying party can be read only by that relying party, and this STS opens an encrypted token only where a partner's SAML assertion serves as evidence (issuedtokenmixed, OnBehalfOf / ActAs, a token exchange subject_token): present the signed token inside it instead.";

/**
 * True for the encrypted forms of our tokens: saml:EncryptedAssertion, a bare xenc:EncryptedData
 * (SAML 1.1 in WS-Trust), or a compact JWE (five parts, RFC 7516 §7.1).
 */
export function isEncryptedToken(t: Element | string): boolean {
  if (typeof t === "string") return hasFourDots(t) && COMPACT_JWE.test(t.trim());
  return (t.localName === "EncryptedAssertion" && t.namespaceURI === SAML2_NS) || (t.localName === "EncryptedData" && t.namespaceURI === XENC_NS);
}

const COMPACT_JWE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){4}$/;

/** Exactly four dots: every JWS (two) is told apart without running the pattern over it. */
function hasFourDots(s: string): boolean {
  let n = 0;
  for (let i = s.indexOf("."); i !== -1; i = s.indexOf(".", i + 1)) if (++n > 4) return false;
  return n === 4;
}

const secs = (d: Date) => d.getTime();

function checkWindow(ctx: StsContext, t: OwnToken, now: Date, skewMs: number): OwnTokenCheck {
  ctx.audit.subject ??= t.subject;
  ctx.audit.target ??= t.audience;
  ctx.audit.tokenId ??= t.id;
  if (t.notBefore && secs(t.notBefore) > now.getTime() + skewMs) return { ok: false, reason: "The token is not yet valid.", token: t };
  if (secs(t.expires) <= now.getTime() - skewMs) return { ok: false, reason: "The token has expired.", token: t, expired: true };
  return { ok: true, token: t };
}

/**
 * The real subject of a pairwise token (pairwise.ts), then the time window; a token whose
 * signature verified but whose time failed (`refused`, the JWT verifier's verdict) keeps its
 * facts: an expired one for renewal grace, one not yet valid so that it can be cancelled.
 */
async function settle(ctx: StsContext, stated: OwnToken, now: Date, skewMs: number, refused?: { reason: string; expired: boolean }): Promise<OwnTokenCheck> {
  const t = await withRealSubject(ctx, stated);
  if (!t) return { ok: false, reason: "The token's pairwise subject does not match its relying party's configuration." };
  // A party taken out of the configuration takes its tokens with it: none is valid for anything
  // (a Cancel of one still goes through, harmlessly). A token for this STS itself (an issued-token
  // requestor's credential) names no party.
  if (t.audience !== ctx.issuer && !lookupRelyingParty(ctx.config, t.audience)) {
    return { ok: false, reason: "The token's relying party is no longer configured.", token: t };
  }
  if (refused) return { ok: false, reason: refused.reason, token: t, ...(refused.expired ? { expired: true } : {}) };
  return checkWindow(ctx, t, now, skewMs);
}

/**
 * Verifies a token this STS issued. Keys: only our own (current, next and still-trusted
 * previous), never a key found in the token. Values are read only from the verified element.
 */
export async function verifyOwnToken(ctx: StsContext, presented: PresentedToken): Promise<OwnTokenCheck> {
  // Never accepted longer past expiry than the state objects remember its revocation
  // (src/state/types.ts), whatever the configuration says.
  const skewSeconds = Math.min(ctx.config.limits.clockSkewSeconds, MAX_CLOCK_SKEW_SECONDS);
  const skewMs = skewSeconds * 1000;
  const now = ctx.now();
  if ("jwt" in presented) {
    const r = await verifyJwt(presented.jwt, ctx.keys, { issuer: ctx.issuer, now, skewSeconds });
    // Only a time refusal (expired, not yet valid) comes with the verified payload.
    if (!r.ok && !r.payload) return { ok: false, reason: r.reason };
    const token = r.ok ? jwtFactsOf(r.payload, r.header.typ) : r.payload && jwtFacts(r.payload, r.header?.typ);
    if (!token) return { ok: false, reason: "The token lacks required claims." };
    return settle(ctx, token, now, skewMs, r.ok ? undefined : { reason: r.reason, expired: r.refusal === "expired" });
  }
  // The same assertion (same text, same namespaces in scope) verified before under these keys:
  // only the document-wide checks and the time window run again.
  const source = elementSource(presented.xml);
  const hit = source === undefined ? undefined : verifiedSaml.get(ctx.keys, source);
  if (hit && "token" in hit && hit.issuer === ctx.issuer) {
    const duplicate = duplicateIdRefusal(presented.xml);
    if (duplicate) return { ok: false, reason: samlRefusal("token", duplicate) };
    return settle(ctx, copyOf(hit.token), now, skewMs);
  }
  const v = await verifyEnveloped(presented.xml, { keys: ctx.keys.all() });
  if (!v.ok) return { ok: false, reason: samlRefusal("token", v) };
  let f: AssertionFacts;
  let confirmation: Confirmation | undefined;
  try {
    f = readAssertion(presented.xml);
    confirmation = await samlConfirmation(f.holderOfKey);
  } catch (e) {
    // Signed by us but unreadable (a time we should never have written, say): not a valid
    // token, answered as such — never an error that tells introspection more than "inactive".
    // The reader's own reason (which attribute, which value) is written for the requestor.
    return { ok: false, reason: e instanceof StsError ? e.message : "The token is not a readable SAML assertion." };
  }
  if (f.issuer !== ctx.issuer) return { ok: false, reason: "The token was not issued by this STS." };
  if (!f.expires) return { ok: false, reason: "The token has no expiry." };
  // Our SAML tokens carry what a JWT states in protocol claims as attributes with those names
  // (src/engine/mint.ts); nothing else may use them (src/token/claims.ts).
  const token: OwnToken = {
    kind: f.kind,
    id: f.id,
    subject: f.subject,
    audience: f.audiences[0] ?? "",
    issuedAt: f.issuedAt,
    notBefore: f.notBefore,
    expires: f.expires,
    authnInstant: f.authnInstant ?? f.issuedAt,
    authnMethod: f.authnMethod ?? "",
    claims: personClaims(f.claims),
    scope: f.claims.scope?.slice() ?? [],
    actor: actorFromNames(ctx, f.claims.actor),
    clientId: f.claims.client_id?.[0],
    mayAct: samlMayAct(ctx, f.claims.may_act),
    confirmation,
  };
  // structuredClone: fresh strings, not slices of the request (which they would keep alive).
  if (source !== undefined) verifiedSaml.set(ctx.keys, source, { issuer: ctx.issuer, token: deepFreeze(structuredClone(token)) });
  return settle(ctx, token, now, skewMs);
}

/**
 * The may_act attribute of one of our assertions (src/engine/mint.ts: one value, our name for
 * the party) in a JWT's `may_act` form; anything else stays a restriction nobody satisfies.
 */
function samlMayAct(ctx: StsContext, values: string[] | undefined): unknown {
  if (values === undefined) return undefined;
  return values.length === 1 ? actorFromName(ctx, values[0]!) : null;
}

/**
 * Our SAML assertions verified in full (signature, issuer, expiry present), by exact source
 * text and in-scope namespaces (src/xml/tree.ts `elementSource`), per KeyRing — as
 * src/jwt/verified-cache.ts does for JWTs; see docs/security.md. Assertions are ~2-5 KiB. A
 * trusted issuer's assertions are remembered here too, under that issuer's pinned KeyRing (so
 * never answering for ours).
 */
const verifiedSaml = new VerifiedMemo<{ issuer: string; token: OwnToken } | { partner: AssertionFacts }>("saml.verified", {
  maxEntries: 4096,
  maxKeyChars: 16 * 1024,
  maxTotalChars: 4 * 1024 * 1024,
  entryBytes: 1024, // the frozen facts of one assertion
});

/**
 * Why a presented assertion (`what`: "token", "SAML token") failed its signature check, for the
 * requestor. An ID that two elements of the message carry is no fault of the signature and is
 * not called one: it is most often the same token sent twice (two batch items naming one
 * token), else a copy placed for signature wrapping; the message is refused either way, as an ID
 * must name one element for a reference to it to be read one way.
 */
function samlRefusal(what: string, v: { reason: string; duplicateId?: DuplicateId | undefined }): string {
  const d = v.duplicateId;
  if (!d) return `The ${what} signature is not valid: ${v.reason}`;
  const id = d.id.slice(0, 64);
  return d.ofToken
    ? `The ${what} with ID '${id}' appears more than once in the message (the same token sent twice, or a copy of it): send each token once.`
    : `The ID '${id}' is on more than one element of the message: a ${what} is accepted only from a message whose IDs are unique.`;
}

/**
 * Verifies an assertion of a trusted SAML issuer against its pinned `keys` only (the same strict
 * enveloped-signature rules as ours), or finds exactly this assertion (same text, same
 * namespaces in scope) verified before under those keys; the document-wide duplicate-ID check
 * runs again either way. Returns the facts, read from the verified element, or the reason for
 * the requestor.
 */
export async function verifyTrustedAssertion(el: Element, keys: KeyRing): Promise<{ ok: true; facts: AssertionFacts } | { ok: false; reason: string }> {
  const source = elementSource(el);
  const hit = source === undefined ? undefined : verifiedSaml.get(keys, source);
  if (hit && "partner" in hit) {
    const duplicate = duplicateIdRefusal(el);
    return duplicate ? { ok: false, reason: samlRefusal("SAML token", duplicate) } : { ok: true, facts: structuredClone(hit.partner) };
  }
  const v = await verifyEnveloped(el, { keys: keys.all() });
  if (!v.ok) return { ok: false, reason: samlRefusal("SAML token", v) };
  const facts = readAssertion(v.signedElement);
  // A holder-of-key assertion's key stays an element of its document: not remembered (its
  // holder signs every message anyway, which costs more than this verification).
  if (source !== undefined && facts.holderOfKey === undefined) verifiedSaml.set(keys, source, { partner: deepFreeze(structuredClone(facts)) });
  return { ok: true, facts };
}

/** A copy the caller may keep: fresh Date objects (a frozen Date can still be set). */
function copyOf(t: OwnToken): OwnToken {
  return {
    ...t,
    issuedAt: new Date(t.issuedAt.getTime()),
    notBefore: t.notBefore && new Date(t.notBefore.getTime()),
    expires: new Date(t.expires.getTime()),
    authnInstant: new Date(t.authnInstant.getTime()),
  };
}

/**
 * The facts of a remembered JWT (src/jwt/verified-cache.ts hands out its payload deep-frozen,
 * the same object on every presentation), read once: keyed by that payload object, frozen, and
 * handed out as a {@link copyOf} like the SAML facts above. A payload that is not frozen (a
 * first verification) is read afresh.
 */
const rememberedFacts = new WeakMap<object, { typ: string | undefined; token: OwnToken | undefined }>();

function jwtFactsOf(p: Record<string, unknown>, typ: string | undefined): OwnToken | undefined {
  if (!Object.isFrozen(p)) return jwtFacts(p, typ);
  let hit = rememberedFacts.get(p);
  if (!hit || hit.typ !== typ) {
    const token = jwtFacts(p, typ);
    hit = { typ, token: token && deepFreeze(token) };
    rememberedFacts.set(p, hit);
  }
  return hit.token && copyOf(hit.token);
}

function jwtFacts(p: Record<string, unknown>, typ: string | undefined): OwnToken | undefined {
  if (typeof p.sub !== "string" || typeof p.jti !== "string") return undefined;
  // Every time claim an integer NumericDate we could write again; `exp` and `iat` required.
  const times = jwtTimes(p);
  if (!times?.exp || !times.iat) return undefined;
  // A binding we cannot read would otherwise turn the token into a bearer one: refuse it.
  const confirmation = readCnf(p.cnf);
  if (confirmation === MALFORMED_CNF) return undefined;
  const aud = Array.isArray(p.aud) ? String(p.aud[0] ?? "") : typeof p.aud === "string" ? p.aud : "";
  return {
    kind: typ === "at+jwt" ? "access_token" : "jwt",
    id: p.jti,
    subject: p.sub,
    audience: aud,
    issuedAt: times.iat,
    notBefore: times.nbf,
    expires: times.exp,
    authnInstant: times.authTime ?? times.iat,
    authnMethod: "",
    claims: identityClaims(p),
    scope: typeof p.scope === "string" ? p.scope.split(" ").filter(Boolean) : [],
    actor: readActor(p.act),
    clientId: typeof p.client_id === "string" ? p.client_id : undefined,
    mayAct: p.may_act,
    confirmation,
  };
}
