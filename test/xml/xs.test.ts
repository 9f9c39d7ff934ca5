import { describe, expect, it } from "vitest";
import { collapse, parseXsBoolean } from "../../src/xml/xs.ts";

describe("XML Schema simple types", () => {
  it("collapse: tab, LF and CR are spaces, runs become one, ends are trimmed", () => {
    expect(collapse("\t a \r\n\n b  ")).toBe("a b");
    expect(collapse("")).toBe("");
    expect(collapse(" \n ")).toBe("");
    expect(collapse("urn:x")).toBe("urn:x");
  });

  it("xs:boolean: true, false, 1, 0 after collapse, case-sensitive; everything else undefined", () => {
    for (const t of ["true", " true", "true ", "  1", "\ttrue\n", "1"]) expect(parseXsBoolean(t), JSON.stringify(t)).toBe(true);
    for (const f of ["false", " 0 ", "\nfalse", "0"]) expect(parseXsBoolean(f), JSON.stringify(f)).toBe(false);
    for (const x of ["", " ", "TRUE", "True", "yes", "no", "2", "t rue", "01", "+1", "true true", "\u00a0true"]) {
      expect(parseXsBoolean(x), JSON.stringify(x)).toBeUndefined();
    }
  });
});
