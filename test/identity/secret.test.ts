import { afterEach, describe, expect, it, vi } from "vitest";
import { constantTimeEqual } from "../../src/bytes.ts";
import { forgetVerifiedSecrets, generateSecret, hashSecret, parseSecretHash, verifySecret } from "../../src/identity/secret.ts";

// sha256("demo-secret"), computed independently with `printf demo-secret | sha256sum`.
const DEMO = "sha256$cd577fe2561ebff23505db0bb006300c7cdecbd46bc0e03c449afafaca2c25bf";

describe("hashSecret", () => {
  it("matches known SHA-256 digests", async () => {
    expect(await hashSecret("demo-secret")).toBe(DEMO);
    // FIPS 180-2 "abc"
    expect(await hashSecret("abc")).toBe(
      "sha256$ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});

describe("verifySecret", () => {
  it("accepts the right secret and rejects near misses", async () => {
    expect(await verifySecret("demo-secret", DEMO)).toBe(true);
    expect(await verifySecret("demo-secreT", DEMO)).toBe(false);
    expect(await verifySecret("demo-secret ", DEMO)).toBe(false);
    expect(await verifySecret("", DEMO)).toBe(false);
  });
  it("accepts an upper-case hex digest", async () => {
    expect(await verifySecret("demo-secret", DEMO.toUpperCase().replace("SHA256", "sha256"))).toBe(true);
  });
  it("returns false (never throws) for malformed or absent stored hashes", async () => {
    for (const s of ["", "demo-secret", "sha256$", "sha256$abc", DEMO.slice(0, -1), DEMO + "0", "sha512$" + DEMO.slice(7), DEMO.replace("c", "g")]) {
      expect(await verifySecret("demo-secret", s), s).toBe(false);
    }
    expect(await verifySecret("demo-secret", undefined)).toBe(false);
  });
  describe("the last verified secret per stored hash", () => {
    afterEach(() => {
      vi.restoreAllMocks();
      forgetVerifiedSecrets();
    });
    it("is accepted again without hashing; anything else still goes through SHA-256 and fails", async () => {
      forgetVerifiedSecrets();
      expect(await verifySecret("demo-secret", DEMO)).toBe(true);
      const digest = vi.spyOn(crypto.subtle, "digest");
      expect(await verifySecret("demo-secret", DEMO)).toBe(true);
      expect(digest).not.toHaveBeenCalled();
      // Prefixes, extensions, one changed character, other case, NUL padding: all hashed, all refused.
      for (const wrong of ["demo-secre", "demo-secret\0", "demo-secret ", "demo-secreT", "DEMO-SECRET", "", "demo-secret-demo-secret"]) {
        expect(await verifySecret(wrong, DEMO), JSON.stringify(wrong)).toBe(false);
      }
      expect(digest).toHaveBeenCalledTimes(7);
      // The right secret is still remembered after the failures.
      expect(await verifySecret("demo-secret", DEMO)).toBe(true);
      expect(digest).toHaveBeenCalledTimes(7);
    });
    it("is tied to its stored hash: it proves nothing against another one", async () => {
      forgetVerifiedSecrets();
      expect(await verifySecret("demo-secret", DEMO)).toBe(true);
      const other = await hashSecret("another-secret");
      expect(await verifySecret("demo-secret", other)).toBe(false);
      expect(await verifySecret("demo-secret", undefined)).toBe(false);
      expect(await verifySecret("another-secret", other)).toBe(true);
      expect(await verifySecret("demo-secret", DEMO)).toBe(true);
    });
  });
  it("parseSecretHash explains malformed input", () => {
    expect(parseSecretHash("sha256$xyz")).toBe("expected sha256$<64 hex digits>");
    expect((parseSecretHash(DEMO) as Uint8Array).length).toBe(32);
  });
});

describe("constantTimeEqual", () => {
  it("compares every byte and the lengths", () => {
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([0, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([]), new Uint8Array([]))).toBe(true);
  });
});

describe("generateSecret", () => {
  it("returns 32 random bytes as base64url", () => {
    const a = generateSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateSecret()).not.toBe(a);
  });
});
