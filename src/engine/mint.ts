import type { RelyingParty, TokenKind } from "../config/types.ts";
import { buildSaml1Assertion } from "../saml/saml1.ts";
import { buildSaml2Assertion } from "../saml/saml2.ts";
import { newSamlId } from "../saml/assertion-input.ts";
import { buildJwt } from "../jwt/mint.ts";
import { encryptJwt } from "../jwt/encrypt.ts";
import { encryptSamlToken } from "../saml/encrypt-token.ts";
import { encryptionCertificateFor } from "../keys/encryption-keys.ts";
import { XmlSecurityError } from "../xml/errors.ts";
import { invalidRequest } from "../errors.ts";
import { type RenewingMarks, markedId } from "../token/renewability.ts";
import { numericDateOf, writableInstant } from "../token/time.ts";
import { encryptKey } from "../xmlenc/encrypt.ts";
import { RSA_OAEP, RSA_OAEP_MGF1P } from "../xmlenc/algorithms.ts";
import { publicKeyInfoTree } from "../xmldsig/key-info.ts";
import { DSIG_NS } from "../xml/dom.ts";
import { type TreeElement, treeElement } from "../xml/tree-writer.ts";
import type { SealedElement } from "../token/confirmation.ts";
import { actorFromName } from "./names.ts";
import { protocolClaims } from "./protocol-claims.ts";
import { NAMEID_PERSISTENT, statedSubject } from "./pairwise.ts";
import type { Actor, Confirmation, IssuedToken, MayAct, StsContext } from "./types.ts";

/** The decided content of a token, before it takes a format (its renewability marks: renewability.ts). */
export interface MintInput extends RenewingMarks {
  kind: TokenKind;
  rp: RelyingParty;
  subject: string;
  claims: Record<string, string[]>;
  authnInstant: Date;
  authnMethod: string;
  issuedAt: Date;
  notBefore: Date;
  expires: Date;
  scope: string[];
  actor: Actor | undefined;
  /** The `may_act` carried from the token this one is made from (see `TokenRequest`). */
  mayAct?: MayAct | undefined;
  clientId: string | undefined;
  /** The key the holder must prove; undefined for a bearer token. */
  confirmation?: Confirmation | undefined;
}

/** A remembered element written again as it was (see `SealedElement`). */
function unseal(e: SealedElement): TreeElement {
  return {
    ns: e.ns,
    qname: e.qname,
    prefix: e.prefix,
    attrs: e.attrs.map(([k, v]) => [k, v] as [string, string]),
    children: e.children.map((c) => (typeof c === "string" ? c : unseal(c))),
    ...(e.qattrs ? { qattrs: e.qattrs.map((q) => [...q] as [string, string, string, string]) } : {}),
  };
}

/**
 * The ds:KeyInfo a holder-of-key assertion states: a symmetric proof key RSA-OAEP-encrypted for
 * the relying party's current encryption certificate (WS-Trust 1.3 §4.4.3: the relying party
 * gets the key inside the token), or the requestor's public key.
 */
async function holderKeyInfo(rp: RelyingParty, c: Confirmation | undefined): Promise<TreeElement | undefined> {
  if (!c) return undefined;
  if (c.method === "public-key") return publicKeyInfoTree(c);
  if (c.method === "dpop") throw invalidRequest("A DPoP-bound token must be a JWT.");
  const ki = treeElement(DSIG_NS, "ds:KeyInfo");
  if (c.sealed) {
    ki.children.push(unseal(c.sealed));
    return ki;
  }
  if (!rp.encryption) throw invalidRequest(`The relying party '${rp.identifier}' has no encryption certificate, so it cannot receive a symmetric proof key.`);
  const recipient = await encryptionCertificateFor(rp.encryption.currentCertificatePem);
  const keyTransport = rp.encryption.keyTransport === "rsa-oaep" ? RSA_OAEP : RSA_OAEP_MGF1P;
  ki.children.push(await encryptKey(c.key, recipient, { keyTransport }));
  return ki;
}

/**
 * What a SAML assertion of ours states: the person's claims, then the protocol claims
 * (protocol-claims.ts) as attributes — SAML has no `act`, `may_act`, `scope` or `client_id` —
 * the actors each named with its issuer when another issuer named it, so the whole chain and its
 * length survive a trip through SAML. Verification reads them back from our signed assertions
 * only (src/engine/verify-own.ts).
 */
function samlAttributes(ctx: StsContext, m: MintInput, mayAct: string | undefined): Record<string, string[]> {
  return { ...m.claims, ...protocolClaims(ctx, { actor: m.actor, mayAct, scope: m.scope, clientId: m.clientId }) };
}

/**
 * Gives decided token content its format (SAML 2.0, SAML 1.1 or JWT) and signs it; for a relying
 * party that takes its tokens encrypted, also encrypts the signed token to its current certificate.
 */
export async function mintToken(ctx: StsContext, m: MintInput): Promise<IssuedToken> {
  // Every time a token states must be one its readers (and we) can read back: a JWT writes
  // NaN as null, and SAML writes year 10000 as "+010000-…", which is no xs:dateTime.
  if (![m.issuedAt, m.notBefore, m.expires, m.authnInstant].every(writableInstant)) {
    throw invalidRequest("The token cannot be issued: one of its times is out of range.");
  }
  // RFC 8693 §4.4: a may_act restricts who may act for the subject in every token made from its
  // token; one naming no party we can name cannot be stated, and is not dropped either.
  const mayAct = m.mayAct && m.mayAct.name;
  if (m.mayAct && mayAct === undefined) {
    throw invalidRequest("The presented token's may_act names no party this STS can name, so no token made from it could keep that restriction.");
  }
  // A pairwise relying party's tokens state a pseudonym, and seal the subject into their ID.
  const pairwise = await statedSubject(ctx, m.rp, m.subject, m.actor);
  // What every format states about the token.
  const common = {
    issuer: ctx.issuer,
    subject: pairwise?.subject ?? m.subject,
    audience: m.rp.identifier,
    issuedAt: m.issuedAt,
    notBefore: m.notBefore,
    expires: m.expires,
    claims: m.claims,
  };
  const base = { ...common, kind: m.kind, relyingParty: m.rp, scope: m.scope, actor: m.actor, clientId: m.clientId, confirmation: m.confirmation };
  if (m.kind === "saml2" || m.kind === "saml1") {
    // RFC 9449 binds JWT access tokens by `cnf.jkt`; our assertions have no place for it.
    if (m.confirmation?.method === "dpop") throw invalidRequest("DPoP binding is for JWT tokens: request a JWT or access token, or send no DPoP proof.");
    const random = pairwise ? `_${pairwise.idPart}` : newSamlId();
    const id = markedId(random, m, true);
    const input = {
      ...common,
      ...(pairwise && { nameIdFormat: NAMEID_PERSISTENT, nameQualifier: pairwise.nameQualifier, spNameQualifier: pairwise.spNameQualifier }),
      claims: samlAttributes(ctx, m, mayAct),
      id,
      authnInstant: m.authnInstant,
      // A token that states no method (a JWT) leaves it unknown: the writers say `unspecified`.
      authnMethod: m.authnMethod,
      signatureAlgorithm: m.rp.xmlSignatureAlgorithm,
      holderOfKey: await holderKeyInfo(m.rp, m.confirmation),
    };
    let value: string;
    try {
      value = m.kind === "saml2" ? await buildSaml2Assertion(input, ctx.keys) : await buildSaml1Assertion(input, ctx.keys);
    } catch (e) {
      // JSON carries any string; XML 1.0 cannot carry control characters, U+FFFE/U+FFFF or lone
      // surrogates (a trusted issuer's claim, say). The tree writer refuses them: a protocol
      // error, not a token no parser accepts.
      if (e instanceof XmlSecurityError && e.code === "INVALID_CHARACTER") {
        throw invalidRequest("The token cannot be issued as SAML: the subject or a claim contains characters XML cannot carry. Request a JWT instead.");
      }
      throw e;
    }
    const enc = m.rp.encryption;
    if (!enc) return { ...base, id, value };
    const recipient = await encryptionCertificateFor(enc.currentCertificatePem);
    return { ...base, id, value, encrypted: await encryptSamlToken(m.kind, value, recipient, enc) };
  }
  if (m.confirmation?.method === "symmetric") throw invalidRequest("A JWT cannot carry a symmetric proof key: ask for a SAML token, or for KeyType PublicKey.");
  const { id, value } = await buildJwt(ctx.keys, {
    ...common,
    typ: m.kind === "access_token" ? "at+jwt" : "JWT",
    alg: m.rp.jwtSignatureAlgorithm,
    scope: m.scope,
    actor: m.actor,
    mayAct: mayAct === undefined ? undefined : actorFromName(ctx, mayAct),
    clientId: m.clientId,
    authnInstant: m.authnInstant,
    notRenewable: m.notRenewable,
    renewableAfterExpiry: m.renewableAfterExpiry,
    confirmation: m.confirmation,
    jtiPart: pairwise?.idPart,
  });
  // A JWT states its times in whole seconds (RFC 7519 §2 NumericDate, written floored): the
  // RSTR's Lifetime, `expires_in` and the state rows speak of the token as it states itself,
  // never of an end up to a second after its `exp`.
  const stated = { ...base, issuedAt: wholeSecond(m.issuedAt), notBefore: wholeSecond(m.notBefore), expires: wholeSecond(m.expires) };
  const enc = m.rp.encryption;
  if (!enc) return { ...stated, id, value };
  // Signed, then encrypted (RFC 7519 §11.2): the relying party can tell who signed what it decrypted.
  return { ...stated, id, value, encrypted: await encryptJwt(value, await encryptionCertificateFor(enc.currentCertificatePem)) };
}

/** The instant a JWT states for `d`: its NumericDate, as a Date. */
function wholeSecond(d: Date): Date {
  return new Date(numericDateOf(d) * 1000);
}
