import { describe, expect, it } from "vitest";
import { DEV_KEY_MATERIALS } from "../../src/config/dev-keys.ts";
import { KeyRing } from "../../src/keys/keyring.ts";
import { buildSaml1Assertion } from "../../src/saml/saml1.ts";
import { buildSaml2Assertion } from "../../src/saml/saml2.ts";
import { newSamlId } from "../../src/saml/assertion-input.ts";
import { canonicalize, EXC_C14N } from "../../src/xml/c14n.ts";
import { parseXml } from "../../src/xml/parse.ts";
import { addTreeChild, isXmlText, setTreeQualifiedAttribute, treeElement, writeExclusive, writeExclusiveAround, type TreeElement } from "../../src/xml/tree-writer.ts";
import { verifyEnveloped } from "../../src/xmldsig/verify.ts";
import { signTree } from "../../src/xmldsig/sign.ts";
import { assertionInput } from "../helpers/assertion-input.ts";

const A = "urn:example:a";
const B = "urn:example:b";

/** What our c14n makes of the writer's output after a real parse. */
function reCanonical(xml: string, exclude?: (n: { localName?: string | null }) => boolean): string {
  const doc = parseXml(xml);
  return canonicalize(doc.documentElement!, { algorithm: EXC_C14N, ...(exclude ? { exclude: exclude as never } : {}) });
}

// Values that exercise every C14N escape, whitespace and non-ASCII text.
const AWKWARD = ["plain", "a&b<c>d", 'q"uote\'s', "tab\tnew\nline\rcr", "  spaced  ", "ünïcødé ✓ 𝄞", "]]>", ""];

describe("tree writer: output is its own exclusive canonical form", () => {
  it("for nested elements, prefixes, default namespaces and every escape", () => {
    for (const v of AWKWARD) {
      const root = treeElement(A, "a:root", { zeta: v, Alpha: v, mid: "1" });
      const child = addTreeChild(root, A, "a:child", { x: v }, v);
      addTreeChild(child, B, "b:other", null, v);
      addTreeChild(root, B, "plain", { y: "2" }); // default namespace B
      const d = addTreeChild(root, "", "nons", null, v); // no namespace under a default? here the parent has a prefix only
      addTreeChild(d, B, "b:deep");
      const out = writeExclusive(root);
      expect(reCanonical(out)).toBe(out);
    }
  });

  it("writes namespaced attributes (xsi:type) in canonical order, declaring their prefix", () => {
    const XSI = "http://www.w3.org/2001/XMLSchema-instance";
    const root = treeElement(A, "a:root");
    const inner = addTreeChild(root, A, "a:data", { zeta: "1", Alpha: "2" });
    setTreeQualifiedAttribute(inner, "xsi", XSI, "type", "a:KeyInfoType");
    setTreeQualifiedAttribute(inner, "b", B, "other", "x&y");
    const under = addTreeChild(inner, XSI, "xsi:child"); // the prefix is in scope: not declared again
    setTreeQualifiedAttribute(under, "xsi", XSI, "type", "a:T");
    const out = writeExclusive(root);
    // C14N 1.0 §2.2: namespaced attributes by namespace URI ("http:…" before "urn:…").
    expect(out).toBe(`<a:root xmlns:a="${A}"><a:data xmlns:b="${B}" xmlns:xsi="${XSI}" Alpha="2" zeta="1" xsi:type="a:KeyInfoType" b:other="x&amp;y"><xsi:child xsi:type="a:T"></xsi:child></a:data></a:root>`);
    expect(reCanonical(out)).toBe(out);
  });

  it("declares a prefix once where first used, again only when rebound", () => {
    const root = treeElement(A, "p:r");
    addTreeChild(addTreeChild(root, A, "p:c"), B, "p:rebound");
    const out = writeExclusive(root);
    expect(out).toBe(`<p:r xmlns:p="${A}"><p:c><p:rebound xmlns:p="${B}"></p:rebound></p:c></p:r>`);
    expect(reCanonical(out)).toBe(out);
  });

  it("writeExclusiveAround: the cut at every index, and a child spliced in, equal writing the whole tree", () => {
    const children = (): TreeElement[] => [
      treeElement(A, "a:x", { k: "1" }, "t"),
      treeElement(B, "a:y"), // same prefix, other namespace: must be declared again
      treeElement(B, "other"), // default namespace
      treeElement(A, "a:z"),
    ];
    for (let index = 0; index <= 3; index++) {
      for (const extra of children()) {
        const root = treeElement(A, "a:r", { ID: "_1" }, "lead");
        for (const c of children().slice(0, 3)) root.children.push(c);
        const parts = writeExclusiveAround(root, index);
        expect(parts.before + parts.after).toBe(writeExclusive(root));
        const spliced = parts.before + parts.child(extra) + parts.after;
        root.children.splice(index, 0, extra);
        expect(spliced).toBe(writeExclusive(root));
        expect(reCanonical(spliced)).toBe(spliced);
      }
    }
  });

  it("sorts attributes by name and leaves undefined ones out", () => {
    const el = treeElement(A, "a:e", { b: "2", a: "1", C: "0", skip: undefined });
    expect(writeExclusive(el)).toBe(`<a:e xmlns:a="${A}" C="0" a="1" b="2"></a:e>`);
  });

  it("the signed tree, canonicalized without its ds:Signature (the enveloped transform), is the tree as written before signing", async () => {
    const ring = await KeyRing.load(DEV_KEY_MATERIALS);
    const root = treeElement(A, "a:r", { ID: "_1" });
    const first = addTreeChild(root, A, "a:first", null, "1");
    addTreeChild(root, B, "b:other", { k: "v" }, "x");
    addTreeChild(root, A, "a:last", null, "2");
    const unsigned = writeExclusive(root);
    const signed = await signTree(root, { key: ring.current("RSA"), referenceId: "_1", insertAfter: first });
    expect(signed).toContain("Signature");
    expect(reCanonical(signed, (n) => n.localName === "Signature")).toBe(unsigned);
  });

  it("refuses names it cannot write canonically", () => {
    expect(() => treeElement(A, "a:bad name")).toThrow(TypeError);
    expect(() => treeElement("", "p:x")).toThrow(TypeError);
    expect(() => treeElement(A, "a:e", { "xsi:type": "t" })).toThrow(TypeError);
    expect(() => treeElement(A, "a:e", { xmlns: "urn:x" })).toThrow(TypeError);
    // Valid names are checked once per isolate; an invalid one is refused every time.
    treeElement(A, "a:ok", { fine: "1" });
    for (let i = 0; i < 2; i++) {
      expect(() => treeElement(A, "a:bad name")).toThrow(TypeError);
      expect(() => treeElement(A, "a:ok", { "bad name": "1" })).toThrow(TypeError);
    }
  });

  it("refuses values XML 1.0 cannot carry (controls, U+FFFE, lone surrogates) and accepts astral characters", () => {
    for (const bad of ["a\u0001b", "\u0000", "x\uFFFE", "\uD800", "\uDC00x", "\u001F"]) {
      expect(isXmlText(bad)).toBe(false);
      expect(() => treeElement(A, "a:e", null, bad)).toThrow(/character not allowed in XML 1\.0/);
      expect(() => treeElement(A, "a:e", { v: bad })).toThrow(/character not allowed in XML 1\.0/);
    }
    for (const good of ["tab\tnl\ncr\r", "𝄞 ✓ \uD7FF \uE000 \uFFFD", ""]) {
      expect(isXmlText(good)).toBe(true);
      expect(reCanonical(writeExclusive(treeElement(A, "a:e", { v: good }, good)))).toBe(writeExclusive(treeElement(A, "a:e", { v: good }, good)));
    }
  });
});

describe("signTree", () => {
  it("signs so that our verifier accepts the serialization and rejects a change", async () => {
    const ring = await KeyRing.load(DEV_KEY_MATERIALS);
    for (const kty of ["RSA", "EC"] as const) {
      const id = newSamlId();
      const root: TreeElement = treeElement(A, "a:Token", { ID: id });
      const first = addTreeChild(root, A, "a:Issuer", null, "me");
      addTreeChild(root, A, "a:Claim", { Name: "n" }, AWKWARD.join("|"));
      const xml = await signTree(root, { key: ring.current(kty), referenceId: id, insertAfter: first });
      expect(reCanonical(xml)).toBe(xml);
      const doc = parseXml(xml);
      expect((await verifyEnveloped(doc.documentElement!, { keys: ring.all() })).ok).toBe(true);
      const tampered = parseXml(xml.replace(">me<", ">mf<"));
      expect((await verifyEnveloped(tampered.documentElement!, { keys: ring.all() })).ok).toBe(false);
      // ds:Signature right after the Issuer, as SAML 2.0 wants it.
      expect(doc.documentElement!.childNodes.item(1)!.localName).toBe("Signature");
    }
  });

  it("writes exactly what the tree writer writes for the whole signature (the cached skeleton), in every namespace context", async () => {
    const ring = await KeyRing.load(DEV_KEY_MATERIALS);
    const DS = "http://www.w3.org/2000/09/xmldsig#";
    // The ds:Signature as a tree, with the values the signer chose: the writer's output for it
    // is what the spliced template must be.
    const expected = (root: TreeElement, at: number, id: string, xml: string, sigUri: string, keyInfo: boolean, cert: string): string => {
      const value = (name: string) => new RegExp(`<ds:${name}>([^<]*)</ds:${name}>`).exec(xml)![1]!;
      const sig = treeElement(DS, "ds:Signature");
      const si = addTreeChild(sig, DS, "ds:SignedInfo");
      addTreeChild(si, DS, "ds:CanonicalizationMethod", { Algorithm: EXC_C14N });
      addTreeChild(si, DS, "ds:SignatureMethod", { Algorithm: sigUri });
      const ref = addTreeChild(si, DS, "ds:Reference", { URI: `#${id}` });
      const tr = addTreeChild(ref, DS, "ds:Transforms");
      addTreeChild(tr, DS, "ds:Transform", { Algorithm: "http://www.w3.org/2000/09/xmldsig#enveloped-signature" });
      addTreeChild(tr, DS, "ds:Transform", { Algorithm: EXC_C14N });
      addTreeChild(ref, DS, "ds:DigestMethod", { Algorithm: "http://www.w3.org/2001/04/xmlenc#sha256" });
      addTreeChild(ref, DS, "ds:DigestValue", null, value("DigestValue"));
      addTreeChild(sig, DS, "ds:SignatureValue", null, value("SignatureValue"));
      if (keyInfo) addTreeChild(addTreeChild(addTreeChild(sig, DS, "ds:KeyInfo"), DS, "ds:X509Data"), DS, "ds:X509Certificate", null, cert);
      const copy: TreeElement = { ...root, children: [...root.children] };
      copy.children.splice(at, 0, sig);
      return writeExclusive(copy);
    };
    const cases = [
      { ns: A, qname: "a:Token", kty: "RSA" as const, keyInfo: true },
      { ns: A, qname: "a:Token", kty: "EC" as const, keyInfo: false },
      { ns: DS, qname: "ds:Object", kty: "RSA" as const, keyInfo: true }, // ds already in scope
      { ns: A, qname: "ds:Token", kty: "RSA" as const, keyInfo: true }, // ds bound elsewhere
      { ns: A, qname: "Token", kty: "EC" as const, keyInfo: true }, // default namespace
    ];
    for (const c of cases) {
      for (const id of ["_a1", "_b2"]) { // the second signature comes from the cached template
        const root = treeElement(c.ns, c.qname, { ID: id });
        const first = addTreeChild(root, A, "a:Issuer", null, "me & you");
        addTreeChild(root, B, "b:Claim", null, "x");
        const key = ring.current(c.kty);
        const xml = await signTree(root, { key, referenceId: id, insertAfter: first, includeKeyInfo: c.keyInfo });
        const sigUri = `http://www.w3.org/2001/04/xmldsig-more#${c.kty === "RSA" ? "rsa" : "ecdsa"}-sha256`;
        expect(xml, `${c.qname} ${c.kty}`).toBe(expected(root, 1, id, xml, sigUri, c.keyInfo, key.certificateBase64));
        expect(root.children).toHaveLength(2); // the tree is left as it was
        expect((await verifyEnveloped(parseXml(xml).documentElement!, { keys: ring.all() })).ok).toBe(true);
      }
    }
  });

  it("refuses an element without the referenced ID and leaves the tree unchanged", async () => {
    const ring = await KeyRing.load(DEV_KEY_MATERIALS);
    const root = treeElement(A, "a:Token", { ID: "_x" });
    await expect(signTree(root, { key: ring.current("RSA"), referenceId: "_y" })).rejects.toThrow(/ID value/);
    expect(root.children).toHaveLength(0);
  });
});

describe("issued assertions are canonical and verify", () => {
  it("SAML 2.0 and 1.1 with awkward claim values", async () => {
    const ring = await KeyRing.load(DEV_KEY_MATERIALS);
    const input = assertionInput({
      at: new Date("2026-01-01T00:00:00Z"),
      issuer: "https://sts.example/?a=1&b=2",
      subject: 'al"ice<&>',
      claims: { email: ["alice@example.com"], note: AWKWARD.filter(Boolean) },
    });
    for (const xml of [await buildSaml2Assertion(input, ring), await buildSaml1Assertion(input, ring)]) {
      expect(reCanonical(xml)).toBe(xml);
      const doc = parseXml(xml);
      expect((await verifyEnveloped(doc.documentElement!, { keys: ring.all() })).ok).toBe(true);
    }
  });
});
