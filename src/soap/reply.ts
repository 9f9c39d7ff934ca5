import { type Markup, xml } from "../xml/markup.ts";
import { type SoapVersion, WSA10_NS, soapNs } from "./ns.ts";

export interface ReplyAddressing {
  /** wsa:Action of the reply. */
  action: string;
  /** The request's wsa:MessageID, echoed as wsa:RelatesTo (WS-Addressing 1.0 SOAP binding §3). */
  relatesTo?: string | undefined;
  /** The WS-Addressing namespace the request used. */
  ns?: string | undefined;
  /** The reference parameters of the endpoint the message goes to, as header blocks (src/soap/reference-parameters.ts). */
  referenceParameters?: readonly Markup[] | undefined;
}

/**
 * Wraps a body payload in a SOAP envelope of the caller's version; `header` goes first in the
 * Header (a fault's NotUnderstood). The payload (e.g. holding a signed assertion) is embedded
 * byte for byte, never re-serialized, so a signature inside stays intact.
 */
export function soapReply(version: SoapVersion, wsa: ReplyAddressing, body: Markup, header?: Markup): string {
  return xml`<s:Envelope xmlns:s="${soapNs(version)}" xmlns:a="${wsa.ns ?? WSA10_NS}"><s:Header>${header}<a:Action s:mustUnderstand="1">${wsa.action}</a:Action>${wsa.relatesTo ? xml`<a:RelatesTo>${wsa.relatesTo}</a:RelatesTo>` : undefined}${wsa.referenceParameters}</s:Header><s:Body>${body}</s:Body></s:Envelope>`.xml;
}
