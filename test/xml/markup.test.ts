import { describe, expect, it } from "vitest";
import { Markup, trustedMarkup, xml } from "../../src/xml/markup.ts";
import { parseXml } from "../../src/xml/parse.ts";

describe("the message writer (xml template)", () => {
  it("escapes every value, in attributes and in content alike", () => {
    const v = `a"b' <c> & d\te\nf`;
    const m = xml`<r a="${v}">${v}</r>`;
    expect(m.xml).toBe(`<r a="a&quot;b' &lt;c&gt; &amp; d&#9;e&#10;f">a&quot;b' &lt;c&gt; &amp; d&#9;e&#10;f</r>`);
    const el = parseXml(m.xml).documentElement!;
    expect(el.getAttribute("a")).toBe(v);
    expect(el.textContent).toBe(v);
  });

  it("a value can neither close its attribute nor open an element", () => {
    const evil = `"/><injected/><x y="`;
    const doc = parseXml(xml`<r a="${evil}"/>`.xml);
    expect(doc.documentElement!.getAttribute("a")).toBe(evil);
    expect(doc.getElementsByTagName("injected").length).toBe(0);
  });

  it("embeds Markup as is, arrays of it in order, and writes nothing for undefined, null and false", () => {
    const inner = xml`<i n="${1}"/>`;
    expect(inner).toBeInstanceOf(Markup);
    expect(xml`<r>${inner}${[inner, trustedMarkup("<t/>")]}${undefined}${null}${false}</r>`.xml).toBe(`<r><i n="1"/><i n="1"/><t/></r>`);
  });

  it("a plain string holding markup is text, not markup", () => {
    expect(xml`<r>${"<b/>"}</r>`.xml).toBe("<r>&lt;b/&gt;</r>");
  });
});
