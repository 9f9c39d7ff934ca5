/**
 * Caller text echoed into a SOAP fault must stay text: a MustUnderstand fault names the header
 * not understood (SOAP 1.2 Part 1 §5.4.8), and that header's namespace is the caller's.
 */
import { describe, expect, it } from "vitest";
import { NS, envelope } from "../helpers/soap.ts";
import { faultCode, postSoap, trust } from "../helpers/worker.ts";
import { parseXml } from "../../src/xml/parse.ts";

const NASTY = [
  `urn:a"b`, // a quote that would close the attribute
  `urn:a"/><injected xmlns="urn:evil"/><x y="`, // markup after the quote
  `urn:a&amp;b<c`, // already-escaped text and a bare '<' (written as &lt; in the request)
  `urn:$'$&$\`end`, // replacement patterns of String.prototype.replace
];

/** The same value as an XML attribute in single quotes (what the request carries). */
const singleQuoted = (v: string) => `'${v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/'/g, "&apos;")}'`;

describe("SOAP 1.2 MustUnderstand fault", () => {
  for (const ns of NASTY) {
    it(`names the header's namespace exactly and stays well-formed: ${JSON.stringify(ns)}`, async () => {
      const r = await trust({
        user: "alice",
        password: "wonderland",
        appliesTo: "urn:example:rp",
        soap: "1.2",
        extraHeaders: `<x:Foo xmlns:x=${singleQuoted(ns)} s:mustUnderstand="true"/>`,
      });
      expect(faultCode(r.text)).toBe("s:MustUnderstand");
      // Our own strict parser: any malformed markup is an error, not a guess.
      const doc = parseXml(r.text);
      const nu = doc.getElementsByTagNameNS(NS.s12, "NotUnderstood");
      expect(nu.length).toBe(1);
      const el = nu.item(0)!;
      expect(el.getAttribute("xmlns:nu")).toBe(ns);
      expect(el.getAttribute("qname")).toBe("nu:Foo");
      expect(doc.getElementsByTagNameNS("urn:evil", "injected").length).toBe(0);
      expect(r.text).not.toContain("Assertion");
    });
  }
});

describe("a fault quotes at most 200 characters of any name the caller chose", () => {
  // Else the reply repeats what was sent: a 300 KB name came back once in the reason (and, for
  // MustUnderstand, again in NotUnderstood), so each request cost its sender half our bandwidth.
  const LONG = "a".repeat(300_000);
  const reason = (text: string) => /<s:Text xml:lang="en">([^<]*)<\/s:Text>/.exec(text)?.[1] ?? "";
  const cases: [string, Parameters<typeof trust>[0], string][] = [
    ["a mustUnderstand header's namespace", { extraHeaders: `<x:Foo xmlns:x="urn:${LONG}" s:mustUnderstand="true"/>` }, "s:MustUnderstand"],
    ["a mustUnderstand header's local name", { extraHeaders: `<x:Foo${LONG} xmlns:x="urn:x" s:mustUnderstand="true"/>` }, "s:MustUnderstand"],
    ["the Body's request element", { body: `<wst:Foo${LONG} xmlns:wst="${NS.t13}"/>` }, "wst:InvalidRequest"],
    ["a header's local name whose mustUnderstand is no boolean", { extraHeaders: `<x:Foo${LONG} xmlns:x="urn:x" s:mustUnderstand="maybe"/>` }, "wst:BadRequest"],
    ["the element in wst:OnBehalfOf", { extra: `<wst:OnBehalfOf><x:Foo${LONG} xmlns:x="urn:x"/></wst:OnBehalfOf>` }, "wst:InvalidRequest"],
  ];
  for (const [what, o, code] of cases) {
    it(what, async () => {
      const r = await trust({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp", soap: "1.2", ...o });
      expect(faultCode(r.text)).toBe(code);
      expect(reason(r.text).length).toBeGreaterThan(0);
      expect(reason(r.text).length).toBeLessThan(500);
      // NotUnderstood names the header exactly: the one place the whole name is the protocol's.
      expect(r.text.length).toBeLessThan(code === "s:MustUnderstand" ? 302_000 : 2_000);
    });
  }

  it("an element of another namespace in the Envelope", async () => {
    const env = envelope({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp", soap: "1.2" });
    const r = await postSoap({ path: "/trust/13/usernamemixed", headers: env.headers, body: env.body.replace("<s:Header>", `<x:Y${LONG} xmlns:x="urn:x"/><s:Header>`) });
    expect(faultCode(r.text)).toBe("wst:BadRequest");
    expect(r.text.length).toBeLessThan(2_000);
  });
});
