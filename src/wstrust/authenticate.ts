/**
 * Who sends a WS-Trust request, as the endpoint asks them to prove it (endpoints.ts): a
 * UsernameToken, an X.509 message signature, or a SAML assertion from us or a trusted issuer.
 */
import { replayKey } from "../state/state-key.ts";
import type { Element } from "@xmldom/xmldom";
import { authenticateLimited, withFailureLimit } from "../abuse/guard.ts";
import { failureKeys } from "../abuse/limits.ts";
import { toHex } from "../bytes.ts";
import { type Authenticated, authenticateCertificate } from "../engine/authenticate.ts";
import { partyFromSaml } from "../engine/presented-party.ts";
import { openEncryptedAssertion } from "../engine/open-encrypted.ts";
import { isEncryptedToken } from "../engine/verify-own.ts";
import { type Identity, type PresentedCredentials, type Requestor, type StsContext, requestorName } from "../engine/types.ts";
import { StsError, authenticationFailed, badRequest, invalidToken } from "../errors.ts";
import { confirmsBearerOnly, isAudienceOf, readAssertion } from "../saml/parse.ts";
import { isSamlAssertion } from "../saml/ns.ts";
import type { SoapEnvelope } from "../soap/envelope.ts";
import { verifyConfirmedKeySignature, verifyEndorsingKeySignature, verifyMessageSignature } from "../soap/message-signature.ts";
import { confirmedKey } from "../engine/confirmed-key.ts";
import { publicKeyFromCertificate, readPublicKeyInfo } from "../xmldsig/key-info.ts";
import { MAX_CREDENTIAL_AGE_MS, type SecurityHeader, type UsernameToken, readUsernameToken } from "../soap/security.ts";
import type { StateClient } from "../state/client.ts";
import { DSIG_NS, childElements } from "../xml/dom.ts";
import { type RequestorAuthentication, acceptsSha1Signatures, signatureCoverage } from "./endpoints.ts";

/** What a WS-Trust endpoint needs besides the context: this request's state and the caller's address. */
export interface TrustDeps {
  /** Durable Object state: revocation, renewal, replay and failed-login counters. */
  state: StateClient;
  /** The caller's address, for per-address failed-authentication limits (absent: per subject only). */
  clientAddress: string | undefined;
}

/**
 * The authenticated requestor of a request to an endpoint that authenticates by `how`, and when
 * its signed message is known not to be a replay. With `overlap` (an operation that changes no
 * state: Issue, Validate) the replay check, a Durable Object write, runs while the operation
 * does and the caller awaits `fresh` before answering: a replay still gets a fault and never
 * the reply. Otherwise `fresh` has settled before this returns.
 */
export async function authenticateRequestor(
  ctx: StsContext,
  deps: TrustDeps,
  how: RequestorAuthentication,
  env: SoapEnvelope,
  sec: SecurityHeader,
  overlap = false,
): Promise<{ who: Authenticated; fresh: Promise<void> }> {
  const pending: Promise<void>[] = [];
  const once = (createdAt: Date, signedInfo: Uint8Array): Promise<void> => {
    const p = acceptOnce(ctx, deps, createdAt, signedInfo);
    pending.push(p);
    // Awaited by the caller later; until then a rejection must not count as unhandled.
    p.catch(() => undefined);
    return overlap ? Promise.resolve() : p;
  };
  let who: Authenticated;
  switch (how) {
    case "username":
      who = await authenticateUsername(ctx, deps, env, sec, once);
      break;
    case "certificate":
      who = await authenticateSignedMessage(ctx, deps, env, sec, once);
      break;
    case "issued-token":
      who = await authenticateIssuedToken(ctx, deps, env, sec, once);
      break;
  }
  const fresh = Promise.all(pending).then(() => undefined);
  fresh.catch(() => undefined); // awaited by the caller unless the operation fails first
  return { who, fresh };
}

type AcceptOnce = (createdAt: Date, signedInfo: Uint8Array) => Promise<void>;

async function authenticateUsername(ctx: StsContext, deps: TrustDeps, env: SoapEnvelope, sec: SecurityHeader, once: AcceptOnce): Promise<Authenticated> {
  const ut = sec.usernameToken;
  if (!ut) throw authenticationFailed("This endpoint requires a wsse:UsernameToken.");
  const endorsing = endorsingKeyInfo(sec);
  if (!endorsing) {
    refuseUncheckedSignature(
      sec,
      "this endpoint authenticates by the UsernameToken and checks only a signature by the public key its ds:KeyInfo states (ds:KeyValue), as WCF endorses a request for an AsymmetricKey token: send the request unsigned, or sign it with an X.509 certificate at certificatemixed",
    );
  }
  ctx.audit.requestor = ut.username;
  const who = await authenticateLimited(ctx, deps.state, deps.clientAddress, ut.username, ut.password);
  await useOnce(deps.state, ut);
  if (!endorsing) return who;
  return { ...who, provedKey: await endorsedKey(ctx, env, sec, endorsing, once) };
}

/** The ds:KeyInfo of the Security header's one signature when it states a bare public key (ds:KeyValue). */
function endorsingKeyInfo(sec: SecurityHeader): Element | undefined {
  const signatures = sec.element ? childElements(sec.element, DSIG_NS, "Signature") : [];
  const keyInfo = signatures.length === 1 ? childElements(signatures[0]!, DSIG_NS, "KeyInfo") : [];
  const items = keyInfo.length === 1 ? childElements(keyInfo[0]!) : [];
  return items.length === 1 && items[0]!.namespaceURI === DSIG_NS && items[0]!.localName === "KeyValue" ? keyInfo[0] : undefined;
}

/**
 * The public key a UsernameToken requestor proves by the endorsing signature WCF sends with a
 * request for an AsymmetricKey token (the key in wst:UseKey, the signature over the wsu:Timestamp
 * stating it as ds:KeyValue): verified with that key (src/soap/message-signature.ts), accepted
 * once, like a certificatemixed signature. As there, a PublicKey token is then bound to the
 * proven key, and a wst:UseKey naming another key is refused (src/wstrust/proof-key.ts). A key
 * too weak to bind to fails the message, saying so.
 * @throws StsError authentication_failed
 */
async function endorsedKey(ctx: StsContext, env: SoapEnvelope, sec: SecurityHeader, keyInfo: Element, once: AcceptOnce): Promise<Requestor["provedKey"]> {
  if (!env.header || !sec.element || !sec.timestamp) throw authenticationFailed("A message signature needs a wsu:Timestamp in the Security header, covered by the signature.");
  const key = await confirmedKey(ctx, keyInfo);
  if (!("publicKey" in key)) throw authenticationFailed("The message signature's key must be a public key.");
  const parts = { header: env.header, body: env.body, security: sec.element };
  const signed = await verifyEndorsingKeySignature(parts, key.publicKey, acceptsSha1Signatures(ctx.config));
  await once(sec.timestamp.created, signed.signedInfo);
  return () =>
    readPublicKeyInfo(keyInfo).then(
      (k) => ({ method: "public-key" as const, jwk: k.jwk }),
      () => undefined,
    );
}

/**
 * WS-Security 1.1 §8.4: a signature in the Security header that cannot be validated fails the
 * message. Where the credential is not a key (a password, a bearer assertion) there is nothing to
 * check a signature with, and a sender that signs believes it proves something (that the Body
 * is the one it sent): told so, not silently ignored.
 * @throws StsError authentication_failed
 */
function refuseUncheckedSignature(sec: SecurityHeader, why: string): void {
  if (sec.element && childElements(sec.element, DSIG_NS, "Signature").length > 0) {
    throw authenticationFailed(`The message is signed, but ${why}.`);
  }
}

/**
 * A wsse:UsernameToken presented as ValidateTarget, OnBehalfOf or ActAs: credentials the
 * requestor forwards for one of its own callers (Apache CXF's STSTokenValidator sends them so).
 * Read and checked as the header's UsernameToken is (PasswordText only, a Nonce + Created used
 * once, the same failure limits), with only a user admitted: a service account's secret is
 * not a user's password. Failures count against the name alone when a service account
 * forwards them: its address stands for all its callers, not for the one who mistyped.
 */
export function presentedCredentials(ctx: StsContext, deps: TrustDeps, who: Requestor, el: Element): PresentedCredentials {
  const ut = readUsernameToken(el, ctx.now(), ctx.config.limits.clockSkewSeconds * 1000);
  const authenticate = async (): Promise<Identity> => {
    ctx.audit.subject ??= ut.username;
    const address = who.kind === "service" ? undefined : deps.clientAddress;
    const user = await authenticateLimited(ctx, deps.state, address, ut.username, ut.password, (w) => w.kind === "user");
    await useOnce(deps.state, ut);
    return (user as Extract<Authenticated, { kind: "user" }>).identity; // `admit` let only a user through
  };
  return { credentials: { username: ut.username, authenticate } };
}

/**
 * WS-Security Username Token Profile 1.1 §3.1: Nonce + Created identify a token; they are kept
 * for the freshness window and a repeat is refused (one key space, wherever the token is sent:
 * in the header or presented). A token without both is not remembered. Called once the password
 * has verified: only a token that signs someone in is worth replaying, and a refused or failed
 * attempt then writes nothing (a stranger cannot make every request a state write).
 * @throws StsError message_expired
 */
async function useOnce(state: StateClient, ut: UsernameToken): Promise<void> {
  const { username, nonce, created } = ut;
  if (!nonce || !created) return;
  const fresh = Date.now() - created.getTime() <= MAX_CREDENTIAL_AGE_MS;
  if (!fresh || !(await state.rememberNonce(replayKey("ut", username, nonce, created.toISOString()), created.getTime() + MAX_CREDENTIAL_AGE_MS))) {
    throw new StsError("message_expired", "This UsernameToken (Nonce and Created) has been used before.");
  }
}

/**
 * The requestor of a certificatemixed message: its X.509 message signature verified
 * (src/soap/message-signature.ts), the signature not seen before, the certificate mapped to a
 * principal. Failures count under the failed-authentication limits of the client's address.
 */
async function authenticateSignedMessage(ctx: StsContext, deps: TrustDeps, env: SoapEnvelope, sec: SecurityHeader, once: AcceptOnce): Promise<Authenticated> {
  if (sec.usernameToken) throw badRequest("This endpoint authenticates requestors by their message signature; send no UsernameToken.");
  if (!sec.element || !env.header || !sec.timestamp) throw authenticationFailed("This endpoint requires a message signed with an X.509 certificate, with a wsu:Timestamp.");
  const policy = ctx.config.requestorCertificates;
  if (!policy) throw authenticationFailed("No requestor certificates are configured: this endpoint accepts no requestor.");
  const parts = { header: env.header, body: env.body, security: sec.element };
  const address = deps.clientAddress;
  const signed = await withFailureLimit(
    ctx,
    deps.state,
    failureKeys(address ?? "-", address, "x509"),
    () => verifyMessageSignature(parts, { trust: policy.trust, allowSha1: acceptsSha1Signatures(ctx.config), coverage: signatureCoverage(ctx.config) }, ctx.now()),
    (e) => e instanceof StsError && e.code === "authentication_failed",
  );
  ctx.audit.requestor = signed.certificate.subjectCommonName ?? `x509:${signed.thumbprint}`;
  await once(sec.timestamp.created, signed.signedInfo);
  const who = await authenticateCertificate(ctx, signed);
  ctx.audit.requestor = requestorName(who);
  // The key it signed with is one it holds: a PublicKey token may be bound to it. A key that
  // cannot be bound to a token authenticates, but binds nothing.
  const der = signed.certificate.der;
  const provedKey = () =>
    publicKeyFromCertificate(der).then(
      (k) => ({ method: "public-key" as const, ...k }),
      () => undefined,
    );
  return { ...who, provedKey };
}

/**
 * A signed message can be replayed as it is until its Timestamp expires: what it signed (its
 * canonical SignedInfo, covering Body and Timestamp) is remembered for the window in which a
 * Timestamp is accepted at all, and a second arrival refused. Not the signature value: an ECDSA
 * signature (r, s) verifies as (r, n − s) too, so a captured message would come back in a new
 * spelling that no remembered value matches.
 */
async function acceptOnce(ctx: StsContext, deps: TrustDeps, createdAt: Date, signedInfo: Uint8Array): Promise<void> {
  const created = createdAt.getTime();
  if (ctx.now().getTime() - created > MAX_CREDENTIAL_AGE_MS) {
    throw new StsError("message_expired", "The signed message's wsu:Created is too old; sign each request afresh.");
  }
  const digest = toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", signedInfo as Uint8Array<ArrayBuffer>)));
  if (!(await deps.state.rememberNonce(replayKey("x509sig", digest), created + MAX_CREDENTIAL_AGE_MS + ctx.config.limits.clockSkewSeconds * 1000))) {
    throw new StsError("message_expired", "This signed message has been received before.");
  }
}

/**
 * The requestor of an issued-token message: the one SAML assertion in its Security header, issued
 * by a trusted partner for this STS (audience) or by this STS for itself, signature and times
 * checked as for any presented token (engine/presented-party.ts). A bearer assertion is enough
 * over TLS; a holder-of-key one only with a message signature made with the key it confirms (its
 * public key, or the symmetric proof key it seals for this STS), each such message accepted once.
 */
async function authenticateIssuedToken(ctx: StsContext, deps: TrustDeps, env: SoapEnvelope, sec: SecurityHeader, once: AcceptOnce): Promise<Authenticated> {
  if (sec.usernameToken) throw badRequest("This endpoint authenticates requestors by an issued token; send no UsernameToken.");
  // The assertion itself, or (from a partner that encrypts for this STS) its encrypted form.
  const assertions = sec.element ? childElements(sec.element).filter((c: Element) => isSamlAssertion(c.namespaceURI, c.localName ?? "") || isEncryptedToken(c)) : [];
  if (assertions.length !== 1) {
    throw assertions.length === 0
      ? authenticationFailed("This endpoint requires a SAML assertion in the wsse:Security header.")
      : badRequest("Only one SAML assertion is accepted in the wsse:Security header.");
  }
  const presented = assertions[0]!;
  const address = deps.clientAddress;
  // Every way the assertion or its key proof fails is one failed authentication of the address.
  const { party, signed, provedKeyInfo } = await withFailureLimit(
    ctx,
    deps.state,
    failureKeys(address ?? "-", address, "saml"),
    async () => {
      let party;
      let el = presented;
      try {
        if (isEncryptedToken(el)) el = await openEncryptedAssertion(ctx, el, "issued token");
        party = await partyFromSaml(ctx, deps.state, el, "issued token");
      } catch (e) {
        // A token that does not verify is a failed authentication of the requestor.
        if (e instanceof StsError && e.code === "invalid_token") throw authenticationFailed(e.message);
        throw e;
      }
      // The element verified in place (no wrapping), so what it states can be read from it.
      const facts = readAssertion(el);
      if (party.own && !isAudienceOf(facts, ctx.issuer)) {
        throw authenticationFailed("The assertion was issued for a relying party, not for this STS: a relying party cannot sign in with the tokens it receives.");
      }
      // Its holder is the actor, not the subject: signing in as the subject would drop who acts.
      if (party.act) throw authenticationFailed("The assertion names an actor (a delegated token): its holder cannot sign in as its subject.");
      const hok = facts.holderOfKey;
      if (!hok) {
        if (!confirmsBearerOnly(facts)) throw invalidToken("The assertion confirms its subject neither as bearer nor by a key this STS can check.");
        refuseUncheckedSignature(sec, "the assertion confirms no key to check the signature with (it is a bearer assertion): send it without a message signature, or present a holder-of-key assertion for the key that signs");
        return { party, signed: undefined, provedKeyInfo: undefined };
      }
      if (!env.header || !sec.element || !sec.timestamp) {
        throw authenticationFailed("A holder-of-key assertion signs in only with a message signed by its key, with a wsu:Timestamp.");
      }
      const parts = { header: env.header, body: env.body, security: sec.element };
      const key = await confirmedKey(ctx, hok);
      const signed = await verifyConfirmedKeySignature(parts, el, key, acceptsSha1Signatures(ctx.config), presented, signatureCoverage(ctx.config));
      // A public key the message signature just proved is one its sender holds (a symmetric
      // proof key is this STS's to know too, so it proves nothing a token could be bound to).
      return { party, signed: { created: sec.timestamp.created, value: signed.signedInfo }, provedKeyInfo: "publicKey" in key ? hok : undefined };
    },
    (e) => e instanceof StsError && e.code === "authentication_failed",
  );
  if (signed) await once(signed.created, signed.value);
  const who: Authenticated = { kind: "user", identity: party.identity };
  ctx.audit.requestor = requestorName(who);
  // As at certificatemixed: a PublicKey request without wst:UseKey is bound to the key that
  // signed it, and a UseKey must name that key (src/wstrust/proof-key.ts). The key alone: a
  // certificate the partner stated with it was judged by no one here, and a token states it.
  if (!provedKeyInfo) return who;
  const provedKey = () =>
    readPublicKeyInfo(provedKeyInfo).then(
      (k) => ({ method: "public-key" as const, jwk: k.jwk }),
      () => undefined,
    );
  return { ...who, provedKey };
}
