/**
 * The configuration's JSON syntax errors: a reason, a line and a column, never the text itself;
 * and the scanner agrees with JSON.parse on what is JSON.
 */
import { describe, expect, it } from "vitest";
import { findJsonSyntaxError } from "../../src/config/json-syntax.ts";
import { jsonFailure } from "../../src/config/check.ts";

describe("findJsonSyntaxError", () => {
  it("places each kind of mistake an operator makes by hand", () => {
    const cases: [string, number, number, string][] = [
      ['{\n  "issuer": \n}', 3, 1, "a value was expected"],
      ['{\n  "issuer": "https://sts.example.com",\n}', 3, 1, "a property name in double quotes was expected"],
      ["{\n  issuer: 1\n}", 2, 3, "a property name in double quotes was expected"],
      ['{"a" 1}', 1, 6, "':' was expected"],
      ['{"a": 1 "b": 2}', 1, 9, "',' or '}' was expected"],
      ['[1, 2 3]', 1, 7, "',' or ']' was expected"],
      ['{"a": tru}', 1, 7, "a value was expected"],
      ['{"a": \'x\'}', 1, 7, "a value was expected"],
      ['{"a": "line\nbreak"}', 1, 12, "control character"],
      ['{"a": "\\x"}', 1, 8, "invalid escape"],
      ['{"a": "\\u12G4"}', 1, 8, "four hexadecimal digits"],
      ['{"a": "open', 1, 12, "a string is not closed"],
      ['{"a": [1, 2', 1, 12, "the text ends inside an array"],
      ['{"a": 1', 1, 8, "the text ends inside an object"],
      ['{"a": 1}}', 1, 9, "nothing may follow the JSON value"],
      ["", 1, 1, "the text holds no value"],
      ['{"a": -}', 1, 7, "a value was expected"],
      ['\uFEFF{"a": 1}', 1, 1, "byte-order mark"],
    ];
    for (const [text, line, column, reason] of cases) {
      expect(() => JSON.parse(text), text).toThrow();
      const e = findJsonSyntaxError(text);
      expect(e, text).toBeDefined();
      expect([e!.line, e!.column], text).toEqual([line, column]);
      expect(e!.reason, text).toContain(reason);
    }
  });

  it("finds nothing wrong in JSON, however deep or odd", () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    for (const text of [deep, ' { "a" : [ 1 , -2.5e+3 , "\\u00e9\\n\\"" , true , false , null , { } , [ ] ] } ', "0", '"x"', "\t\r\n1\n"]) {
      expect(findJsonSyntaxError(text), text.slice(0, 40)).toBeUndefined();
    }
  });

  it("agrees with JSON.parse on generated near-JSON texts", () => {
    const pieces = ["{", "}", "[", "]", ",", ":", '"k"', "1", "-0.5", "true", "null", " ", "\n", '"\\n"', "01", "1.", "x"];
    let seed = 42;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 5000; n++) {
      let text = "";
      for (let k = next() % 8; k >= 0; k--) text += pieces[next() % pieces.length];
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
      }
      expect(findJsonSyntaxError(text) === undefined, JSON.stringify(text)).toBe(parses);
    }
  });
});

describe("jsonFailure", () => {
  it("states the reason and place, and quotes nothing of a secret text", () => {
    const secret = '{"keys": [{"privateKey": s3cr3t-value}]}';
    const m = jsonFailure(secret);
    expect(m).toBe("is not valid JSON: a value was expected (an object, array, string in double quotes, number, true, false or null) at line 1, column 26");
    expect(m).not.toContain("s3cr3t");
  });
});
