import { describe, expect, it } from "vitest";
import {
  fromBase64, fromBase64Url, portableDecode, portableToBase64, portableToHex, toBase64, toBase64Url, toHex,
} from "../src/bytes.ts";

/** Deterministic pseudo-random bytes (the same every run). */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe("bytes: the platform's base64/hex and the portable fallback agree", () => {
  it("runs the platform encoder in workerd (what production uses)", () => {
    expect(typeof (Uint8Array.prototype as { toBase64?: unknown }).toBase64).toBe("function");
  });

  it("encodes every length 0..300 and a 6 KB token identically", () => {
    for (const n of [...Array.from({ length: 301 }, (_, i) => i), 6000]) {
      const b = bytes(n, n);
      const std = portableToBase64(b);
      expect(toBase64(b)).toBe(std);
      expect(toBase64Url(b)).toBe(std.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
      expect(toHex(b)).toBe(portableToHex(b));
      expect(fromBase64(std)).toEqual(b);
      expect(portableDecode(std)).toEqual(b);
      expect(fromBase64Url(toBase64Url(b))).toEqual(b);
    }
  });

  it("refuses the same malformed input on every path", () => {
    for (const bad of ["A", "AB=", "A===", "AB CD", "AB\nCD", "ab$d", "====", "AB==C", "-_8=", "Zm9v\t"]) {
      expect(fromBase64(bad), bad).toBeUndefined();
    }
    for (const bad of ["A", "AB$", "AB CD", "Zm9v\n", "a.b"]) {
      expect(fromBase64Url(bad), bad).toBeUndefined();
    }
    // Both alphabets, padding optional (clients send either).
    expect(fromBase64Url("-_8")).toEqual(Uint8Array.of(0xfb, 0xff));
    expect(fromBase64Url("+/8=")).toEqual(Uint8Array.of(0xfb, 0xff));
    expect(fromBase64Url("-/8")).toEqual(Uint8Array.of(0xfb, 0xff));
    expect(fromBase64("Zm8")).toEqual(Uint8Array.of(0x66, 0x6f));
  });
});
