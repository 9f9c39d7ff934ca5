/**
 * Caller text echoed into a SOAP fault must stay text: a MustUnderstand fault names the header
 * not understood (SOAP 1.2 Part 1 §5.4.8), and that header's namespace is the caller's.
 */
import { describe, expect, it } from "vitest";
import { NS } from "../helpers/soap.ts";
import { faultCode, trust } from "../helpers/worker.ts";
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
