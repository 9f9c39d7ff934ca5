/**
 * WS-MetadataExchange over SOAP (WS-MetadataExchange 1.1 §6, WS-Transfer Get): what WCF's
 * MetadataExchangeClient and svcutil send to `/trust/mex` instead of an HTTP GET. The answer is
 * the same WSDL, with its inline policies, in one mex:MetadataSection.
 */
import { actionNotSupported, badRequest } from "../errors.ts";
import type { StsContext } from "../engine/types.ts";
import { parseSoapRequest, readAddressing, readEnvelopeParts, replyContext } from "../soap/envelope.ts";
import { type SoapVersion, soapContentType, soapVersionOf } from "../soap/ns.ts";
import { soapReply } from "../soap/reply.ts";
import { NO_REFERENCE_PARAMETERS } from "../soap/reference-parameters.ts";
import { childElements } from "../xml/dom.ts";
import { trustedMarkup, xml } from "../xml/markup.ts";
import { checkDestination } from "./addressing.ts";
import { TNS, WSDL_NS, wsdlFor } from "./mex.ts";
import { TRUST13 } from "./ns.ts";
import { type TrustReply, faultReply } from "./endpoint.ts";

export const MEX_PATH = "/trust/mex";
const TRANSFER_GET = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get";
const TRANSFER_GET_RESPONSE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse";
const MEX_NS = "http://schemas.xmlsoap.org/ws/2004/09/mex";

/**
 * Answers a WS-Transfer Get on the metadata endpoint at `path` (whose wsa:To must name it);
 * every failure is a SOAP fault.
 */
export async function handleMetadataGet(
  path: string,
  ctx: StsContext,
  readBody: () => Promise<Uint8Array>,
  contentType: string | null,
  soapAction: string | null,
): Promise<TrustReply> {
  let version: SoapVersion = soapVersionOf(contentType);
  let relatesTo: string | undefined;
  let wsaNs: string | undefined;
  let referenceParameters = NO_REFERENCE_PARAMETERS;
  ctx.audit.operation = "wstrust.mex";
  let aboutBody = false;
  try {
    const doc = parseSoapRequest(await readBody(), ctx.config.limits);
    const reply = replyContext(doc);
    version = reply.version ?? version;
    ({ relatesTo, wsaNs, referenceParameters } = reply);
    const env = readEnvelopeParts(doc, contentType);
    const wsa = readAddressing(env, contentType, soapAction);
    if (wsa.action !== TRANSFER_GET) {
      throw actionNotSupported(`The metadata endpoint answers only the WS-Transfer Get action (${TRANSFER_GET}).`, wsa.action);
    }
    // WS-MetadataExchange 1.1 §6.1: a Get for the whole metadata has an empty Body.
    if (childElements(env.body).length > 0) {
      aboutBody = true;
      throw badRequest("A WS-Transfer Get has an empty SOAP Body.");
    }
    checkDestination(wsa.to, { path, origin: ctx.origin, issuer: ctx.issuer });
    const wsdl = trustedMarkup(wsdlFor(ctx).replace(/^<\?xml[^?]*\?>/, ""));
    const body = xml`<mex:Metadata xmlns:mex="${MEX_NS}"><mex:MetadataSection Dialect="${WSDL_NS}" Identifier="${TNS}">${wsdl}</mex:MetadataSection></mex:Metadata>`;
    return {
      status: 200,
      body: soapReply(version, { action: TRANSFER_GET_RESPONSE, relatesTo, ns: wsaNs, referenceParameters: referenceParameters.reply }, body),
      contentType: soapContentType(version, TRANSFER_GET_RESPONSE),
    };
  } catch (caught) {
    return faultReply(caught, path, { version, trustNs: TRUST13.ns, relatesTo, wsaNs, referenceParameters: referenceParameters.fault, aboutBody });
  }
}
