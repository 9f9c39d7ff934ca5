import { describe, expect, it } from "vitest";
import { DEV_KEY_MATERIALS } from "../../src/config/dev-keys.ts";
import { toHex } from "../../src/bytes.ts";
import { KeyRing } from "../../src/keys/keyring.ts";
import { pSha1 } from "../../src/keys/psha1.ts";
import { DSIG_NS } from "../../src/xml/dom.ts";
import { addTreeChild, treeElement, writeExclusive } from "../../src/xml/tree-writer.ts";
import * as A from "../../src/xmlenc/algorithms.ts";
import { decryptKey } from "../../src/xmlenc/decrypt.ts";
import { encryptKey } from "../../src/xmlenc/encrypt.ts";
import { signTree } from "../../src/xmldsig/sign.ts";
import { verifyEnveloped } from "../../src/xmldsig/verify.ts";
import { XENC, rootOf, secureRp } from "./helpers.ts";

describe("a standalone EncryptedKey (a proof key for the relying party)", () => {
  for (const keyTransport of [A.RSA_OAEP_MGF1P, A.RSA_OAEP] as const) {
    for (const bytes of [16, 32, 64]) {
      it(`${bytes}-byte key, ${keyTransport.slice(keyTransport.indexOf("#") + 1)}: decrypts to the same key`, async () => {
        const { cert, key } = await secureRp();
        const proofKey = crypto.getRandomValues(new Uint8Array(bytes));
        const ek = await encryptKey(proofKey, cert, { keyTransport });
        expect(ek.qname).toBe("xenc:EncryptedKey");
        const back = await decryptKey(rootOf(writeExclusive(ek)), key);
        expect(toHex(back)).toBe(toHex(proofKey));
      });
    }
  }

  it("a computed key (P_SHA1 of both entropies) survives the trip", async () => {
    const { cert, key } = await secureRp();
    const proof = await pSha1(crypto.getRandomValues(new Uint8Array(32)), crypto.getRandomValues(new Uint8Array(32)), 256);
    expect(toHex(await decryptKey(rootOf(writeExclusive(await encryptKey(proof, cert))), key))).toBe(toHex(proof));
  });

  it("inside a signed token's KeyInfo: the token still verifies and the key decrypts out of it", async () => {
    const { cert, key } = await secureRp();
    const ring = await KeyRing.load(DEV_KEY_MATERIALS);
    const proofKey = crypto.getRandomValues(new Uint8Array(32));
    const token = treeElement("urn:example:token", "t:Token", { ID: "_hok1" });
    addTreeChild(token, "urn:example:token", "t:Issuer", null, "urn:example:sts");
    const confirmation = addTreeChild(token, "urn:example:token", "t:Confirmation");
    addTreeChild(confirmation, DSIG_NS, "ds:KeyInfo").children.push(await encryptKey(proofKey, cert));
    const signed = await signTree(token, { key: ring.current("RSA"), referenceId: "_hok1" });
    const root = rootOf(signed);
    expect((await verifyEnveloped(root, { keys: ring.all() })).ok).toBe(true);
    const ek = root.getElementsByTagNameNS(XENC, "EncryptedKey").item(0)!;
    expect(toHex(await decryptKey(ek, key))).toBe(toHex(proofKey));
  });

  it("refuses an empty key, and one too long for RSA-OAEP on a 2048-bit key (190 bytes with SHA-256, 214 with SHA-1)", async () => {
    const { cert } = await secureRp();
    await expect(encryptKey(new Uint8Array(0), cert)).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(encryptKey(new Uint8Array(191), cert, { keyTransport: A.RSA_OAEP })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    expect((await encryptKey(new Uint8Array(190), cert, { keyTransport: A.RSA_OAEP })).qname).toBe("xenc:EncryptedKey");
    await expect(encryptKey(new Uint8Array(215), cert)).rejects.toMatchObject({ code: "INVALID_INPUT" });
    expect((await encryptKey(new Uint8Array(214), cert)).qname).toBe("xenc:EncryptedKey");
  });

  it("decryptKey refuses what decryptElement would: RSA 1.5, another recipient, a flipped byte", async () => {
    const { cert, key } = await secureRp();
    const xml = writeExclusive(await encryptKey(new Uint8Array(32).fill(7), cert));
    await expect(decryptKey(rootOf(xml.replace(A.RSA_OAEP_MGF1P, A.RSA_1_5)), key)).rejects.toMatchObject({ code: "UNSUPPORTED_ALGORITHM" });
    const value = /<xenc:CipherValue>([^<]+)</.exec(xml)![1]!;
    const flipped = value.slice(0, 10) + (value[10] === "A" ? "B" : "A") + value.slice(11);
    await expect(decryptKey(rootOf(xml.replace(value, flipped)), key)).rejects.toMatchObject({ code: "DECRYPTION_FAILED" });
    const thumb = /ThumbprintSHA1">([^<]+)</.exec(xml)![1]!;
    await expect(decryptKey(rootOf(xml.replace(thumb, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")), key)).rejects.toMatchObject({ code: "KEY_MISMATCH" });
  });
});
