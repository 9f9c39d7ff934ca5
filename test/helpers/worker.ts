import { exports } from "cloudflare:workers";
import { DOMParser } from "@xmldom/xmldom";
import type { Document, Element } from "@xmldom/xmldom";
import { NS, type RstOptions, TT, envelope, soapHeaders } from "./soap.ts";

export const ORIGIN = "http://127.0.0.1:8787";

/** Sends a request to the real worker (its default export), as a client would. */
export function call(path: string, init?: RequestInit): Promise<Response> {
  return (exports as unknown as { default: { fetch(r: Request): Promise<Response> } }).default.fetch(
    new Request(ORIGIN + path, init),
  );
}

export async function trust(o: RstOptions): Promise<{ status: number; text: string; doc: Document; res: Response }> {
  const env = envelope(o);
  const res = await call(`/trust/${o.trust ?? "13"}/usernamemixed`, { method: "POST", headers: env.headers, body: env.body });
  const text = await res.text();
  return { status: res.status, text, doc: new DOMParser().parseFromString(text, "text/xml"), res };
}

export function byTag(doc: Document | Element, ns: string, local: string): Element[] {
  return Array.from(doc.getElementsByTagNameNS(ns, local)) as Element[];
}

/** The fault code QName (SOAP 1.1 faultcode or SOAP 1.2 Subcode value), or undefined. */
export function faultCode(text: string): string | undefined {
  const m =
    /<faultcode>([^<]+)<\/faultcode>/.exec(text) ??
    /<s:Subcode><s:Value>([^<]+)<\/s:Value>/.exec(text) ??
    /<s:Code><s:Value>([^<]+)<\/s:Value>/.exec(text);
  return m?.[1];
}

/**
 * A WS-Trust Issue of a SAML 2.0 token for urn:example:rp to the issued-token endpoint
 * (issuedtokenmixed<variant>basic256 of `trust`, in `soap`), with `token` — the requestor's
 * assertion, or whatever a test puts there — beside a Timestamp valid for `validForMs` from `now`
 * in the wsse:Security header.
 */
export function issuedTokenRequest(
  token: string,
  o: { trust?: "13" | "2005"; soap?: "1.1" | "1.2"; variant?: string; now?: Date; validForMs?: number } = {},
): { path: string; headers: Record<string, string>; body: string } {
  const { trust = "13", soap = "1.2", variant = "asymmetric", now = new Date(), validForMs = 300_000 } = o;
  const path = `/trust/${trust}/issuedtokenmixed${variant}basic256`;
  const tns = trust === "13" ? NS.t13 : NS.t05;
  const action = `${tns}/RST/Issue`;
  const body =
    `<s:Envelope xmlns:s="${soap === "1.2" ? NS.s12 : NS.s11}" xmlns:a="${NS.wsa}" xmlns:u="${NS.wsu}"><s:Header><a:Action>${action}</a:Action><a:To>${ORIGIN}${path}</a:To>` +
    `<o:Security xmlns:o="${NS.wsse}" s:mustUnderstand="1"><u:Timestamp><u:Created>${now.toISOString()}</u:Created><u:Expires>${new Date(now.getTime() + validForMs).toISOString()}</u:Expires></u:Timestamp>${token}</o:Security></s:Header>` +
    `<s:Body><t:RequestSecurityToken xmlns:t="${tns}"><t:TokenType>${TT.saml2}</t:TokenType><t:RequestType>${tns}/Issue</t:RequestType>` +
    `<wsp:AppliesTo xmlns:wsp="${NS.wsp}"><a:EndpointReference><a:Address>urn:example:rp</a:Address></a:EndpointReference></wsp:AppliesTo></t:RequestSecurityToken></s:Body></s:Envelope>`;
  return { path, headers: soapHeaders(soap, action), body };
}

/** POSTs a prepared SOAP request to the worker: status, text and the parsed reply. */
export async function postSoap(r: { path: string; headers: Record<string, string>; body: string }): Promise<{ status: number; text: string; doc: Document }> {
  const res = await call(r.path, { method: "POST", headers: r.headers, body: r.body });
  const text = await res.text();
  return { status: res.status, text, doc: new DOMParser().parseFromString(text, "text/xml") };
}
