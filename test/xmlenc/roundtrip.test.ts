import { describe, expect, it } from "vitest";
import { DEV_KEY_MATERIALS } from "../../src/config/dev-keys.ts";
import { toBase64, utf8 } from "../../src/bytes.ts";
import { KeyRing } from "../../src/keys/keyring.ts";
import { buildSaml2Assertion } from "../../src/saml/saml2.ts";
import { assertionInput } from "../helpers/assertion-input.ts";
import { childElements, DSIG_NS, WSSE_NS } from "../../src/xml/dom.ts";
import * as A from "../../src/xmlenc/algorithms.ts";
import { decryptElement } from "../../src/xmlenc/decrypt.ts";
import { encryptElement, type RecipientReference } from "../../src/xmlenc/encrypt.ts";
import { verifyEnveloped } from "../../src/xmldsig/verify.ts";
import { rootOf, secureRp, text, XENC } from "./helpers.ts";

const ELEMENT = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_e1" Version="2.0">
  <saml:Issuer>urn:example:sts</saml:Issuer>\r\n<saml:AttributeValue>zoë &amp; 日本 \u{1F600} &lt;x/&gt;</saml:AttributeValue><empty></empty><self/>
</saml:Assertion>`;

const DATA = [A.AES256_GCM, A.AES256_CBC, A.AES128_GCM, A.AES128_CBC] as const;
const TRANSPORTS = [A.RSA_OAEP_MGF1P, A.RSA_OAEP] as const;
const REFERENCES: RecipientReference[] = ["thumbprint", "certificate"];
const ALL_DATA = { allowedDataAlgorithms: [...DATA] };
const short = (uri: string) => uri.slice(uri.indexOf("#") + 1);

describe("encryptElement → decryptElement, every algorithm combination", () => {
  for (const data of DATA) {
    for (const kt of TRANSPORTS) {
      for (const ref of REFERENCES) {
        it(`${short(data)} × ${short(kt)} × ${ref}: the decrypted octets are the input octets`, async () => {
          const { cert, key } = await secureRp();
          const xml = await encryptElement(ELEMENT, cert, { dataAlgorithm: data, keyTransport: kt, recipientReference: ref });
          const r = await decryptElement(rootOf(xml), key, ALL_DATA);
          expect(r.dataAlgorithm).toBe(data);
          expect(r.keyTransport).toBe(kt);
          // Byte for byte, CR included: nothing is re-serialized on either side.
          expect(r.plaintext).toEqual(utf8(ELEMENT));
        });
      }
    }
  }

  it("takes the element as bytes as well, and returns them unchanged", async () => {
    const { cert, key } = await secureRp();
    const bytes = utf8(ELEMENT);
    const r = await decryptElement(rootOf(await encryptElement(bytes, cert)), key);
    expect(r.plaintext).toEqual(bytes);
  });
});

describe("what encryptElement writes", () => {
  it("defaults: aes256-gcm, rsa-oaep-mgf1p with SHA-1, the recipient by ThumbprintSHA1; self-contained namespaces", async () => {
    const { cert } = await secureRp();
    const xml = await encryptElement(ELEMENT, cert);
    const ed = rootOf(xml);
    expect(ed.namespaceURI).toBe(XENC);
    expect(ed.localName).toBe("EncryptedData");
    expect(ed.getAttribute("Type")).toBe(A.TYPE_ELEMENT);
    const [method, keyInfo, cipherData] = childElements(ed);
    expect(method!.getAttribute("Algorithm")).toBe(A.AES256_GCM);
    expect(keyInfo!.namespaceURI).toBe(DSIG_NS);
    const [ek] = childElements(keyInfo!);
    expect(ek!.localName).toBe("EncryptedKey");
    const [ekMethod, ekKeyInfo] = childElements(ek!);
    expect(ekMethod!.getAttribute("Algorithm")).toBe(A.RSA_OAEP_MGF1P);
    const [digest, ...rest] = childElements(ekMethod!);
    expect(digest!.getAttribute("Algorithm")).toBe("http://www.w3.org/2000/09/xmldsig#sha1");
    expect(rest).toEqual([]);
    const keyId = childElements(childElements(ekKeyInfo!, WSSE_NS, "SecurityTokenReference")[0]!)[0]!;
    expect(keyId.getAttribute("ValueType")).toBe(A.THUMBPRINT_SHA1);
    expect(keyId.textContent).toBe(toBase64(cert.thumbprintSha1));
    // 12-byte IV + ciphertext (as long as the plaintext) + 16-byte tag.
    const value = childElements(cipherData!)[0]!.textContent!;
    expect(atob(value).length).toBe(12 + utf8(ELEMENT).length + 16);
  });

  it("xmlenc11#rsa-oaep names SHA-256 and MGF1-SHA256; certificate reference carries the certificate", async () => {
    const { cert } = await secureRp();
    const ed = rootOf(await encryptElement(ELEMENT, cert, { keyTransport: A.RSA_OAEP, recipientReference: "certificate", dataAlgorithm: A.AES256_CBC }));
    const ek = childElements(childElements(ed)[1]!)[0]!;
    const [method, keyInfo] = childElements(ek);
    expect(childElements(method!).map((e) => [e.namespaceURI, e.localName, e.getAttribute("Algorithm")])).toEqual([
      [DSIG_NS, "DigestMethod", "http://www.w3.org/2001/04/xmlenc#sha256"],
      [A.XENC11_NS, "MGF", A.MGF1_SHA256],
    ]);
    expect(childElements(childElements(keyInfo!)[0]!)[0]!.textContent).toBe(cert.certificateBase64);
    // 16-byte IV + PKCS#7-padded ciphertext: the next multiple of 16 above the plaintext length.
    const n = utf8(ELEMENT).length;
    expect(atob(childElements(childElements(ed)[2]!)[0]!.textContent!).length).toBe(16 + (Math.floor(n / 16) + 1) * 16);
  });

  it("every call uses a fresh content key and IV: the same input never encrypts the same way twice", async () => {
    const { cert } = await secureRp();
    const a = rootOf(await encryptElement(ELEMENT, cert));
    const b = rootOf(await encryptElement(ELEMENT, cert));
    const values = (ed: typeof a) => {
      const list = ed.getElementsByTagNameNS(XENC, "CipherValue");
      return Array.from({ length: list.length }, (_, i) => list.item(i)!.textContent);
    };
    const [ka, da] = values(a);
    const [kb, db] = values(b);
    expect(ka).not.toBe(kb);
    expect(da!.slice(0, 16)).not.toBe(db!.slice(0, 16)); // the IV
  });

  it("refuses what is not one element, and unknown algorithms", async () => {
    const { cert } = await secureRp();
    for (const bad of ['<?xml version="1.0"?><a/>', "text", "<a/> trailing", "<!-- c --><a/>", ""]) {
      await expect(encryptElement(bad, cert)).rejects.toMatchObject({ code: "INVALID_INPUT" });
    }
    await expect(encryptElement(ELEMENT, cert, { dataAlgorithm: "http://www.w3.org/2001/04/xmlenc#tripledes-cbc" })).rejects.toMatchObject({ code: "UNSUPPORTED_ALGORITHM" });
    await expect(encryptElement(ELEMENT, cert, { keyTransport: A.RSA_1_5 as typeof A.RSA_OAEP })).rejects.toMatchObject({ code: "UNSUPPORTED_ALGORITHM" });
  });
});

describe("a signed assertion, encrypted and decrypted, still verifies", () => {
  it("SAML 2.0 assertion signed by the key ring (exclusive c14n form), aes256-gcm and aes256-cbc", async () => {
    const ring = await KeyRing.load(DEV_KEY_MATERIALS);
    const signed = await buildSaml2Assertion(
      assertionInput({
        at: new Date(Date.UTC(2026, 11, 4, 12)),
        audience: "urn:example:secure-rp",
        claims: { email: ["alice@example.com"], given_name: ["Alice"] },
      }),
      ring,
    );
    const { cert, key } = await secureRp();
    for (const dataAlgorithm of [A.AES256_GCM, A.AES256_CBC]) {
      const encrypted = await encryptElement(signed, cert, { dataAlgorithm });
      expect(encrypted).not.toContain("alice@example.com");
      const { plaintext } = await decryptElement(rootOf(encrypted), key, ALL_DATA);
      expect(text(plaintext)).toBe(signed);
      const v = await verifyEnveloped(rootOf(text(plaintext)), { keys: ring.all() });
      expect(v.ok).toBe(true);
    }
  });
});
