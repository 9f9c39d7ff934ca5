import { describe, expect, it } from "vitest";
import { MALFORMED_CNF, cnfClaim, readCnf } from "../../src/jwt/cnf.ts";

const JKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"; // RFC 7638 §3.1 example thumbprint
const EC = { kty: "EC", crv: "P-256", x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" };

describe("cnf claim (RFC 7800, RFC 9449 §6.1)", () => {
  it("writes jkt for DPoP and a public jwk for a public key, and reads both back", () => {
    expect(cnfClaim({ method: "dpop", jkt: JKT })).toEqual({ jkt: JKT });
    expect(readCnf({ jkt: JKT })).toEqual({ method: "dpop", jkt: JKT });
    const written = cnfClaim({ method: "public-key", jwk: { ...EC, d: "secret" } as JsonWebKey });
    expect(written).toEqual({ jwk: EC });
    expect(readCnf(written)).toEqual({ method: "public-key", jwk: EC });
  });

  it("never writes a symmetric proof key into a JWT", () => {
    expect(() => cnfClaim({ method: "symmetric", key: new Uint8Array(32) })).toThrow(/symmetric/);
  });

  it("absent is a bearer token; anything else it cannot read is malformed (fail closed)", () => {
    expect(readCnf(undefined)).toBeUndefined();
    for (const bad of [null, "x", 1, [], {}, { jkt: 1 }, { jkt: "short" }, { jkt: JKT + "=" }, { jkt: JKT, jwk: EC }, { "x5t#S256": JKT }, { jwk: { ...EC, d: "x" } }, { jwk: { kty: "oct", k: "AAAA" } }, { jwk: [] }]) {
      expect(readCnf(bad), JSON.stringify(bad)).toBe(MALFORMED_CNF);
    }
  });
});
