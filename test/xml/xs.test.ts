import { describe, expect, it } from "vitest";
import { collapse, parseXsBoolean, trimXmlSpace } from "../../src/xml/xs.ts";

describe("XML Schema simple types", () => {
  it("collapse: tab, LF and CR are spaces, runs become one, ends are trimmed", () => {
    expect(collapse("\t a \r\n\n b  ")).toBe("a b");
    expect(collapse("")).toBe("");
    expect(collapse(" \n ")).toBe("");
    expect(collapse("urn:x")).toBe("urn:x");
  });

  it("trimXmlSpace: only space, tab, LF and CR go, from the ends, each end read up to its first other character", () => {
    expect(trimXmlSpace("\t carol \r\n")).toBe("carol");
    expect(trimXmlSpace("\u00a0carol\u3000")).toBe("\u00a0carol\u3000");
    expect(trimXmlSpace(" a  b ")).toBe("a  b");
    expect(trimXmlSpace(" \n ")).toBe("");
    expect(trimXmlSpace("")).toBe("");
    // A hostile Issuer (read before any signature check) with a long run of inner white space:
    // a regex tried at every start of the run is quadratic in it (a quarter megabyte held
    // workerd about a minute). Count what is read instead of timing it: no regex runs, and
    // each end is read up to its first other character only.
    const inner = "a" + " ".repeat(1 << 12) + "b";
    const padded = "\n\t " + inner + " \r\n";
    const charCodeAt = String.prototype.charCodeAt;
    const exec = RegExp.prototype.exec;
    let reads = 0;
    let regexRuns = 0;
    String.prototype.charCodeAt = function (this: string, i: number) {
      reads++;
      return charCodeAt.call(this, i);
    };
    RegExp.prototype.exec = function (this: RegExp, t: string) {
      regexRuns++;
      return exec.call(this, t);
    };
    let trimmed: string[];
    try {
      trimmed = [trimXmlSpace(inner), trimXmlSpace(padded)];
    } finally {
      String.prototype.charCodeAt = charCodeAt;
      RegExp.prototype.exec = exec;
    }
    expect(trimmed).toEqual([inner, inner]);
    expect(regexRuns).toBe(0);
    expect(reads).toBe(2 + (3 + 1 + 3 + 1));
  });

  it("xs:boolean: true, false, 1, 0 after collapse, case-sensitive; everything else undefined", () => {
    for (const t of ["true", " true", "true ", "  1", "\ttrue\n", "1"]) expect(parseXsBoolean(t), JSON.stringify(t)).toBe(true);
    for (const f of ["false", " 0 ", "\nfalse", "0"]) expect(parseXsBoolean(f), JSON.stringify(f)).toBe(false);
    for (const x of ["", " ", "TRUE", "True", "yes", "no", "2", "t rue", "01", "+1", "true true", "\u00a0true"]) {
      expect(parseXsBoolean(x), JSON.stringify(x)).toBeUndefined();
    }
  });
});
