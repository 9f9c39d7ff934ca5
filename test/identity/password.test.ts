import { describe, expect, it } from "vitest";
import { fromBase64, toHex, utf8 } from "../../src/bytes.ts";
import {
  hashPassword,
  parsePasswordHash,
  pbkdf2Sha256,
  verifyPassword,
} from "../../src/identity/password.ts";

describe("pbkdf2Sha256 known answers", () => {
  // RFC 7914 §11 (PBKDF2-HMAC-SHA256 test vectors).
  it("RFC 7914 §11 passwd/salt c=1 dkLen=64", async () => {
    const dk = await pbkdf2Sha256("passwd", utf8("salt"), 1, 64);
    expect(toHex(dk)).toBe(
      "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc" +
        "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
    );
  });
  it("RFC 7914 §11 Password/NaCl c=80000 dkLen=64", async () => {
    const dk = await pbkdf2Sha256("Password", utf8("NaCl"), 80_000, 64);
    expect(toHex(dk)).toBe(
      "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56" +
        "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d",
    );
  });
  it("workerd accepts exactly the 100,000-iteration cap", async () => {
    await expect(pbkdf2Sha256("x", new Uint8Array(16), 100_000, 32)).resolves.toHaveLength(32);
  });
});

describe("hashPassword / verifyPassword", () => {
  it("round-trips and rejects a wrong password", async () => {
    const stored = await hashPassword("wonderland", { iterations: 10_000 });
    expect(stored).toMatch(/^pbkdf2-sha256\$10000\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(await verifyPassword("wonderland", stored)).toBe(true);
    expect(await verifyPassword("wonderlanD", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });
  it("defaults to 100,000 iterations and a fresh salt each time", async () => {
    const a = await hashPassword("pw");
    const b = await hashPassword("pw");
    expect(a.split("$")[1]).toBe("100000");
    expect(a.split("$")[2]).not.toBe(b.split("$")[2]);
  });
  it("verifies a hash computed independently (openssl/node pbkdf2, salt 16 x 0x01)", async () => {
    // node -e 'crypto.pbkdf2Sync("wonderland", Buffer.alloc(16,1), 10000, 32, "sha256")'
    const stored =
      "pbkdf2-sha256$10000$AQEBAQEBAQEBAQEBAQEBAQ==$+DlILRc55TErTW4PLi0OEtHBbTvBfwEm6Da8AFr+KfE=";
    expect(await verifyPassword("wonderland", stored)).toBe(true);
  });
  it("normalises to NFC so composed and decomposed input match", async () => {
    const stored = await hashPassword("caf\u00e9", { iterations: 10_000 });
    expect(await verifyPassword("cafe\u0301", stored)).toBe(true);
  });
  it("refuses iteration counts outside [10000, 100000] when hashing", async () => {
    await expect(hashPassword("x", { iterations: 100_001 })).rejects.toThrow(RangeError);
    await expect(hashPassword("x", { iterations: 9_999 })).rejects.toThrow(RangeError);
  });
  it("returns false (never throws) for malformed or absent hashes", async () => {
    const good = await hashPassword("pw", { iterations: 10_000 });
    const [, it, salt, hash] = good.split("$");
    const bad = [
      "",
      "pw",
      `pbkdf2-sha1$${it}$${salt}$${hash}`,
      `pbkdf2-sha256$${it}$${salt}`,
      `pbkdf2-sha256$abc$${salt}$${hash}`,
      `pbkdf2-sha256$0$${salt}$${hash}`,
      `pbkdf2-sha256$200000$${salt}$${hash}`,
      `pbkdf2-sha256$${it}$!!!!$${hash}`,
      `pbkdf2-sha256$${it}$${salt}$${hash!.slice(4)}`,
      `pbkdf2-sha256$${it}$${salt}$${hash}$extra`,
    ];
    for (const s of bad) expect(await verifyPassword("pw", s), s).toBe(false);
    expect(await verifyPassword("pw", undefined)).toBe(false);
  });
});

describe("parsePasswordHash", () => {
  it("names what is wrong", () => {
    expect(parsePasswordHash("x")).toBe("expected pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>");
    expect(parsePasswordHash("pbkdf2-sha256$600000$AQEBAQEBAQEBAQEBAQEBAQ==$" + "A".repeat(43) + "=")).toBe(
      "iterations 600000 exceed the Workers PBKDF2 limit of 100000",
    );
    expect(parsePasswordHash("pbkdf2-sha256$1000$AQEBAQEBAQEBAQEBAQEBAQ==$" + "A".repeat(43) + "=")).toBe(
      "iterations 1000 are below the minimum of 10000",
    );
    expect(parsePasswordHash("pbkdf2-sha256$10000$AQEB$" + "A".repeat(43) + "=")).toBe(
      "salt must be at least 16 bytes of base64",
    );
    const ok = parsePasswordHash("pbkdf2-sha256$10000$AQEBAQEBAQEBAQEBAQEBAQ==$" + "A".repeat(43) + "=");
    expect(typeof ok === "object" && ok.iterations).toBe(10_000);
  });
});

describe("base64 helper", () => {
  it("rejects non-base64", () => {
    expect(fromBase64("a b")).toBeUndefined();
    expect(fromBase64("abcde")).toBeUndefined();
    expect(Array.from(fromBase64("AQID")!)).toEqual([1, 2, 3]);
  });
});
