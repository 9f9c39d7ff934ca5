import { describe, expect, it } from "vitest";
import { fromBase64, toBase64, utf8 } from "../../src/bytes.ts";
import { loadDecryptionKey, loadEncryptionCertificate } from "../../src/keys/encryption-keys.ts";
import * as A from "../../src/xmlenc/algorithms.ts";
import { decryptElement, type DecryptOptions } from "../../src/xmlenc/decrypt.ts";
import { encryptElement, type EncryptOptions } from "../../src/xmlenc/encrypt.ts";
import { XmlEncError } from "../../src/xmlenc/errors.ts";
import { generatedPair, rootOf, secureRp, text } from "./helpers.ts";

const ELEMENT = `<a:Token xmlns:a="urn:example:token" ID="_t1"><a:Claim>value</a:Claim></a:Token>`;
const CBC_TOO: DecryptOptions = { allowedDataAlgorithms: [A.AES256_GCM, A.AES256_CBC, A.AES128_GCM, A.AES128_CBC] };

async function encrypted(opts: EncryptOptions = {}): Promise<string> {
  return encryptElement(ELEMENT, (await secureRp()).cert, opts);
}

/** The text of the n-th CipherValue (0: the EncryptedKey's, 1: the data's). */
function cipherValue(xml: string, n: number): string {
  return [...xml.matchAll(/<xenc:CipherValue>([^<]*)<\/xenc:CipherValue>/g)][n]![1]!;
}

function withCipherValue(xml: string, n: number, edit: (b: Uint8Array) => Uint8Array): string {
  const old = cipherValue(xml, n);
  return xml.replace(`>${old}<`, `>${toBase64(edit(fromBase64(old)!))}<`);
}

const flip = (at: number, mask = 0x01) => (b: Uint8Array) => {
  const c = b.slice();
  c[at < 0 ? c.length + at : at]! ^= mask;
  return c;
};

async function refusal(xml: string, opts?: DecryptOptions): Promise<XmlEncError> {
  const { key } = await secureRp();
  try {
    await decryptElement(rootOf(xml), key, opts);
  } catch (e) {
    if (e instanceof XmlEncError) return e;
    throw e;
  }
  throw new Error("decrypted: expected a refusal");
}

describe("every cryptographic failure is one and the same error", () => {
  it("flipped, truncated, extended or emptied cipher data; a flipped EncryptedKey; another key", async () => {
    const gcm = await encrypted();
    const cbc = await encrypted({ dataAlgorithm: A.AES256_CBC });
    const { certPem, keyPem } = await generatedPair();
    const otherKey = await loadDecryptionKey(keyPem, certPem);
    // Encrypted for the other party, with no KeyInfo saying so: only the key can tell.
    const forOther = (await encryptElement(ELEMENT, await loadEncryptionCertificate(certPem))).replace(/<ds:KeyInfo><wsse:[\s\S]*?<\/ds:KeyInfo>/, "");
    const cases: [string, string, DecryptOptions?][] = [
      ["GCM: a flipped ciphertext byte", withCipherValue(gcm, 1, flip(20))],
      ["GCM: a flipped tag byte", withCipherValue(gcm, 1, flip(-1))],
      ["GCM: a flipped IV byte", withCipherValue(gcm, 1, flip(0))],
      ["GCM: truncated by one byte", withCipherValue(gcm, 1, (b) => b.subarray(0, b.length - 1))],
      ["GCM: shorter than IV + tag", withCipherValue(gcm, 1, (b) => b.subarray(0, 27))],
      ["GCM: one byte appended", withCipherValue(gcm, 1, (b) => new Uint8Array([...b, 0]))],
      ["GCM: empty CipherValue", withCipherValue(gcm, 1, () => new Uint8Array(0))],
      // The byte of the previous block under the padding length: 1..16 becomes 33..48.
      ["CBC: the padding length out of range", withCipherValue(cbc, 1, flip(-17, 0x20)), CBC_TOO],
      ["CBC: not a whole number of blocks", withCipherValue(cbc, 1, (b) => b.subarray(0, b.length - 1)), CBC_TOO],
      ["CBC: only an IV", withCipherValue(cbc, 1, (b) => b.subarray(0, 16)), CBC_TOO],
      ["EncryptedKey: a flipped byte", withCipherValue(gcm, 0, flip(100))],
      ["EncryptedKey: truncated", withCipherValue(gcm, 0, (b) => b.subarray(0, 255))],
      ["aes256-gcm relabelled aes128-gcm: a 32-byte key for a 16-byte algorithm", gcm.replace(A.AES256_GCM, A.AES128_GCM)],
    ];
    const errors = [];
    for (const [what, xml, opts] of cases) {
      const e = await refusal(xml, opts);
      expect(e.code, what).toBe("DECRYPTION_FAILED");
      errors.push({ code: e.code, message: e.message });
    }
    const e = await refusal(forOther);
    expect(e.code, "encrypted for another key").toBe("DECRYPTION_FAILED");
    errors.push({ code: e.code, message: e.message });
    // The other party's key does decrypt it: the refusal above was the key, nothing else.
    expect(text((await decryptElement(rootOf(forOther), otherKey)).plaintext)).toBe(ELEMENT);
    expect(new Set(errors.map((x) => JSON.stringify(x))).size).toBe(1);
  });

  it("CBC has no integrity: a flipped IV byte decrypts to a different first byte (why CBC is off by default)", async () => {
    const cbc = await encrypted({ dataAlgorithm: A.AES256_CBC });
    const { key } = await secureRp();
    const r = await decryptElement(rootOf(withCipherValue(cbc, 1, flip(0))), key, CBC_TOO);
    expect(r.plaintext[0]).toBe(utf8(ELEMENT)[0]! ^ 0x01);
    expect(text(r.plaintext.subarray(1))).toBe(ELEMENT.slice(1));
  });
});

describe("refusals that need no key say why", () => {
  it("the recipient named in KeyInfo is another certificate → KEY_MISMATCH", async () => {
    const { certPem } = await generatedPair();
    const other = await loadEncryptionCertificate(certPem);
    for (const recipientReference of ["thumbprint", "certificate"] as const) {
      const xml = await encryptElement(ELEMENT, other, { recipientReference });
      expect(await refusal(xml)).toMatchObject({ code: "KEY_MISMATCH", message: "the data is encrypted for another certificate" });
    }
  });

  it("algorithms outside the allow-list → UNSUPPORTED_ALGORITHM", async () => {
    const gcm = await encrypted();
    const cbc = await encrypted({ dataAlgorithm: A.AES256_CBC });
    const oaep = await encrypted({ keyTransport: A.RSA_OAEP });
    const cases: [string, string, DecryptOptions?][] = [
      ["CBC under the default policy", cbc],
      // The backwards-compatibility attack: GCM data relabelled as CBC must not reach a CBC decryption.
      ["GCM relabelled CBC under the default policy", gcm.replace(A.AES256_GCM, A.AES256_CBC)],
      ["an unknown data algorithm", gcm.replace(A.AES256_GCM, "http://www.w3.org/2001/04/xmlenc#tripledes-cbc")],
      ["RSA PKCS#1 v1.5 key transport", gcm.replace(A.RSA_OAEP_MGF1P, A.RSA_1_5)],
      ["a key transport the caller did not allow", oaep, { allowedKeyTransports: [A.RSA_OAEP_MGF1P] }],
      ["GCM when the caller allows only CBC", gcm, { allowedDataAlgorithms: [A.AES256_CBC] }],
      ["mgf1p with a SHA-256 digest (MGF1-SHA1 with SHA-256 is not WebCrypto's OAEP)", gcm.replace("http://www.w3.org/2000/09/xmldsig#sha1", "http://www.w3.org/2001/04/xmlenc#sha256")],
      ["rsa-oaep with SHA-256 and MGF1-SHA1", oaep.replace(A.MGF1_SHA256, A.MGF1_SHA1)],
      ["an unknown MGF", oaep.replace(A.MGF1_SHA256, "http://www.w3.org/2009/xmlenc11#mgf1sha224")],
      ["an OAEP label", gcm.replace("</xenc:EncryptionMethod><ds:KeyInfo>", "<xenc:OAEPparams>AAAA</xenc:OAEPparams></xenc:EncryptionMethod><ds:KeyInfo>")],
    ];
    for (const [what, xml, opts] of cases) {
      expect((await refusal(xml, opts)).code, what).toBe("UNSUPPORTED_ALGORITHM");
    }
  });

  it("cipher data beyond the caller's limit → TOO_LARGE, before any decryption", async () => {
    const gcm = await encrypted();
    expect(await refusal(gcm, { maxCipherBytes: 64 })).toMatchObject({ code: "TOO_LARGE" });
    // The EncryptedKey's 256 bytes pass a 300-byte limit; a 600-byte data value does not.
    const big = await encryptElement(`<a>${"x".repeat(600)}</a>`, (await secureRp()).cert);
    expect(await refusal(big, { maxCipherBytes: 300 })).toMatchObject({ code: "TOO_LARGE" });
    expect((await decryptElement(rootOf(big), (await secureRp()).key, { maxCipherBytes: 700 })).plaintext.length).toBe(607);
  });

  it("structure outside what we read → MALFORMED", async () => {
    const gcm = await encrypted();
    const value = cipherValue(gcm, 1);
    const cases: [string, string][] = [
      ["Type Content", gcm.replace("#Element", "#Content")],
      ["no Type", gcm.replace(` Type="${A.TYPE_ELEMENT}"`, "")],
      ["an Encoding", gcm.replace(" Type=", ' Encoding="http://www.w3.org/2000/09/xmldsig#base64" Type=')],
      ["a CipherReference", gcm.replace(`<xenc:CipherValue>${value}</xenc:CipherValue>`, '<xenc:CipherReference URI="http://attacker.example/x"/>')],
      ["a comment inside CipherValue", gcm.replace(`>${value}<`, `>${value.slice(0, 8)}<!---->${value.slice(8)}<`)],
      ["CipherValue not base64", gcm.replace(`>${value}<`, ">not base64!<")],
      ["EncryptionProperties after CipherData", gcm.replace("</xenc:EncryptedData>", "<xenc:EncryptionProperties/></xenc:EncryptedData>")],
      ["text between children", gcm.replace("<ds:KeyInfo", "text<ds:KeyInfo")],
      ["the content key by KeyName, not EncryptedKey", gcm.replace(/<ds:KeyInfo xmlns:ds="[^"]+">[\s\S]*<\/xenc:EncryptedKey><\/ds:KeyInfo>/, `<ds:KeyInfo xmlns:ds="${A.DSIG_NS}"><ds:KeyName>k</ds:KeyName></ds:KeyInfo>`)],
      ["a wrong KeySize", gcm.replace(`${A.AES256_GCM}"></xenc:EncryptionMethod>`, `${A.AES256_GCM}"><xenc:KeySize>128</xenc:KeySize></xenc:EncryptionMethod>`)],
      ["not EncryptedData at all", ELEMENT],
    ];
    for (const [what, xml] of cases) {
      expect((await refusal(xml)).code, what).toBe("MALFORMED");
    }
  });

  it("accepts what the schema allows and we need not act on: a matching KeySize, ReferenceList, unknown KeyInfo hints", async () => {
    const gcm = await encrypted();
    const { key } = await secureRp();
    const xml = gcm
      .replace(`${A.AES256_GCM}"></xenc:EncryptionMethod>`, `${A.AES256_GCM}"><xenc:KeySize>256</xenc:KeySize></xenc:EncryptionMethod>`)
      .replace("</xenc:EncryptedKey>", '<xenc:ReferenceList><xenc:DataReference URI="#x"/></xenc:ReferenceList><xenc:CarriedKeyName>n</xenc:CarriedKeyName></xenc:EncryptedKey>')
      .replace("<wsse:SecurityTokenReference", '<ds:KeyName>ignored</ds:KeyName><ds:RetrievalMethod URI="http://attacker.example/key"/><wsse:SecurityTokenReference');
    expect(text((await decryptElement(rootOf(xml), key)).plaintext)).toBe(ELEMENT);
  });
});
