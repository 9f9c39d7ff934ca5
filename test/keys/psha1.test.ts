import { describe, expect, it } from "vitest";
import { fromBase64, fromHex, toBase64, toHex, utf8 } from "../../src/bytes.ts";
import { MAX_P_HASH_BYTES, pHash, pSha1 } from "../../src/keys/psha1.ts";

const b64 = (s: string) => fromBase64(s)!;

/**
 * Microsoft's published WS-Trust computed-key references (MIT licence):
 * AzureAD/azure-activedirectory-identitymodel-extensions-for-dotnet,
 * test/Microsoft.IdentityModel.Protocols.WsTrust.Tests/ComputedKeyReferences.cs, class PSHA1,
 * each (issuer entropy, requestor entropy, key, key size in bits), checked there against
 * KeyGenerator.ComputeCombinedKey, the .NET WS-Trust implementation. Also reproduced with
 * Python's hmac module (the interop suite does so for fresh random inputs).
 */
const MICROSOFT_PSHA1 = [
  ["zyWv2YzpTqni7xMbZe4EE5EAdtNYZAcrAe5DU5qcZ5M=", "iyO21lrrmRDm9cUMC6RZRqAJ16JuRrRLOM7fGR3QHFw=", "ixTqFuS9mii2fkv1/z3BbQ==", 128],
  ["YRqi0pVqeM9Lmty6rc89hDrd5Mai3eeZ42tkvnfTtwY=", "t6ZqbelHtkv9CxfOjQWaF6jT3cdGwd4RhLcPNphlnf0=", "YuIMdylA6JauSzmmirjA0g==", 128],
  ["MjkyMIzScd3OHCuMTkwwnw==", "cCMpueP2bEu96Vc3bRfXuw==", "An3ijk/tlNUhDMhxwlvlSw==", 128],
  ["5brubdduHWNywXWPcRq8rw==", "fuExSIlmtCUzcJMW76kQzQ==", "HAzeHgRspMxMDE7MEDBATA==", 128],
  ["Tq8ysLdDYf4SRAzKlKWaf14shAbEANn57emcsU+Uzfw=", "OdlDaIG2ND9CtF8EseCHpRZ6iiIDVxiV2+Z7O7mXDIs=", "LdNuhTLMQzJQxjfQpULDuJQxvcDnyw+/Ez8DyS8QI8g=", 256],
  ["/tWCs/QgG3BFLjL6eJ9+oyUXA4i5A0p+ZmGGIdWZymc=", "V8SpcxeTAeY94TILrUpoMoCE8gR1WafwcOL/PDLRLuA=", "6cyhRfSSaiyYZWW4hmV17xI3Hm5pBIDgHyv05EH8bKY=", 256],
] as const;

describe("P_SHA1 (WS-Trust 1.3 §4.4.3 computed keys)", () => {
  for (const [issuer, requestor, key, bits] of MICROSOFT_PSHA1) {
    it(`Microsoft's reference ${bits}-bit key ${key.slice(0, 8)}…`, async () => {
      const k = await pSha1(b64(requestor), b64(issuer), bits);
      expect(toBase64(k)).toBe(key);
      expect(k.length * 8).toBe(bits);
    });
  }

  it("the secret is the requestor's entropy, the seed the issuer's: swapping them gives another key", async () => {
    const [issuer, requestor, key] = MICROSOFT_PSHA1[0];
    expect(toBase64(await pSha1(b64(issuer), b64(requestor), 128))).not.toBe(key);
  });

  it("a shorter key is a prefix of a longer one, across the 20-byte HMAC-SHA1 block boundary", async () => {
    const [issuer, requestor] = MICROSOFT_PSHA1[4];
    const k512 = await pSha1(b64(requestor), b64(issuer), 512);
    expect(k512.length).toBe(64);
    expect(toHex(await pSha1(b64(requestor), b64(issuer), 256))).toBe(toHex(k512.subarray(0, 32)));
    expect(toHex(await pSha1(b64(requestor), b64(issuer), 160))).toBe(toHex(k512.subarray(0, 20)));
    expect(toHex(await pSha1(b64(requestor), b64(issuer), 168))).toBe(toHex(k512.subarray(0, 21)));
  });

  it("refuses key sizes that are not a positive whole number of bytes", async () => {
    for (const bits of [0, -8, 129, 12.5, Number.NaN]) {
      await expect(pSha1(utf8("secret-secret-16"), utf8("seed"), bits)).rejects.toThrow(RangeError);
    }
  });
});

describe("P_hash, the loop under P_SHA1", () => {
  it("TLS 1.2 PRF published vector (P_SHA256 with seed = label + seed, 100 bytes; IETF TLS list msg03416)", async () => {
    const secret = fromHex("9bbe436ba940f017b17652849a71db35")!;
    const seed = new Uint8Array([...utf8("test label"), ...fromHex("a0ba9f936cda311827a6f796ffd5198c")!]);
    const out = await pHash("SHA-256", secret, seed, 100);
    expect(toHex(out)).toBe(
      "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66",
    );
  });

  it("zero bytes is empty; an empty secret and lengths past the bound are refused", async () => {
    expect((await pHash("SHA-1", utf8("k"), utf8("s"), 0)).length).toBe(0);
    await expect(pHash("SHA-1", new Uint8Array(0), utf8("s"), 16)).rejects.toThrow(RangeError);
    await expect(pHash("SHA-1", utf8("k"), utf8("s"), MAX_P_HASH_BYTES + 1)).rejects.toThrow(RangeError);
    expect((await pHash("SHA-1", utf8("k"), utf8("s"), MAX_P_HASH_BYTES)).length).toBe(MAX_P_HASH_BYTES);
  });
});
