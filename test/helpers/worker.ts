import { exports } from "cloudflare:workers";
import { DOMParser } from "@xmldom/xmldom";
import type { Document, Element } from "@xmldom/xmldom";
import { type RstOptions, envelope } from "./soap.ts";

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

/** The HTTP headers of a SOAP request naming `action`, in the SOAP version's own way. */
export function soapHeaders(soap: "1.1" | "1.2", action: string): Record<string, string> {
  return soap === "1.2" ? { "content-type": `application/soap+xml; charset=utf-8; action="${action}"` } : { "content-type": "text/xml; charset=utf-8", soapaction: `"${action}"` };
}

/** POSTs a prepared SOAP request to the worker: status, text and the parsed reply. */
export async function postSoap(r: { path: string; headers: Record<string, string>; body: string }): Promise<{ status: number; text: string; doc: Document }> {
  const res = await call(r.path, { method: "POST", headers: r.headers, body: r.body });
  const text = await res.text();
  return { status: res.status, text, doc: new DOMParser().parseFromString(text, "text/xml") };
}
