import type { Markup } from "../xml/markup.ts";
import { withRenewalLimit } from "../abuse/guard.ts";
import { invalidRequest } from "../errors.ts";
import { type Requestor, type StsContext, requestorName } from "../engine/types.ts";
import { bodyPayload, parseSoapRequest, readAddressing, readEnvelopeParts, replyContext } from "../soap/envelope.ts";
import { buildFault } from "../soap/fault.ts";
import { type SoapVersion, soapContentType, soapVersionOf } from "../soap/ns.ts";
import { isSamlAssertion } from "../saml/ns.ts";
import { soapReply } from "../soap/reply.ts";
import { NO_REFERENCE_PARAMETERS } from "../soap/reference-parameters.ts";
import { readSecurity } from "../soap/security.ts";
import { asStsError } from "./unexpected.ts";
import { TRUST13, TRUST2005, type TrustNs, trustByNs } from "./ns.ts";
import { type Rst, readRequestKind, readRst } from "./rst.ts";
import { collection } from "./rstr.ts";
import { type TrustEndpoint, endpointForVersion } from "./endpoints.ts";
import { type TrustDeps, authenticateRequestor } from "./authenticate.ts";

export type { TrustDeps } from "./authenticate.ts";
import { type Destination, checkAction, checkDestination } from "./addressing.ts";
import { type Batch, handleBatch, readBatch } from "./batch.ts";
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


const TRUST_NAME = { "13": "WS-Trust 1.3", "2005": "WS-Trust February 2005" } as const;

export type Handler = (ctx: StsContext, who: Requestor, rst: Rst) => Promise<Markup>;

/** Runs one RST with this request's state (a function, not a table of closures per request). */
function operate(deps: TrustDeps, here: Destination): Handler {
  const state = deps.state;
  return (ctx, who, rst) => {
    switch (rst.requestKind) {
      case "issue":
        return handleIssue(ctx, deps, who, rst);
      case "validate":
        return handleValidate(ctx, deps, who, rst);
      case "renew":
        return handleRenew(ctx, withRenewalLimit(state, ctx.config.limits, requestorName(who), ctx.config.realm), who, rst, here);
      case "cancel":
        return handleCancel(ctx, state, who, rst);
    }
  };
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
  let version: SoapVersion = soapVersionOf(contentType);
  let trust: TrustNs = endpoint.version === "13" ? TRUST13 : TRUST2005;
  let relatesTo: string | undefined;
  let wsaNs: string | undefined;
  let referenceParameters = NO_REFERENCE_PARAMETERS;
  ctx.audit.operation = "wstrust";
  // Which part of the message is being processed, for a SOAP 1.1 fault's detail (§4.4).
  let part: "envelope" | "body" = "envelope";
  try {
    // keepSource lets a presented assertion be recognised as verified before.
    const doc = parseSoapRequest(await readBody(), ctx.config.limits, isSamlAssertion);
    // Read first, so that a fault about the envelope itself still relates to the request.
    const reply = replyContext(doc);
    version = reply.version ?? version;
    ({ relatesTo, wsaNs, referenceParameters } = reply);
    const parts = readEnvelopeParts(doc, contentType);
    const wsa = readAddressing(parts, contentType, soapAction);
    part = "body";
    const env = { ...parts, payload: bodyPayload(parts.body) };
    const payloadTrust = trustByNs(env.payload.namespaceURI);
    if (!payloadTrust) throw invalidRequest("The SOAP Body does not hold a WS-Trust request.");
    trust = payloadTrust;
    // Each endpoint speaks the one WS-Trust version its path and WSDL binding name (its policy,
    // actions and replies are that version's), as AD FS's /trust/13/ and /trust/2005/ endpoints
    // do: a request of the other version is told where that version is served. The fault is in
    // the request's own namespace, the one its sender reads.
    if (payloadTrust.version !== endpoint.version) {
      const other = endpointForVersion(endpoint, payloadTrust.version);
      throw invalidRequest(
        `This endpoint serves ${TRUST_NAME[endpoint.version]} requests only; send ${TRUST_NAME[payloadTrust.version]} (${payloadTrust.ns}) requests to ${ctx.origin}${other.path}.`,
      );
    }
    // Read the request before authenticating so the audit line names the operation even
    // when authentication fails.
    let rst: Rst | undefined;
    let batch: Batch | undefined;
    if (env.payload.localName === "RequestSecurityToken") {
      // The kind first: a refusal of the rest of the RST (an unknown TokenType, a bad KeyType)
      // is then logged as the operation it refused.
      ctx.audit.operation = `wstrust.${readRequestKind(env.payload, trust, false)}`;
      rst = readRst(env.payload, trust);
    } else if (env.payload.localName === "RequestSecurityTokenCollection") {
      ctx.audit.operation = "wstrust.batch";
      batch = readBatch(env.payload, trust, ctx.config.limits.maxBatchItems);
    }
    // The header blocks: wsa:Action and wsa:To against the request, then WS-Security.
    part = "envelope";
    if (rst) checkAction(wsa.action, trust, rst.requestKind, false);
    else if (batch?.kind) checkAction(wsa.action, trust, batch.kind, true);
    const here: Destination = { path: endpoint.path, origin: ctx.origin, issuer: ctx.issuer };
    checkDestination(wsa.to, here);
    const sec = readSecurity(env.header, env.version, ctx.now(), ctx.config.limits.clockSkewSeconds, {
      binaryTokens: endpoint.authentication === "certificate",
    });
    // Issue and Validate change no state: a signed message's replay check may run beside them.
    const stateless = rst !== undefined && (rst.requestKind === "issue" || rst.requestKind === "validate");
    const { who, fresh } = await authenticateRequestor(ctx, deps, endpoint.authentication, env, sec, stateless);
    part = "body";
    const handle = operate(deps, here);
    let replyBody: Markup;
    let action: string;
    if (rst) {
      action = trust.actions[`${rst.requestKind}Reply`];
      const rstr = await handle(ctx, who, rst);
      // WS-Trust 1.3 §4.2: Issue answers with an RSTRC; the others and 2005 with a bare RSTR.
      replyBody = trust.version === "13" && rst.requestKind === "issue" ? collection(trust, [rstr]) : rstr;
    } else if (batch) {
      replyBody = await handleBatch(ctx, who, batch, trust, handle, endpoint.path);
      action = trust.actions[`${batch.kind ?? "issue"}Reply`];
    } else {
      throw invalidRequest(`Unsupported WS-Trust message '${(env.payload.localName ?? "").slice(0, 200)}'.`);
    }
    // A replayed signed message is the Security header's fault.
    part = "envelope";
    await fresh;
    return {
      status: 200,
      body: soapReply(version, { action, relatesTo, ns: wsaNs, referenceParameters: referenceParameters.reply }, replyBody),
      contentType: soapContentType(version, action),
    };
  } catch (caught) {
    return faultReply(caught, endpoint.path, { version, trustNs: trust.ns, relatesTo, wsaNs, referenceParameters: referenceParameters.fault, aboutBody: part === "body" });
  }
}

/**
 * A request's failure as its SOAP fault, in the caller's SOAP and WS-Addressing versions. A bug
 * (anything not an StsError) is logged with `where` and answered as a Receiver fault: never a
 * stack trace or a JSON 500.
 */
export function faultReply(
  caught: unknown,
  where: string,
  at: { version: SoapVersion; trustNs: string; relatesTo: string | undefined; wsaNs: string | undefined; referenceParameters?: readonly Markup[]; aboutBody?: boolean },
): TrustReply {
  const e = asStsError(caught, where);
  const f = buildFault(at.version, { code: e.code, reason: e.message, trustNs: at.trustNs, relatesTo: at.relatesTo, wsaNs: at.wsaNs, referenceParameters: at.referenceParameters, detail: e.detail, problem: e.problem, aboutBody: at.aboutBody });
  return {
    status: f.status,
    body: f.xml,
    contentType: soapContentType(at.version),
    fault: { code: e.code, reason: e.message },
    ...(e.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: e.retryAfterSeconds }),
  };
}
