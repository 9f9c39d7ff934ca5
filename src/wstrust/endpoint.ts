import type { Markup } from "../xml/markup.ts";
import { authenticateLimited, withFailureLimit, withRenewalLimit } from "../abuse/guard.ts";
import { failureKeys } from "../abuse/limits.ts";
import { type Authenticated, authenticateCertificate } from "../engine/authenticate.ts";
import { toHex } from "../bytes.ts";
import { verifyMessageSignature } from "../soap/message-signature.ts";
import { type SecurityHeader } from "../soap/security.ts";
import type { SoapEnvelope } from "../soap/envelope.ts";
import { StsError, authenticationFailed, badRequest, invalidRequest } from "../errors.ts";
import { type Requestor, type StsContext, requestorName } from "../engine/types.ts";
import type { StateClient } from "../state/client.ts";
import { readAddressing, readEnvelope } from "../soap/envelope.ts";
import { buildFault } from "../soap/fault.ts";
import { type SoapVersion, soapContentType } from "../soap/ns.ts";
import { isSamlAssertion } from "../saml/ns.ts";
import { soapReply } from "../soap/reply.ts";
import { readSecurity } from "../soap/security.ts";
import { logError } from "../web/log.ts";
import { parseXml, XmlSecurityError } from "../xml/parse.ts";
import { TRUST13, TRUST2005, type TrustNs, trustByNs } from "./ns.ts";
import { type Rst, readRst } from "./rst.ts";
import { collection } from "./rstr.ts";
import type { TrustEndpoint } from "./endpoints.ts";
import { checkAction, checkDestination } from "./addressing.ts";
import { batchKind, handleBatch } from "./batch.ts";
import { handleCancel } from "./cancel.ts";
import { handleIssue } from "./issue.ts";
import { handleRenew } from "./renew.ts";
import { handleValidate } from "./validate.ts";

export interface TrustReply {
  status: number;
  body: string;
  contentType: string;
  /** The fault sent, if any (for the audit line). */
  fault?: { code: string; reason: string };
  /** For a 429 (rate_limited): seconds until the window ends (the Retry-After header). */
  retryAfterSeconds?: number;
}

/** What the endpoint needs besides the context: this request's state and the caller's address. */
export interface TrustDeps {
  /** Durable Object state: revocation, renewal, replay and failed-login counters. */
  state: StateClient;
  /** The caller's address, for per-address failed-authentication limits (absent: per subject only). */
  clientAddress: string | undefined;
}

export type Handler = (ctx: StsContext, who: Requestor, rst: Rst) => Promise<Markup>;

/** UsernameToken Created values older than this are refused, so the replay cache stays bounded. */
const NONCE_WINDOW_MS = 10 * 60 * 1000;

/** Runs one RST with this request's state (a function, not a table of closures per request). */
function operate(state: StateClient): Handler {
  return (ctx, who, rst) => {
    switch (rst.requestKind) {
      case "issue":
        return handleIssue(ctx, state, who, rst);
      case "validate":
        return handleValidate(ctx, state, who, rst);
      case "renew":
        return handleRenew(ctx, withRenewalLimit(state, ctx.config.limits, requestorName(who)), who, rst);
      case "cancel":
        return handleCancel(ctx, state, who, rst);
    }
  };
}

/**
 * WS-Security Username Token Profile 1.1 §3.1: Nonce + Created identify a token; they are kept
 * for the freshness window and a repeat is refused. Resolves false for a replay.
 */
async function rememberNonce(state: StateClient, username: string, nonce: string, created: Date): Promise<boolean> {
  if (Date.now() - created.getTime() > NONCE_WINDOW_MS) return false;
  return state.rememberNonce(`ut:${username}:${nonce}:${created.toISOString()}`, created.getTime() + NONCE_WINDOW_MS);
}

/**
 * The requestor of a certificatemixed message: its X.509 message signature verified
 * (src/soap/message-signature.ts), the signature not seen before, the certificate mapped to a
 * principal. Failures count under the failed-authentication limits of the client's address.
 */
async function authenticateSignedMessage(ctx: StsContext, deps: TrustDeps, env: SoapEnvelope, sec: SecurityHeader): Promise<Authenticated> {
  if (sec.usernameToken) throw badRequest("This endpoint authenticates requestors by their message signature; send no UsernameToken.");
  if (!sec.element || !env.header || !sec.timestamp) throw authenticationFailed("This endpoint requires a message signed with an X.509 certificate, with a wsu:Timestamp.");
  const policy = ctx.config.requestorCertificates;
  if (!policy) throw authenticationFailed("No requestor certificates are configured: this endpoint accepts no requestor.");
  const parts = { header: env.header, body: env.body, security: sec.element };
  const address = deps.clientAddress;
  const signed = await withFailureLimit(
    ctx,
    deps.state,
    failureKeys(`x509@${address ?? "-"}`, address),
    () => verifyMessageSignature(parts, { trust: policy.trust, allowSha1: policy.allowSha1Signatures }, ctx.now()),
    (e) => e instanceof StsError && e.code === "authentication_failed",
  );
  ctx.audit.requestor = signed.certificate.subjectCommonName ?? `x509:${signed.thumbprint}`;
  // A signed message can be replayed as it is until its Timestamp expires: its signature is
  // remembered for the window in which a Timestamp is accepted at all.
  const created = sec.timestamp.created.getTime();
  if (ctx.now().getTime() - created > NONCE_WINDOW_MS) {
    throw new StsError("message_expired", "The signed message's wsu:Created is too old; sign each request afresh.");
  }
  const digest = toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", signed.signatureValue as Uint8Array<ArrayBuffer>)));
  if (!(await deps.state.rememberNonce(`x509sig:${digest}`, created + NONCE_WINDOW_MS + ctx.config.limits.clockSkewSeconds * 1000))) {
    throw new StsError("message_expired", "This signed message has been received before.");
  }
  const who = authenticateCertificate(ctx, signed);
  ctx.audit.requestor = requestorName(who);
  return who;
}

/**
 * One WS-Trust endpoint (see endpoints.ts): safe parse, SOAP envelope, the request read and its
 * action and wsa:To checked against it, WS-Security, authentication (a UsernameToken or an X.509
 * message signature, as the endpoint asks), then the operation. Every failure becomes a SOAP
 * fault in the caller's SOAP version; nothing else escapes. `soapAction` is the SOAPAction HTTP
 * header.
 */
export async function handleTrustRequest(
  ctx: StsContext,
  deps: TrustDeps,
  readBody: () => Promise<Uint8Array>,
  contentType: string | null,
  endpoint: TrustEndpoint,
  soapAction: string | null = null,
): Promise<TrustReply> {
  let version: SoapVersion = (contentType ?? "").toLowerCase().includes("soap+xml") ? "1.2" : "1.1";
  let trust: TrustNs = endpoint.version === "13" ? TRUST13 : TRUST2005;
  let relatesTo: string | undefined;
  let wsaNs: string | undefined;
  ctx.audit.operation = "wstrust";
  try {
    let doc;
    try {
      doc = parseXml(await readBody(), {
        maxBytes: ctx.config.limits.maxBodyBytes,
        maxDepth: ctx.config.limits.maxXmlDepth,
        maxElements: ctx.config.limits.maxXmlElements,
        maxAttributesPerElement: ctx.config.limits.maxXmlAttributesPerElement,
        keepSource: isSamlAssertion, // lets a presented assertion be recognised as verified before
      });
    } catch (e) {
      if (e instanceof XmlSecurityError) throw badRequest(`The request is not acceptable XML: ${e.message}`);
      throw e;
    }
    const env = readEnvelope(doc, contentType);
    version = env.version;
    relatesTo = env.addressing.messageId;
    wsaNs = env.addressing.ns;
    const wsa = readAddressing(env, contentType, soapAction);
    const payloadTrust = trustByNs(env.payload.namespaceURI);
    if (!payloadTrust) throw invalidRequest("The SOAP Body does not hold a WS-Trust request.");
    trust = payloadTrust;
    // Read the request before authenticating so the audit line names the operation even
    // when authentication fails.
    let rst: Rst | undefined;
    if (env.payload.localName === "RequestSecurityToken") {
      rst = readRst(env.payload, trust);
      ctx.audit.operation = `wstrust.${rst.requestKind}`;
      checkAction(wsa.action, trust, rst.requestKind, false);
    } else if (env.payload.localName === "RequestSecurityTokenCollection") {
      ctx.audit.operation = "wstrust.batch";
      const kind = batchKind(env.payload, trust);
      if (kind) checkAction(wsa.action, trust, kind, true);
    }
    checkDestination(wsa.to, { path: endpoint.path, origin: ctx.origin, issuer: ctx.issuer });
    const byCertificate = endpoint.authentication === "certificate";
    const sec = readSecurity(env.header, env.version, ctx.now(), ctx.config.limits.clockSkewSeconds, { binaryTokens: byCertificate });
    let who: Authenticated;
    if (byCertificate) {
      who = await authenticateSignedMessage(ctx, deps, env, sec);
    } else {
      const ut = sec.usernameToken;
      if (!ut) throw authenticationFailed("This endpoint requires a wsse:UsernameToken.");
      ctx.audit.requestor = ut.username;
      if (ut.nonce && ut.created) {
        if (!(await rememberNonce(deps.state, ut.username, ut.nonce, ut.created))) {
          throw new StsError("message_expired", "This UsernameToken (Nonce and Created) has been used before.");
        }
      }
      who = await authenticateLimited(ctx, deps.state, deps.clientAddress, ut.username, ut.password);
    }
    const handle = operate(deps.state);
    let replyBody: Markup;
    let action: string;
    if (rst) {
      action = trust.actions[`${rst.requestKind}Reply`];
      const rstr = await handle(ctx, who, rst);
      // WS-Trust 1.3 §4.2: Issue answers with an RSTRC; the others and 2005 with a bare RSTR.
      replyBody = trust.version === "13" && rst.requestKind === "issue" ? collection(trust, [rstr]) : rstr;
    } else if (env.payload.localName === "RequestSecurityTokenCollection") {
      replyBody = await handleBatch(ctx, who, env.payload, trust, handle);
      action = trust.actions.issueReply;
    } else {
      throw invalidRequest(`Unsupported WS-Trust message '${env.payload.localName}'.`);
    }
    return {
      status: 200,
      body: soapReply(version, { action, relatesTo, ns: wsaNs }, replyBody),
      contentType: soapContentType(version, action),
    };
  } catch (caught) {
    let e: StsError;
    if (caught instanceof StsError) e = caught;
    else {
      // A bug, not the client's fault: the detail goes to the log; the client still gets a
      // SOAP fault in its own version (a Receiver fault), never a stack trace or a JSON 500.
      logError("POST", endpoint.path, caught);
      e = new StsError("internal_error", "The STS could not process the request.");
    }
    const f = buildFault(version, {
      code: e.code,
      reason: e.message,
      trustNs: trust.ns,
      relatesTo,
      wsaNs,
      detail: e.detail,
    });
    return {
      status: f.status,
      body: f.xml,
      contentType: soapContentType(version),
      fault: { code: e.code, reason: e.message },
      ...(e.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: e.retryAfterSeconds }),
    };
  }
}
