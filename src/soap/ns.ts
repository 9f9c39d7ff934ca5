/** SOAP, WS-Addressing and WS-Security namespaces. */
import { mediaTypeEssence } from "../web/body.ts";
export const SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/";
export const SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope";
export const WSA10_NS = "http://www.w3.org/2005/08/addressing";
/** The August 2004 WS-Addressing namespace still sent by WSE / older WCF bindings. */
export const WSA04_NS = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
export const WSSE11_NS = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd";
export { BASE64_BINARY, WSSE_NS, WSU_NS } from "../xml/dom.ts";
export const PASSWORD_TEXT =
  "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";
export const PASSWORD_DIGEST =
  "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
/** WSS X.509 Token Profile 1.1 §3.1: a BinarySecurityToken holding one X.509 v3 certificate. */
export const X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
/** WSS X.509 Token Profile 1.1 §3.1: a BinarySecurityToken holding a certificate path (a PkiPath, end certificate last). */
export const X509_PKI_PATH = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509PKIPathv1";
/** WS-Addressing 1.0 SOAP Binding §6: the wsa:Action of a SOAP fault. */
export const WSA10_FAULT_ACTION = "http://www.w3.org/2005/08/addressing/soap/fault";
/** The 2004/08 submission §5: the one wsa:Action of every fault message in that version. */
export const WSA04_FAULT_ACTION = "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault";

export type SoapVersion = "1.1" | "1.2";

/**
 * The SOAP version a request's media type names (SOAP 1.2: application/soap+xml), for answering
 * in kind before (or without) reading its envelope.
 */
export function soapVersionOf(contentType: string | null): SoapVersion {
  return mediaTypeEssence(contentType ?? "") === "application/soap+xml" ? "1.2" : "1.1";
}

export function soapNs(v: SoapVersion): string {
  return v === "1.1" ? SOAP11_NS : SOAP12_NS;
}

/** Content type for a SOAP reply (SOAP 1.2 Part 2 §7.1.4 / SOAP 1.1 §6.1.1). */
export function soapContentType(v: SoapVersion, action?: string): string {
  if (v === "1.1") return "text/xml; charset=utf-8";
  return action ? `application/soap+xml; charset=utf-8; action="${action}"` : "application/soap+xml; charset=utf-8";
}
