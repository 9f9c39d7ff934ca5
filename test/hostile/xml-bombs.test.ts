/**
 * Hostile XML over HTTP, black box: each request must get a SOAP fault (the parser refuses
 * before building a tree, and before any PBKDF2 or signature work), and the worker must keep
 * serving afterwards. How fast the refusals are is the benchmark's business: the time is logged
 * here, not asserted.
 */
import { beforeAll, describe, expect, it } from "vitest";
import xmlbomb from "../fixtures/vectors/xxe-dos-defusedxml/xmlbomb.xml?raw";
import quadratic from "../fixtures/vectors/xxe-dos-defusedxml/quadratic.xml?raw";
import external from "../fixtures/vectors/xxe-dos-defusedxml/external.xml?raw";
import { envelope } from "../helpers/soap.ts";
import { call, faultCode, trust } from "../helpers/worker.ts";

const PATH = "/trust/13/usernamemixed";
const GOOD = { user: "alice", password: "wonderland", appliesTo: "urn:example:rp" };
const good = () => envelope(GOOD);

const BILLION_LAUGHS =
  `<?xml version="1.0"?><!DOCTYPE s:Envelope [<!ENTITY lol "lol">` +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`).join("") +
  `]>` +
  good().body.replace("<wst:RequestType>", "<wst:RequestType>&lol9;");

/** Replaces the RST with `inner` inside an otherwise good envelope. */
const inBody = (inner: string) => good().body.replace(/<s:Body>[\s\S]*<\/s:Body>/, `<s:Body>${inner}</s:Body>`);

const enc = (s: string) => new TextEncoder().encode(s);

/** name → request body (string or bytes, or a stream factory). */
const BOMBS: [string, () => BodyInit][] = [
  ["billion laughs in the envelope", () => BILLION_LAUGHS],
  ["defusedxml xmlbomb.xml", () => xmlbomb],
  ["defusedxml quadratic.xml", () => quadratic],
  ["defusedxml external.xml (XXE)", () => external],
  ["8 MB body (Content-Length)", () => good().body.replace("</s:Body>", `<x>${"A".repeat(8 * 1024 * 1024)}</x></s:Body>`)],
  ["8 MB body (streamed, no Content-Length)", () => stream(8 * 1024 * 1024)],
  ["100,000-deep nesting", () => inBody("<a>".repeat(100_000) + "</a>".repeat(100_000))],
  ["two root elements", () => good().body + "<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'/>"],
  ["duplicate attributes", () => good().body.replace('Context="ctx-1"', 'Context="ctx-1" Context="ctx-2"')],
  ["invalid UTF-8 in the username", () => utf8Broken()],
  ["overlong UTF-8 encoding of '<'", () => concat(enc(good().body.slice(0, -20)), Uint8Array.of(0xc0, 0xbc), enc(good().body.slice(-20)))],
  ["50,000 elements", () => inBody("<e/>".repeat(50_000))],
  ["1,000 attributes on one element", () => inBody(`<e ${Array.from({ length: 1000 }, (_, i) => `a${i}="x"`).join(" ")}/>`)],
  ["unclosed envelope", () => good().body.slice(0, -30)],
  ["processing instruction before the root naming a stylesheet", () => `<?xml-stylesheet href="http://evil.example/x.xsl"?>${good().body}`],
];

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function utf8Broken(): Uint8Array {
  const [a, b] = good().body.split("<wsse:Username>alice");
  return concat(enc(a + "<wsse:Username>ali"), Uint8Array.of(0xc3, 0x28), enc("ce" + b));
}

/** A body stream of `total` bytes in 64 KiB chunks (no Content-Length header). */
function stream(total: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(65536).fill(0x41);
  let sent = 0;
  return new ReadableStream({
    pull(c) {
      if (sent === 0) {
        c.enqueue(enc(good().body.replace("</s:Body></s:Envelope>", "<x>")));
      }
      if (sent >= total) return c.close();
      c.enqueue(chunk);
      sent += chunk.length;
    },
  });
}

async function healthyAfterwards(): Promise<void> {
  expect((await call("/healthz")).status).toBe(200);
  const r = await trust(GOOD);
  expect(r.status).toBe(200);
  expect(r.text).toContain("<saml:Assertion");
}

describe("hostile XML bodies", () => {
  // Warm the isolate (configuration validation, key import) so the logged times are the refusal's.
  beforeAll(healthyAfterwards);

  for (const [name, body] of BOMBS) {
    it(`${name} → SOAP fault, and the worker keeps serving`, async () => {
      const started = Date.now();
      const res = await call(PATH, { method: "POST", headers: good().headers, body: body() });
      const text = await res.text();
      const elapsed = Date.now() - started;
      console.log(`[bomb] ${name}: HTTP ${res.status} ${faultCode(text)} in ${elapsed} ms`);
      // A body over the size limit is 413 (RFC 9110 §15.5.14), read no further; the rest are
      // faults of a message that was read.
      expect(name.startsWith("8 MB body") ? [413] : [400, 500]).toContain(res.status);
      expect(res.headers.get("content-type")).toMatch(/^application\/soap\+xml/);
      expect(text).toContain("<s:Fault");
      expect(faultCode(text)).toMatch(/^wst:(BadRequest|InvalidRequest)$/);
      expect(text).not.toContain("lollol");
      await healthyAfterwards();
    });
  }

  it("the control envelope itself is accepted (the bombs differ only in their attack)", async () => {
    const res = await call(PATH, { method: "POST", headers: good().headers, body: good().body });
    expect(res.status).toBe(200);
  });
});
