/**
 * The parser's direct node builder (src/xml/dom-build.ts) makes exactly the nodes xmldom's own
 * DOM API makes: every shipped vector and a few documents written for the corners (namespace
 * declarations, prefixed and default attributes, comments, CDATA, processing instructions,
 * references) are built both ways and compared field by field, every own field of every node,
 * attribute map and child list. An xmldom update that changes its nodes fails here.
 */
import { describe, expect, it } from "vitest";
import type { Document } from "@xmldom/xmldom";
import { XMLSerializer } from "@xmldom/xmldom";
import { buildDocument } from "../../src/xml/tree.ts";
import { direct, viaDomApi } from "../../src/xml/dom-build.ts";
import { XmlSecurityError } from "../../src/xml/errors.ts";

const vectors = import.meta.glob("../fixtures/vectors/**/*.xml", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

const CORNERS: Record<string, string> = {
  namespaces:
    `<s:Envelope xmlns:s="urn:s" xmlns="urn:default" xmlns:u="urn:u"><s:Header u:Id="h" plain="1" xml:lang="en">` +
    `<a xmlns="" b="2"/><u:T xmlns:u="urn:u2" u:x="1" y='2'/></s:Header><s:Body u:Id="b">t&amp;x&#65;&#x42;<![CDATA[<raw>]]><!-- c -->tail</s:Body></s:Envelope>`,
  "processing instructions": `<?xml version="1.0"?><!-- before --><?pi one?><r><?pi two  x?><e/></r><!-- after -->`,
  "mixed text": `<r>\n  <a>1</a>\n  text &lt;b&gt;\n  <b x="a&#9;b"/>\n</r>`,
  "attribute named like a prototype key": `<r constructor="1" __proto__="2" toString="3" xmlns:p="urn:p" p:hasOwnProperty="4"/>`,
};

type AnyNode = Record<string, unknown>;

/**
 * Compares two DOMs built from the same text: same own field names on every object reached,
 * same primitive values, and references that point to corresponding nodes.
 */
function sameDom(a: Document, b: Document): string[] {
  const diffs: string[] = [];
  const pairs = new Map<object, object>([[a, b]]);
  const queue: [object, object, string][] = [];
  // Walk the nodes first to pair them by position (document order, attributes included).
  const pairNodes = (x: AnyNode, y: AnyNode, path: string) => {
    pairs.set(x, y);
    queue.push([x, y, path]);
    const xa = x.attributes as AnyNode | undefined;
    const ya = y.attributes as AnyNode | undefined;
    if (xa && ya) {
      for (let i = 0; i < (xa.length as number); i++) pairNodes(xa[i] as AnyNode, ya[i] as AnyNode, `${path}/@${i}`);
    }
    let cx = x.firstChild as AnyNode | null;
    let cy = y.firstChild as AnyNode | null;
    let i = 0;
    while (cx && cy) {
      pairNodes(cx, cy, `${path}/${i++}`);
      cx = cx.nextSibling as AnyNode | null;
      cy = cy.nextSibling as AnyNode | null;
    }
    if (cx || cy) diffs.push(`${path}: different numbers of children`);
  };
  for (let x = a.firstChild as AnyNode | null, y = b.firstChild as AnyNode | null, i = 0; x && y; x = x.nextSibling as AnyNode | null, y = y.nextSibling as AnyNode | null) {
    pairNodes(x, y, `/${i++}`);
  }
  const compare = (x: unknown, y: unknown, path: string, depth: number): void => {
    if (x === null || typeof x !== "object") {
      if (x !== y) diffs.push(`${path}: ${String(x)} ≠ ${String(y)}`);
      return;
    }
    if (y === null || typeof y !== "object") return void diffs.push(`${path}: object against ${String(y)}`);
    if (pairs.has(x)) {
      if (pairs.get(x) !== y) diffs.push(`${path}: points to another node`);
      return;
    }
    // A value object of a node (child list, name index, namespace map): compared in full.
    if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) diffs.push(`${path}: different prototypes`);
    const kx = Object.keys(x).sort();
    const ky = Object.keys(y).sort();
    if (kx.join() !== ky.join()) return void diffs.push(`${path}: fields ${kx.join()} ≠ ${ky.join()}`);
    if (depth > 4) return void diffs.push(`${path}: nested too deep to compare`);
    for (const k of kx) compare((x as AnyNode)[k], (y as AnyNode)[k], `${path}.${k}`, depth + 1);
  };
  for (const [x, y, path] of queue) {
    if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) diffs.push(`${path}: different prototypes`);
    const kx = Object.keys(x).sort();
    const ky = Object.keys(y).sort();
    if (kx.join() !== ky.join()) diffs.push(`${path}: fields ${kx.join()} ≠ ${ky.join()}`);
    for (const k of kx) compare((x as AnyNode)[k], (y as AnyNode)[k], `${path}.${k}`, 0);
  }
  if ((a as unknown as AnyNode)._inc !== (b as unknown as AnyNode)._inc) diffs.push("document change counters differ");
  return diffs;
}

function bothWays(text: string): [Document, Document] | undefined {
  try {
    return [buildDocument(text, true, undefined, direct), buildDocument(text, true, undefined, viaDomApi)];
  } catch (e) {
    if (e instanceof XmlSecurityError) return undefined;
    throw e;
  }
}

describe("the direct node builder makes xmldom's nodes", () => {
  const cases = { ...CORNERS, ...Object.fromEntries(Object.entries(vectors).map(([k, v]) => [k.replace("../fixtures/vectors/", ""), v.replace(/^\uFEFF/, "")])) };
  it("has documents to compare", () => {
    expect(Object.keys(cases).length).toBeGreaterThan(40);
    for (const t of Object.values(CORNERS)) expect(bothWays(t)).toBeDefined();
  });
  for (const [name, text] of Object.entries(cases)) {
    it(`field for field: ${name}`, () => {
      const built = bothWays(text);
      if (!built) return; // refused either way (a hostile vector): nothing built
      const [fast, api] = built;
      expect(sameDom(fast, api)).toEqual([]);
      expect(new XMLSerializer().serializeToString(fast)).toBe(new XMLSerializer().serializeToString(api));
    });
  }

  it("the comparison notices a node that differs", () => {
    const [fast, api] = bothWays(CORNERS.namespaces!)!;
    const el = fast.getElementsByTagNameNS("urn:u2", "T")[0]!;
    (el as unknown as AnyNode)._nsMap = Object.assign(Object.create(null), { u: "urn:other" });
    expect(sameDom(fast, api).join("\n")).toContain("_nsMap.u");
    const [fast2, api2] = bothWays(CORNERS.namespaces!)!;
    (fast2.documentElement!.attributes as unknown as AnyNode).extra = 1;
    expect(sameDom(fast2, api2).join("\n")).toContain("fields");
  });

  it("what is built reads as xmldom's: lookups, live lists, edits", () => {
    const [fast] = bothWays(CORNERS.namespaces!)!;
    const root = fast.documentElement!;
    expect(root.lookupNamespaceURI("u")).toBe("urn:u");
    expect(root.getAttributeNodeNS("urn:u", "Id")).toBeNull();
    const header = root.firstChild as unknown as import("@xmldom/xmldom").Element;
    expect(header.getAttributeNS("urn:u", "Id")).toBe("h");
    const live = fast.getElementsByTagName("*");
    const before = live.length;
    header.appendChild(fast.createElementNS("urn:x", "x:new"));
    expect(live.length).toBe(before + 1);
    header.removeAttribute("plain");
    expect(header.hasAttribute("plain")).toBe(false);
    expect(header.childNodes.length).toBe(3);
  });
});
