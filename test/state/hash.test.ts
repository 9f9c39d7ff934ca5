import { afterEach, describe, expect, it, vi } from "vitest";
import {
  replayShardName,
  sha256,
  subjectShardName,
  tokenIdHash,
  tokenIdHashOnce,
} from "../../src/state/hash.ts";

// Expected values computed independently with Node's crypto:
//   createHash("sha256").update(s).digest("base64url")
describe("state hashing", () => {
  it("tokenIdHash is base64url(SHA-256) without padding", async () => {
    // FIPS 180-2 "abc" test vector, base64url-encoded.
    expect(await tokenIdHash("abc")).toBe("ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
    expect(await tokenIdHash("_a1b2c3")).toBe("VZDHAc_Zj2QECqP-seySQPO5nciS8lWd26sM8Pmo6T0");
  });

  it("subject shard name is sub: + base64url(SHA-256(\\n subject)): the realm's subject, not the issuer", async () => {
    // The name a deployment without a configured issuer has always used for alice.
    expect(await subjectShardName({ subject: "alice" })).toBe("sub:gLajbTtzsomnCBQOeG-2PhiKTjRvCwqDcZbPfeAlDpc");
  });

  it("replay shard is the first hash byte mod 64, two digits", async () => {
    // SHA-256("ut:alice:nonce-1")[0] = 227 -> 35; SHA-256("jti:demo-client:j-1")[0] = 240 -> 48
    expect(replayShardName(await sha256("ut:alice:nonce-1"))).toBe("replay:35");
    expect(replayShardName(await sha256("jti:demo-client:j-1"))).toBe("replay:48");
    expect(replayShardName(new Uint8Array([3]))).toBe("replay:03");
  });

  describe("remembering", () => {
    afterEach(() => vi.restoreAllMocks());

    it("tokenIdHashOnce gives the same hash, uses a remembered one, and keeps none of its own", async () => {
      const digest = vi.spyOn(crypto.subtle, "digest");
      const id = `once-${crypto.randomUUID()}`;
      const h = await tokenIdHashOnce(id);
      expect(await tokenIdHashOnce(id)).toBe(h);
      expect(digest).toHaveBeenCalledTimes(2); // not remembered: hashed each time
      expect(await tokenIdHash(id)).toBe(h);
      expect(digest).toHaveBeenCalledTimes(3);
      expect(await tokenIdHash(id)).toBe(h);
      expect(await tokenIdHashOnce(id)).toBe(h);
      expect(digest).toHaveBeenCalledTimes(3); // remembered by tokenIdHash, reused by both
      expect(await tokenIdHashOnce("abc")).toBe("ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
    });
  });
});
