import { describe, expect, it } from "vitest";
import { parseXml } from "../../src/xml/parse.ts";
import { childElements, findElementsByIdAttr, firstChild, isElement, textContent, uniqueChild, WSU_NS } from "../../src/xml/dom.ts";

describe("dom helpers", () => {
  const doc = parseXml(
    `<r xmlns="urn:a" xmlns:b="urn:b" xmlns:wsu="${WSU_NS}">` +
      '<x ID="one">admin<!-- c -->@evil.com</x><b:x Id="two"/>text<x><![CDATA[ca]]><y>ta</y>il</x>' +
      '<b:z wsu:Id="three"/><b:w b:Id="four"/><v ID="one"/></r>',
  );
  const r = doc.documentElement!;

  it("textContent concatenates every descendant text node: a comment cannot truncate a value", () => {
    expect(textContent(firstChild(r, "urn:a", "x")!)).toBe("admin@evil.com");
    expect(textContent(childElements(r, "urn:a", "x")[1]!)).toBe("catail");
    expect(textContent(r)).toBe("admin@evil.comtextcatail");
  });

  it("uniqueChild finds the one child in any of the namespaces given, and refuses a second", () => {
    const twice = () => new Error("twice");
    expect(uniqueChild(r, "urn:b", "z", twice)!.getAttributeNS(WSU_NS, "Id")).toBe("three");
    expect(uniqueChild(r, ["urn:c", "urn:b"], "w", twice)!.localName).toBe("w");
    expect(uniqueChild(r, "urn:a", "nothing", twice)).toBeNull();
    expect(() => uniqueChild(r, "urn:a", "x", twice)).toThrow("twice");
    // One in each of two namespaces counts as two when both are asked for.
    expect(() => uniqueChild(r, ["urn:a", "urn:b"], "x", twice)).toThrow("twice");
    expect(uniqueChild(r, "urn:b", "x", twice)!.getAttribute("Id")).toBe("two");
  });

  it("childElements and firstChild match namespace URI and local name, not prefixes", () => {
    expect(childElements(r).map((e) => e.localName)).toEqual(["x", "x", "x", "z", "w", "v"]);
    expect(childElements(r, "urn:b").map((e) => e.localName)).toEqual(["x", "z", "w"]);
    expect(childElements(r, "urn:a", "x")).toHaveLength(2);
    expect(firstChild(r, "urn:b", "x")!.getAttribute("Id")).toBe("two");
    expect(firstChild(r, null, "x")).toBeNull();
    expect(isElement(r, "urn:a", "r")).toBe(true);
    expect(isElement(r, null, "r")).toBe(false);
  });

  it("findElementsByIdAttr returns every match (duplicates are the caller's refusal) and only ID attributes", () => {
    expect(findElementsByIdAttr(doc, "one").map((e) => e.localName)).toEqual(["x", "v"]);
    expect(findElementsByIdAttr(doc, "two")).toHaveLength(1);
    expect(findElementsByIdAttr(doc, "three")[0]!.localName).toBe("z");
    expect(findElementsByIdAttr(doc, "four")).toHaveLength(0); // b:Id is not an ID attribute
    expect(findElementsByIdAttr(doc, "")).toHaveLength(0);
    expect(findElementsByIdAttr(r, "two", [{ ns: null, localName: "ID" }])).toHaveLength(0);
  });
});
