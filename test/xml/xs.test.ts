import { describe, expect, it } from "vitest";
import { collapse, parseXsBoolean, trimXmlSpace } from "../../src/xml/xs.ts";

describe("XML Schema simple types", () => {
  it("collapse: tab, LF and CR are spaces, runs become one, ends are trimmed", () => {
    expect(collapse("\t a \r\n\n b  ")).toBe("a b");
    expect(collapse("")).toBe("");
    expect(collapse(" \n ")).toBe("");
    expect(collapse("urn:x")).toBe("urn:x");
  });

  it("trimXmlSpace: only space, tab, LF and CR go, from the ends, in time linear in the value", () => {
    expect(trimXmlSpace("\t carol \r\n")).toBe("carol");
    expect(trimXmlSpace("\u00a0carol\u3000")).toBe("\u00a0carol\u3000");
    expect(trimXmlSpace(" a  b ")).toBe("a  b");
    expect(trimXmlSpace(" \n ")).toBe("");
    expect(trimXmlSpace("")).toBe("");
    // A quarter megabyte of inner white space (a hostile Issuer, read before any signature
    // check): a regex tried at every start of the run takes about a minute in workerd; a scan
    // of the ends, well under a millisecond. The bound leaves a thousandfold for a busy machine.
    const inner = "a" + " ".repeat(1 << 18) + "b";
    const started = Date.now();
    expect(trimXmlSpace(inner)).toBe(inner);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("xs:boolean: true, false, 1, 0 after collapse, case-sensitive; everything else undefined", () => {
    for (const t of ["true", " true", "true ", "  1", "\ttrue\n", "1"]) expect(parseXsBoolean(t), JSON.stringify(t)).toBe(true);
    for (const f of ["false", " 0 ", "\nfalse", "0"]) expect(parseXsBoolean(f), JSON.stringify(f)).toBe(false);
    for (const x of ["", " ", "TRUE", "True", "yes", "no", "2", "t rue", "01", "+1", "true true", "\u00a0true"]) {
      expect(parseXsBoolean(x), JSON.stringify(x)).toBeUndefined();
    }
  });
});
