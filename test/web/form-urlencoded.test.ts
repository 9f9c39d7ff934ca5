import { describe, expect, it } from "vitest";
import { MAX_FORM_FIELDS, NOT_UTF8, firstValues, formPairs } from "../../src/web/form-urlencoded.ts";

describe("the form-urlencoded reader", () => {
  // Each case is read as URLSearchParams reads it: the JavaScript path must never differ.
  const cases = [
    "a=1&b=2", "a=1&a=2", "a", "a=", "=x", "&&a=1&&", "a=b=c", "x=%20%2B+y", "%E2%82%AC=%E2%82%AC",
    "bad=%ZZ", "lone=%", "100%=%%41", "plus+name=v+w", "ok=%C3%A9&bad=%G1", "",
  ];

  it("reads every pair as URLSearchParams does, a '%' that starts no escape included", () => {
    for (const text of cases) expect([...formPairs(text)], text).toEqual([...new URLSearchParams(text)]);
  });

  it("refuses escapes that are not UTF-8, which URLSearchParams would read as U+FFFD, in names and values", () => {
    // A lone byte, a truncated sequence, an encoded surrogate, an overlong '/', a byte past U+10FFFF.
    for (const text of ["wctx=%FF", "half=%E2%82", "surrogate=%ED%A0%80", "overlong=%C0%AF", "big=%F4%90%80%80", "%FF=x", "a=1&b=%80+c", "bad=%ZZ&x=%FE"]) {
      expect(() => formPairs(text), text).toThrow(expect.objectContaining({ code: "bad_request", message: NOT_UTF8 }));
      expect(() => firstValues({ query: `https://sts.example/wsfed?${text}` }), text).toThrow(expect.objectContaining({ code: "bad_request" }));
    }
  });

  it("reads a request URL's query, and none where there is no '?'", () => {
    expect(firstValues({ query: "https://sts.example/wsfed?wa=wsignin1.0&wctx=%C3%A9" }).get("wctx")).toBe("é");
    expect(firstValues({ query: "https://sts.example/wsfed" }).has("wa")).toBe(false);
  });

  it("reads each character a bounded number of times, also where no pair has an '='", () => {
    // "a&a&…&a=b": a search for each pair's '=' that starts afresh reads on to the last one,
    // quadratic in the body (seconds for 1 MiB). Count what indexOf reads instead of timing it.
    const text = "a&".repeat(MAX_FORM_FIELDS - 1) + "a=b";
    const indexOf = String.prototype.indexOf;
    let read = 0;
    String.prototype.indexOf = function (this: string, search: string, from = 0) {
      const at = indexOf.call(this, search, from);
      read += (at < 0 ? this.length : at) - from;
      return at;
    } as typeof indexOf;
    let pairs: [string, string][];
    try {
      pairs = [...formPairs(text)];
    } finally {
      String.prototype.indexOf = indexOf;
    }
    expect(pairs).toEqual([...new URLSearchParams(text)]);
    expect(read).toBeLessThan(4 * text.length);
  });

  it("refuses more than MAX_FORM_FIELDS fields, before decoding the rest, also where an escape needs repair", () => {
    const fields = (n: number, first = "a=1") => [first, ...Array.from({ length: n - 1 }, (_, i) => `f${i}=%41`)].join("&");
    expect([...formPairs(fields(MAX_FORM_FIELDS))]).toHaveLength(MAX_FORM_FIELDS);
    expect([...formPairs(fields(MAX_FORM_FIELDS, "bad=%ZZ"))]).toHaveLength(MAX_FORM_FIELDS);
    // Empty fields are no fields, as URLSearchParams reads them.
    expect([...formPairs(fields(MAX_FORM_FIELDS) + "&&&&")]).toHaveLength(MAX_FORM_FIELDS);
    for (const text of [fields(MAX_FORM_FIELDS + 1), fields(MAX_FORM_FIELDS + 1, "bad=%ZZ"), "a&".repeat(1 << 18)]) {
      expect(() => formPairs(text)).toThrow(expect.objectContaining({ code: "bad_request", message: `The form has more than ${MAX_FORM_FIELDS} fields.` }));
    }
  });

  it("gives each name's first value, null when absent", () => {
    const f = firstValues("wa=wsignin1.0&wtrealm=urn%3Ax&wa=wsignout1.0&empty=");
    expect(f.get("wa")).toBe("wsignin1.0");
    expect(f.get("wtrealm")).toBe("urn:x");
    expect(f.get("empty")).toBe("");
    expect(f.has("empty")).toBe(true);
    expect(f.get("missing")).toBeNull();
    expect(f.has("missing")).toBe(false);
  });
});
