import { describe, expect, it } from "vitest";
import { parseXml, XmlSecurityError } from "../../src/xml/parse.ts";
import type { ParseXmlOptions, XmlSecurityErrorCode } from "../../src/xml/parse.ts";
import { prescanXml } from "../../src/xml/prescan.ts";

import cyclic from "../fixtures/vectors/xxe-dos-defusedxml/cyclic.xml?raw";
import dtd from "../fixtures/vectors/xxe-dos-defusedxml/dtd.xml?raw";
import external from "../fixtures/vectors/xxe-dos-defusedxml/external.xml?raw";
import externalFile from "../fixtures/vectors/xxe-dos-defusedxml/external_file.xml?raw";
import quadratic from "../fixtures/vectors/xxe-dos-defusedxml/quadratic.xml?raw";
import xmlbomb from "../fixtures/vectors/xxe-dos-defusedxml/xmlbomb.xml?raw";
import xmlbomb2 from "../fixtures/vectors/xxe-dos-defusedxml/xmlbomb2.xml?raw";
import simple from "../fixtures/vectors/xxe-dos-defusedxml/simple.xml?raw";
import simpleNs from "../fixtures/vectors/xxe-dos-defusedxml/simple-ns.xml?raw";
import in31 from "../fixtures/vectors/c14n10-spec-examples/31_input.xml?raw";
import in33 from "../fixtures/vectors/c14n10-spec-examples/33_input.xml?raw";
import in34 from "../fixtures/vectors/c14n10-spec-examples/34_input.xml?raw";
import in35 from "../fixtures/vectors/c14n10-spec-examples/35_input.xml?raw";
import in36 from "../fixtures/vectors/c14n10-spec-examples/36_input.xml?raw";
import in37 from "../fixtures/vectors/c14n10-spec-examples/37_input.xml?raw";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function refusal(input: string | Uint8Array, options?: ParseXmlOptions): XmlSecurityErrorCode {
  try {
    parseXml(input, options);
  } catch (e) {
    expect(e).toBeInstanceOf(XmlSecurityError);
    return (e as XmlSecurityError).code;
  }
  throw new Error("parseXml accepted the input");
}

describe("parseXml refuses DTDs (XXE and entity expansion)", () => {
  const files = { cyclic, dtd, external, externalFile, quadratic, xmlbomb, xmlbomb2 };
  for (const [name, xml] of Object.entries(files)) {
    it(`defusedxml ${name}.xml -> DOCTYPE, as string and as bytes`, () => {
      expect(refusal(xml)).toBe("DOCTYPE");
      expect(refusal(enc(xml))).toBe("DOCTYPE");
    });
  }
  it("C14N spec inputs with a DOCTYPE (3.1, 3.3, 3.4, 3.5, 3.7) are refused, not mis-canonicalized", () => {
    for (const xml of [in31, in33, in34, in35, in37]) expect(refusal(xml, { allowProcessingInstructions: true })).toBe("DOCTYPE");
  });
  it("any markup declaration, in any case, is refused", () => {
    expect(refusal("<!doctype a><a/>")).toBe("DOCTYPE");
    expect(refusal('<!ENTITY x "y"><a/>')).toBe("DOCTYPE");
    expect(refusal("<a><!ELEMENT a ANY></a>")).toBe("DOCTYPE");
  });
  it("markup-like text inside comments, CDATA and attribute values is not markup", () => {
    const doc = parseXml("<!-- <!DOCTYPE x> --><a t='x>y' u=\"&lt;!DOCTYPE\"><![CDATA[<!ENTITY z> <?pi?>]]><!-- <?pi?> --></a>");
    expect(doc.documentElement!.getAttribute("t")).toBe("x>y");
    expect(doc.documentElement!.getAttribute("u")).toBe("<!DOCTYPE");
  });
  it("the unsigned defusedxml samples are ordinary XML: simple.xml parses; simple-ns.xml has a PI", () => {
    expect(parseXml(simple).documentElement!.localName).toBe("root");
    expect(refusal(simpleNs)).toBe("PROCESSING_INSTRUCTION");
    expect(parseXml(simpleNs, { allowProcessingInstructions: true }).documentElement!.namespaceURI).toBe("namespace");
  });
});

describe("parseXml limits", () => {
  it("100,000-deep nesting is refused", () => {
    const deep = "<a>".repeat(100_000) + "</a>".repeat(100_000);
    expect(refusal(deep)).toBe("TOO_DEEP");
  });
  it("depth limit is exact", () => {
    expect(parseXml("<a><a><a/></a></a>", { maxDepth: 3 }).documentElement!.localName).toBe("a");
    expect(refusal("<a><a><a><a/></a></a></a>", { maxDepth: 3 })).toBe("TOO_DEEP");
  });
  it("an 8 MB body is refused before decoding, as bytes and as a string", () => {
    expect(refusal(new Uint8Array(8 * 1024 * 1024))).toBe("TOO_LARGE");
    expect(refusal("<a>" + "x".repeat(8 * 1024 * 1024) + "</a>")).toBe("TOO_LARGE");
  });
  it("string size is measured in UTF-8 bytes", () => {
    const s = "<a>" + "\u20ac".repeat(400_000) + "</a>"; // 1.2 MB in UTF-8, 400 kB UTF-16 units
    expect(refusal(s)).toBe("TOO_LARGE");
  });
  it("element and attribute counts", () => {
    expect(refusal("<a>" + "<b/>".repeat(20_000) + "</a>")).toBe("TOO_MANY_ELEMENTS");
    const attrs = (n: number): string => Array.from({ length: n }, (_, i) => `a${i}="1"`).join(" ");
    expect(parseXml(`<a ${attrs(64)}/>`).documentElement!.attributes.length).toBe(64);
    expect(refusal(`<a ${attrs(65)}/>`)).toBe("TOO_MANY_ATTRIBUTES");
    expect(refusal(`<r><a ${attrs(3)}/><a ${attrs(3)}/></r>`, { maxTotalAttributes: 5 })).toBe("TOO_MANY_ATTRIBUTES");
    // Unless told otherwise, the document may hold as many attributes as elements in all.
    expect(parseXml(`<r>${`<a ${attrs(40)}/>`.repeat(500)}</r>`).getElementsByTagName("a").length).toBe(500);
    expect(refusal(`<r>${`<a ${attrs(40)}/>`.repeat(501)}</r>`)).toBe("TOO_MANY_ATTRIBUTES");
    expect(refusal(`<r><a ${attrs(3)}/><a ${attrs(3)}/></r>`, { maxElements: 5 })).toBe("TOO_MANY_ATTRIBUTES");
  });
  it("the pre-scan counts every element of a large document of comments, CDATA and markup-like attribute values", () => {
    // Its cost against the size is a benchmark row (`npm run bench`, micro: parse pre-scan).
    const unit = '<e a="x>y" b=\'<\'>text &amp; more<!-- c > <a> --><![CDATA[ < > ]]></e>';
    const limits = { maxBytes: 16 << 20, maxDepth: 64, maxElements: 1e7, maxAttributesPerElement: 64 };
    expect(prescanXml("<r>" + unit.repeat(128_000) + "</r>", limits, false).attributeCounts.length).toBe(1 + 128_000);
  });
});

describe("parseXml encoding", () => {
  it("invalid UTF-8 (stray byte, overlong, surrogate) is refused", () => {
    expect(refusal(new Uint8Array([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e]))).toBe("INVALID_UTF8");
    expect(refusal(new Uint8Array([0x3c, 0x61, 0x3e, 0xc0, 0xaf, 0x3c, 0x2f, 0x61, 0x3e]))).toBe("INVALID_UTF8");
    expect(refusal(new Uint8Array([0x3c, 0x61, 0x3e, 0xed, 0xa0, 0x80, 0x3c, 0x2f, 0x61, 0x3e]))).toBe("INVALID_UTF8");
  });
  it("a UTF-8 BOM is removed", () => {
    expect(parseXml(new Uint8Array([0xef, 0xbb, 0xbf, ...enc("<a>\u00e9</a>")])).documentElement!.textContent).toBe("\u00e9");
    expect(parseXml("\ufeff<a/>").documentElement!.localName).toBe("a");
  });
  it("bytes declaring another encoding are refused (C14N 3.6 input is ISO-8859-1)", () => {
    expect(refusal(enc(in36))).toBe("UNSUPPORTED_ENCODING");
    expect(parseXml(enc('<?xml version="1.0" encoding="utf-8"?><a/>')).documentElement!.localName).toBe("a");
  });
  it("UTF-16 and UTF-32 bytes, with or without a byte order mark, are refused for their encoding (XML 1.0 Appendix F.1)", () => {
    const utf16 = (s: string, le: boolean) => new Uint8Array([...s].flatMap((c) => (le ? [c.charCodeAt(0), 0] : [0, c.charCodeAt(0)])));
    const doc = '<?xml version="1.0" encoding="UTF-16"?><a/>';
    const bare = "<a/>";
    for (const bytes of [
      new Uint8Array([0xff, 0xfe, ...utf16(doc, true)]),
      new Uint8Array([0xfe, 0xff, ...utf16(doc, false)]),
      new Uint8Array([0xff, 0xfe, ...utf16(bare, true)]),
      utf16(bare, true),
      utf16(bare, false),
      new Uint8Array([0xff, 0xfe, 0, 0, 0x3c, 0, 0, 0, 0x61, 0, 0, 0, 0x2f, 0, 0, 0, 0x3e, 0, 0, 0]),
      new Uint8Array([0, 0, 0xfe, 0xff, 0, 0, 0, 0x3c, 0, 0, 0, 0x61, 0, 0, 0, 0x2f, 0, 0, 0, 0x3e]),
    ]) {
      expect(refusal(bytes), Array.from(bytes.slice(0, 4)).join(",")).toBe("UNSUPPORTED_ENCODING");
    }
    // One byte, or UTF-8 that starts with '<' and a letter, is read as before.
    expect(refusal(new Uint8Array([0x3c]))).toBe("MALFORMED");
    expect(parseXml(enc("<a/>")).documentElement!.localName).toBe("a");
  });
  it("characters outside XML 1.0 Char are refused", () => {
    expect(refusal("<a>\u0001</a>")).toBe("INVALID_CHARACTER");
    expect(refusal("<a>\ud800</a>")).toBe("INVALID_CHARACTER");
    expect(refusal("<a>\uffff</a>")).toBe("INVALID_CHARACTER");
  });
  it("line ends are normalized per XML 1.0 (CRLF, CR -> LF; NEL and U+2028 kept)", () => {
    const doc = parseXml('<a x="1\r\n2">p\r\nq\rr\u0085s\u2028t</a>');
    expect(doc.documentElement!.textContent).toBe("p\nq\nr\u0085s\u2028t");
    // Attribute-value normalization (XML 1.0 §3.3.3): a literal line end becomes a space.
    expect(doc.documentElement!.getAttribute("x")).toBe("1 2");
  });
});

describe("parseXml well-formedness", () => {
  const cases: [string, string, XmlSecurityErrorCode][] = [
    ["two roots", "<a/><b/>", "MULTIPLE_ROOTS"],
    ["two roots with content", "<a>x</a><b>y</b>", "MULTIPLE_ROOTS"],
    ["text after the root", "<a/>x", "MALFORMED"],
    ["text before the root", "x<a/>", "MALFORMED"],
    ["no root", "<!-- c -->", "MALFORMED"],
    ["empty", "", "MALFORMED"],
    ["duplicate attribute", '<a x="1" x="2"/>', "DUPLICATE_ATTRIBUTE"],
    ["duplicate expanded name", '<a xmlns:p="u" xmlns:q="u" p:x="1" q:x="2"/>', "DUPLICATE_ATTRIBUTE"],
    ["unbound element prefix", "<p:a/>", "MALFORMED"],
    ["unbound attribute prefix", '<a p:x="1"/>', "MALFORMED"],
    ["empty prefixed namespace declaration", '<a xmlns:p="u"><b xmlns:p=""/></a>', "MALFORMED"],
    ["mismatched end tag", "<a><b></a></b>", "MALFORMED"],
    ["unclosed", "<a><b/>", "MALFORMED"],
    ["unknown entity", "<a>&nbsp;</a>", "MALFORMED"],
    ["unquoted attribute", "<a x=1/>", "MALFORMED"],
    ["'<' in attribute value", '<a x="<"/>', "MALFORMED"],
    ["processing instruction", "<a><?php echo 1?></a>", "PROCESSING_INSTRUCTION"],
    ["misplaced XML declaration", '<a/><?xml version="1.0"?>', "MALFORMED"],
    ["XML declaration after whitespace", ' <?xml version="1.0"?><a/>', "MALFORMED"],
    // XML 1.0 §2.8 XMLDecl: libxml2 and Xerces refuse each of these documents.
    ["unknown XML declaration pseudo-attribute", '<?xml version="1.0" foo="bar"?><a/>', "MALFORMED"],
    ["misspelt encoding", '<?xml version="1.0" encodng="UTF-8"?><a/>', "MALFORMED"],
    ["pseudo-attributes out of order", '<?xml version="1.0" standalone="yes" encoding="UTF-8"?><a/>', "MALFORMED"],
    ["standalone neither yes nor no", '<?xml version="1.0" standalone="maybe"?><a/>', "MALFORMED"],
    ["encoding without a value", '<?xml version="1.0" encoding?><a/>', "MALFORMED"],
    ["pseudo-attributes without space", '<?xml version="1.0"encoding="UTF-8"?><a/>', "MALFORMED"],
    ["stray text in the XML declaration", '<?xml version="1.0" x?><a/>', "MALFORMED"],
    ["no-break space in the XML declaration", '<?xml version="1.0"\u00a0?><a/>', "MALFORMED"],
  ];
  for (const [name, xml, code] of cases) it(`${name} -> ${code}`, () => expect(refusal(xml)).toBe(code));

  it("error messages are fixed and never echo the input", () => {
    try {
      parseXml('<script x="1" x="2"/>');
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toBe("XML element has a duplicate attribute");
      expect((e as Error).message).not.toContain("script");
    }
  });
  it("predefined entities and character references are expanded", () => {
    expect(parseXml("<a>&lt;&amp;&gt;&quot;&apos;&#169;&#x1F600;</a>").documentElement!.textContent).toBe("<&>\"'\u00a9\u{1F600}");
  });
  it("every form of XML declaration that XML 1.0 §2.8 allows is accepted", () => {
    for (const decl of [
      '<?xml version="1.0"?>',
      "<?xml version='1.0' encoding='utf-8' standalone='no' ?>",
      '<?xml\r\n version = "1.1"\tencoding="UTF-8"\nstandalone="yes"\r\n?>',
      '<?xml version="1.0" standalone="yes"?>',
    ]) {
      expect(parseXml(enc(`${decl}<a/>`)).documentElement!.localName).toBe("a");
    }
  });
  it("an ordinary SOAP envelope parses with namespaces", () => {
    const doc = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>\n',
    );
    expect(doc.documentElement!.namespaceURI).toBe("http://www.w3.org/2003/05/soap-envelope");
    expect(doc.documentElement!.localName).toBe("Envelope");
  });
});
