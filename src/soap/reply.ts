import { escapeText } from "../xml/escape.ts";
import { type SoapVersion, WSA10_NS, soapNs } from "./ns.ts";

export interface ReplyAddressing {
  /** wsa:Action of the reply. */
  action: string;
  /** The request's wsa:MessageID, echoed as wsa:RelatesTo (WS-Addressing 1.0 SOAP binding §3). */
  relatesTo?: string | undefined;
  /** The WS-Addressing namespace the request used. */
  ns?: string | undefined;
}

/**
 * Wraps an already-serialized body payload in a SOAP envelope of the caller's version. Built
 * as a string: the payload (e.g. a signed assertion) is embedded byte for byte, never
 * re-serialized, so its signature stays intact.
 */
export function soapReply(version: SoapVersion, wsa: ReplyAddressing, bodyXml: string): string {
  const s = soapNs(version);
  const a = wsa.ns ?? WSA10_NS;
  const relates = wsa.relatesTo ? `<a:RelatesTo>${escapeText(wsa.relatesTo)}</a:RelatesTo>` : "";
  return (
    `<s:Envelope xmlns:s="${s}" xmlns:a="${a}">` +
    `<s:Header><a:Action s:mustUnderstand="1">${escapeText(wsa.action)}</a:Action>${relates}</s:Header>` +
    `<s:Body>${bodyXml}</s:Body></s:Envelope>`
  );
}
