import { describe, expect, it } from "vitest";
import { DOMImplementation } from "@xmldom/xmldom";
import type { Element, Node } from "@xmldom/xmldom";
import {
  C14N_10,
  C14N_10_COMMENTS,
  EXC_C14N,
  EXC_C14N_COMMENTS,
  C14nError,
  canonicalize,
  isSupportedC14n,
} from "../../src/xml/c14n.ts";
import { parseXml } from "../../src/xml/parse.ts";
import { DSIG_NS, XMLNS_NS } from "../../src/xml/dom.ts";
import { SAML2_NS } from "../../src/saml/ns.ts";

const inc = (n: Node): string => canonicalize(n, { algorithm: C14N_10 });
const exc = (n: Node): string => canonicalize(n, { algorithm: EXC_C14N });
const root = (xml: string): Element => parseXml(xml).documentElement!;
const child = (el: Element): Element => el.getElementsByTagName("*").item(0)!;

describe("c14n details", () => {
  it("isSupportedC14n knows exactly the four algorithms", () => {
    for (const a of [C14N_10, C14N_10_COMMENTS, EXC_C14N, EXC_C14N_COMMENTS]) expect(isSupportedC14n(a)).toBe(true);
    expect(isSupportedC14n("http://www.w3.org/2006/12/xml-c14n11")).toBe(false);
    expect(() => canonicalize(root("<a/>"), { algorithm: "urn:nope" })).toThrow(TypeError);
  });

  it("escapes text (& < > CR) and attributes (& < \" TAB LF CR), not > in attributes", () => {
    const doc = parseXml('<a x="&amp;&lt;&gt;&quot;&#9;&#10;&#13;\'">&amp;&lt;&gt;&#13;"\'</a>');
    expect(inc(doc)).toBe('<a x="&amp;&lt;>&quot;&#x9;&#xA;&#xD;\'">&amp;&lt;&gt;&#xD;"\'</a>');
  });

  it("CDATA becomes escaped text; empty elements become start/end pairs", () => {
    expect(inc(root("<a><![CDATA[<b>&]]><c/></a>"))).toBe("<a>&lt;b&gt;&amp;<c></c></a>");
  });

  it("sorts namespace declarations by prefix (default first), attributes by namespace URI then local name", () => {
    const el = root('<a z="1" b:x="2" a:y="3" xmlns:b="http://a" xmlns:a="http://z" xmlns="http://d" A="0"/>');
    expect(inc(el)).toBe('<a xmlns="http://d" xmlns:a="http://z" xmlns:b="http://a" A="0" z="1" b:x="2" a:y="3"></a>');
  });

  it("removes superfluous declarations and handles xmlns=\"\"", () => {
    expect(inc(root('<a xmlns:p="urn:u"><b xmlns:p="urn:u"/></a>'))).toBe('<a xmlns:p="urn:u"><b></b></a>');
    expect(inc(root('<a xmlns="urn:u"><b xmlns=""><c xmlns=""/></b></a>'))).toBe('<a xmlns="urn:u"><b xmlns=""><c></c></b></a>');
    expect(inc(root('<a><b xmlns=""/></a>'))).toBe("<a><b></b></a>");
    expect(exc(root('<a xmlns="urn:u"><p:b xmlns:p="urn:v" xmlns=""/></a>'))).toBe('<a xmlns="urn:u"><p:b xmlns:p="urn:v"></p:b></a>');
  });

  it("drops comments unless WithComments; keeps PIs", () => {
    const doc = parseXml("<!--x--><a><!--y--><?p d?></a><!--z-->", { allowProcessingInstructions: true });
    expect(inc(doc)).toBe("<a><?p d?></a>");
    expect(canonicalize(doc, { algorithm: C14N_10_COMMENTS })).toBe("<!--x-->\n<a><!--y--><?p d?></a>\n<!--z-->");
  });

  it("inclusive subtree inherits ancestors' namespaces and xml:* attributes; exclusive does not", () => {
    const doc = parseXml('<a xmlns:p="u" xmlns:q="v" xml:lang="en" xml:space="preserve"><b xml:lang="fr"><c q:k="1"/></b></a>');
    const c = doc.getElementsByTagName("c").item(0)!;
    // Sorted by namespace URI: http://www.w3.org/XML/1998/namespace < v.
    expect(inc(c)).toBe('<c xmlns:p="u" xmlns:q="v" xml:lang="fr" xml:space="preserve" q:k="1"></c>');
    expect(exc(c)).toBe('<c xmlns:q="v" q:k="1"></c>');
  });

  it("exclude leaves out an enveloped signature with its subtree", () => {
    const el = root(
      `<r ID="x"><v>1</v><ds:Signature xmlns:ds="${DSIG_NS}"><ds:SignedInfo/></ds:Signature><w/></r>`,
    );
    const out = canonicalize(el, {
      algorithm: EXC_C14N,
      exclude: (n) => n.nodeType === 1 && (n as Element).namespaceURI === DSIG_NS && (n as Element).localName === "Signature",
    });
    expect(out).toBe('<r ID="x"><v>1</v><w></w></r>');
  });
});

describe("c14n of DOMs built with createElementNS (no xmlns attributes)", () => {
  const impl = new DOMImplementation();

  it("declares namespaces from element and attribute names, once", () => {
    const doc = impl.createDocument(SAML2_NS, "saml:Assertion", null);
    const a = doc.documentElement!;
    a.setAttribute("ID", "_1");
    const issuer = doc.createElementNS(SAML2_NS, "saml:Issuer");
    issuer.appendChild(doc.createTextNode("https://sts"));
    a.appendChild(issuer);
    const typed = doc.createElementNS(SAML2_NS, "saml:AttributeValue");
    typed.setAttributeNS("http://www.w3.org/2001/XMLSchema-instance", "xsi:type", "xs:string");
    a.appendChild(typed);
    const sig = doc.createElementNS(DSIG_NS, "ds:Signature");
    a.appendChild(sig);
    const expected =
      `<saml:Assertion xmlns:saml="${SAML2_NS}" ID="_1"><saml:Issuer>https://sts</saml:Issuer>` +
      '<saml:AttributeValue xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string"></saml:AttributeValue>' +
      `<ds:Signature xmlns:ds="${DSIG_NS}"></ds:Signature></saml:Assertion>`;
    expect(exc(a)).toBe(expected);
    expect(inc(a)).toBe(expected);
    // The same document serialized and re-parsed canonicalizes identically.
    expect(exc(parseXml(inc(a)).documentElement!)).toBe(expected);
  });

  it("a no-namespace child under a default namespace gets xmlns=\"\"", () => {
    const doc = impl.createDocument("urn:d", "root", null);
    const r = doc.documentElement!;
    r.appendChild(doc.createElementNS(null, "plain"));
    r.appendChild(doc.createElementNS("urn:d", "same"));
    expect(inc(r)).toBe('<root xmlns="urn:d"><plain xmlns=""></plain><same></same></root>');
    expect(exc(r)).toBe('<root xmlns="urn:d"><plain xmlns=""></plain><same></same></root>');
  });

  it("an explicit declaration that matches the implied one is emitted once", () => {
    const doc = impl.createDocument(SAML2_NS, "saml:Assertion", null);
    const a = doc.documentElement!;
    a.setAttributeNS(XMLNS_NS, "xmlns:saml", SAML2_NS);
    a.setAttributeNS(XMLNS_NS, "xmlns:xs", "http://www.w3.org/2001/XMLSchema");
    expect(inc(a)).toBe(`<saml:Assertion xmlns:saml="${SAML2_NS}" xmlns:xs="http://www.w3.org/2001/XMLSchema"></saml:Assertion>`);
    // Exclusive drops xs: it is declared but not visibly utilized, unless the PrefixList names it.
    expect(exc(a)).toBe(`<saml:Assertion xmlns:saml="${SAML2_NS}"></saml:Assertion>`);
    expect(canonicalize(a, { algorithm: EXC_C14N, inclusivePrefixes: ["xs"] })).toBe(
      `<saml:Assertion xmlns:saml="${SAML2_NS}" xmlns:xs="http://www.w3.org/2001/XMLSchema"></saml:Assertion>`,
    );
  });

  it("a child re-using its parent's namespace under another prefix declares it", () => {
    const r = root('<p:a xmlns:p="urn:u"><q:b xmlns:q="urn:u"/></p:a>');
    expect(inc(r)).toBe('<p:a xmlns:p="urn:u"><q:b xmlns:q="urn:u"></q:b></p:a>');
    expect(exc(child(r))).toBe('<q:b xmlns:q="urn:u"></q:b>');
  });
});

describe("order by code point (C14N 1.0 §2.2), not by UTF-16 code unit", () => {
  // U+10000 is one code point above U+FE70, but its first UTF-16 unit (D800) is below FE70.
  it("attributes and namespace prefixes beyond U+FFFF sort after U+E000–U+FFFF, as libxml2 and Santuario sort them", () => {
    const el = root('<e \u{10000}="1" \uFE70="2" b="3"/>');
    for (const f of [inc, exc]) expect(f(el)).toBe('<e b="3" \uFE70="2" \u{10000}="1"></e>');
    const ns = root('<e xmlns:\u{10000}="urn:a" xmlns:\uFE70="urn:b" \u{10000}:x="1" \uFE70:y="2"/>');
    expect(inc(ns)).toBe('<e xmlns:\uFE70="urn:b" xmlns:\u{10000}="urn:a" \u{10000}:x="1" \uFE70:y="2"></e>');
  });
});

describe("relative namespace URIs (C14N 1.0 §2.1: an operation failure)", () => {
  const all = [C14N_10, C14N_10_COMMENTS, EXC_C14N, EXC_C14N_COMMENTS];
  it("every algorithm refuses a document or subtree with a relative namespace URI, used or not, as libxml2 and Santuario do", () => {
    for (const xml of ['<a xmlns:p="rel/x"/>', '<a xmlns="rel"/>', '<p:a xmlns:p="../x"/>', '<a><b xmlns:p="#frag"/></a>', '<a xmlns:p="1x:y"/>']) {
      const doc = parseXml(xml);
      for (const algorithm of all) {
        expect(() => canonicalize(doc, { algorithm }), `${algorithm} ${xml}`).toThrow(C14nError);
        expect(() => canonicalize(doc.documentElement!, { algorithm }), `${algorithm} ${xml}`).toThrow(C14nError);
      }
    }
  });
  it("absolute URIs, xmlns=\"\" and a relative declaration on an ancestor outside the subtree are canonicalized", () => {
    const doc = parseXml('<a xmlns:r="rel"><b xmlns="urn:x" xmlns:h="http://h/" Id="b"><c xmlns=""/></b></a>');
    const b = child(doc.documentElement!);
    expect(exc(b)).toBe('<b xmlns="urn:x" Id="b"><c xmlns=""></c></b>');
    expect(() => inc(b)).not.toThrow();
    expect(() => inc(doc.documentElement!)).toThrow(C14nError);
  });
});

describe("c14n of many namespaces in scope and of a long PrefixList", () => {
  // Digests of presented tokens are computed before their signature is checked, so the
  // document and its PrefixList are the sender's. What these cost against plain documents of
  // the same size is a benchmark row (`npm run bench`, micro: the hostile c14n cases).
  const decls = (level: number, n: number): string => Array.from({ length: n }, (_, i) => `xmlns:p${i}="urn:${level}:${i}"`).join(" ");

  it("inclusive c14n declares each of 40 levels × 60 prefixes once, where it is bound, and nothing at 8,000 leaves", () => {
    let xml = "";
    for (let level = 0; level < 40; level++) xml += `<x ${decls(level, 60)}>`;
    xml += "<p1:y/>".repeat(8_000) + "</x>".repeat(40);
    const el = root(xml);
    const out = inc(el);
    expect(out.split("xmlns:").length - 1).toBe(40 * 60);
    expect(out.endsWith("<p1:y></p1:y>".repeat(8_000) + "</x>".repeat(40))).toBe(true);
  });

  it("an exclusive PrefixList of thousands of prefixes renders the declared ones once, on the apex", () => {
    const el = root(`<x ${decls(0, 60)}>` + "<y/>".repeat(5_000) + "</x>");
    const long = Array.from({ length: 2_000 }, (_, i) => `p${i}`);
    // Every declared prefix the list names is rendered once, on the apex; the leaves get none.
    const expected = `<x ${Array.from({ length: 60 }, (_, i) => `p${i}`).sort().map((p) => `xmlns:${p}="urn:0:${p.slice(1)}"`).join(" ")}>` + "<y></y>".repeat(5_000) + "</x>";
    expect(canonicalize(el, { algorithm: EXC_C14N, inclusivePrefixes: long })).toBe(expected);
  });

  it("a descendant that rebinds a PrefixList prefix still declares it", () => {
    const el = root('<a xmlns:p="urn:1" xmlns:q="urn:q"><b><c xmlns:p="urn:2"><d/></c></b></a>');
    expect(canonicalize(el, { algorithm: EXC_C14N, inclusivePrefixes: ["p", "p", "q"] })).toBe(
      '<a xmlns:p="urn:1" xmlns:q="urn:q"><b><c xmlns:p="urn:2"><d></d></c></b></a>',
    );
  });
});
