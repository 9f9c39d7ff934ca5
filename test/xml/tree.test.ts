import { describe, expect, it } from "vitest";
import { DOMParser } from "@xmldom/xmldom";
import type { Document } from "@xmldom/xmldom";
import { buildDocument } from "../../src/xml/tree.ts";
import { C14N_10_COMMENTS, C14nError, canonicalize } from "../../src/xml/c14n.ts";
import { XmlSecurityError } from "../../src/xml/errors.ts";

/** Every XML vector we ship, as text (Vite inlines them at build time). */
const vectors = import.meta.glob("../fixtures/vectors/**/*.xml", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

/** xmldom's own parser with every warning fatal: the reference our parser must agree with. */
function xmldomParse(text: string): Document | undefined {
  try {
    const doc = new DOMParser({
      onError: (_level: string, msg: string) => {
        throw new Error(msg);
      },
      normalizeLineEndings: (s: string) => s.replace(/\r\n?/g, "\n"),
    }).parseFromString(text, "application/xml");
    return doc.doctype ? undefined : doc;
  } catch {
    return undefined;
  }
}

function ours(text: string): Document | undefined {
  try {
    return buildDocument(text, true);
  } catch (e) {
    if (e instanceof XmlSecurityError) return undefined;
    throw e;
  }
}

function canonical(doc: Document): string {
  try {
    return canonicalize(doc, { algorithm: C14N_10_COMMENTS });
  } catch (e) {
    if (e instanceof C14nError) return "C14nError";
    throw e;
  }
}

describe("our parser against xmldom (differential)", () => {
  const names = Object.keys(vectors);
  it("covers the shipped vectors", () => {
    expect(names.length).toBeGreaterThan(40);
  });
  for (const name of names) {
    it(`agrees on ${name.replace("../fixtures/vectors/", "")}`, () => {
      const text = vectors[name]!.replace(/^\uFEFF/, "");
      const a = xmldomParse(text);
      const b = ours(text);
      // Same verdict (both accept or both refuse) ...
      expect(b === undefined).toBe(a === undefined);
      // ... and, when accepted, the same canonical form (comments included), or the same refusal
      // to canonicalize one (a relative namespace URI, C14N 1.0 §2.1).
      if (a && b) expect(canonical(b)).toBe(canonical(a));
    });
  }
});

describe("our parser: well-formedness", () => {
  const refused: [string, string][] = [
    ["mismatched end tag", "<a><b></a></b>"],
    ["unclosed element", "<a><b></b>"],
    ["two roots", "<a/><b/>"],
    ["text outside the root", "<a/>x"],
    ["unbound element prefix", "<p:a/>"],
    ["unbound attribute prefix", "<a p:x='1'/>"],
    ["undeclaring a prefix", "<a xmlns:p=''/>"],
    ["binding xmlns", "<a xmlns:xmlns='urn:x'/>"],
    ["rebinding xml", "<a xmlns:xml='urn:x'/>"],
    ["duplicate attribute", "<a x='1' x='2'/>"],
    ["duplicate expanded name", "<a xmlns:p='urn:x' xmlns:q='urn:x' p:x='1' q:x='2'/>"],
    ["unquoted attribute", "<a x=1/>"],
    ["'<' in an attribute", "<a x='<'/>"],
    ["attributes without space", "<a x='1'y='2'/>"],
    ["'--' in a comment", "<a><!-- a -- b --></a>"],
    ["']]>' in text", "<a>]]></a>"],
    ["undefined entity", "<a>&nbsp;</a>"],
    ["bare ampersand", "<a>a & b</a>"],
    ["reference to an invalid character", "<a>&#0;</a>"],
    ["XML declaration not first", "<a><?xml version='1.0'?></a>"],
    ["DOCTYPE", "<!DOCTYPE a><a/>"],
  ];
  for (const [what, xml] of refused) {
    it(`refuses ${what}`, () => {
      expect(() => buildDocument(xml, true)).toThrow(XmlSecurityError);
    });
  }

  it("normalises line ends and attribute whitespace, keeps character references", () => {
    const doc = buildDocument("<a x='1\r\n2\t3&#9;4'>l1\r\nl2\rl3</a>", false);
    const a = doc.documentElement!;
    expect(a.getAttribute("x")).toBe("1 2 3\t4");
    expect(a.textContent).toBe("l1\nl2\nl3");
  });

  it("resolves namespaces with scoping and the predefined xml prefix", () => {
    const doc = buildDocument("<a xmlns='urn:d' xmlns:p='urn:p'><p:b xml:lang='en' p:c='1'><c xmlns=''/></p:b></a>", false);
    const a = doc.documentElement!;
    const b = a.firstChild as unknown as { namespaceURI: string; getAttributeNS(ns: string, n: string): string; firstChild: { namespaceURI: string | null } };
    expect(a.namespaceURI).toBe("urn:d");
    expect(b.namespaceURI).toBe("urn:p");
    expect(b.getAttributeNS("http://www.w3.org/XML/1998/namespace", "lang")).toBe("en");
    expect(b.getAttributeNS("urn:p", "c")).toBe("1");
    expect(b.firstChild.namespaceURI).toBeNull();
  });
});

describe("our parser: names, ASCII and not", () => {
  // The parser reads ASCII names with a table and falls back to the full XML Name grammar at
  // the first non-ASCII character: every name here must get xmldom's verdict and DOM, as an
  // element name, an attribute name and in end tags, with and without a prefix.
  const names = [
    "a", "A9", "_x", "a-b.c", "a.", "é", "aé", "éa", "a\u00B7b", "a\u0300", "\u0300a", "a\u203Fb",
    "\u{10000}x", "x\u{10000}", "9a", "-a", ".a", "a:b", "p:é", "p:aé", "é:a", "p:", "p:9", "p:-x", "p::b", "a:b:c",
    "\u00D7", "a\u00D7", "a\u2070", "\uFDD0",
  ];
  const docs: string[] = [];
  for (const n of names) {
    const decl = n.includes(":") ? ` xmlns:${n.slice(0, n.indexOf(":"))}="urn:p"` : "";
    docs.push(`<${n}${decl}/>`, `<${n}${decl}></${n}>`, `<${n}${decl}></${n} >`, `<${n}${decl}></${n}x>`);
    docs.push(`<r xmlns:p="urn:p" ${n}="1"/>`, `<r xmlns:p="urn:p" ${n} = "1" />`, `<r xmlns:p="urn:p" ${n}="1"x="2"/>`);
  }
  for (const xml of docs) {
    it(`agrees with xmldom on ${JSON.stringify(xml)}`, () => {
      const a = xmldomParse(xml);
      const b = ours(xml);
      expect(b === undefined).toBe(a === undefined);
      if (a && b) expect(canonicalize(b, { algorithm: C14N_10_COMMENTS })).toBe(canonicalize(a, { algorithm: C14N_10_COMMENTS }));
    });
  }

  it("refuses U+037E, which XML 1.0 §2.3 leaves out of names (xmldom is looser there)", () => {
    expect(() => buildDocument("<\u037E/>", false)).toThrow(XmlSecurityError);
    expect(() => buildDocument("<a\u037E/>", false)).toThrow(XmlSecurityError);
    expect(() => buildDocument("<r \u037E='1'/>", false)).toThrow(XmlSecurityError);
  });
});
