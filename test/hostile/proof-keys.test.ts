/**
 * Hostile proof-key requests: each is a clear wst:InvalidRequest fault that says what is wrong,
 * never a token and never an internal error.
 */
import { describe, expect, it } from "vitest";
import { NS, TT } from "../helpers/soap.ts";
import { faultCode, trust } from "../helpers/worker.ts";
import { ecKeyInfo, rsaKeyInfo } from "../helpers/key-info.ts";
import { buildSelfSignedCertificate } from "../../src/keys/x509.ts";
import { certificate, extension } from "../helpers/certificates.ts";
import { octetString } from "../../src/keys/asn1.ts";

const DS = "http://www.w3.org/2000/09/xmldsig#";
const DSIG11 = "http://www.w3.org/2009/xmldsig11#";
const alice = { user: "alice", password: "wonderland", appliesTo: "urn:example:secure-rp" };
const SYM = `${NS.t13}/SymmetricKey`;
const PUB = `${NS.t13}/PublicKey`;
const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const entropy = (bytes: number) => `<wst:Entropy><wst:BinarySecret Type="${NS.t13}/Nonce">${b64(new Uint8Array(bytes).fill(1))}</wst:BinarySecret></wst:Entropy>`;

async function refused(o: Parameters<typeof trust>[0], says: string | RegExp): Promise<void> {
  const r = await trust(o);
  expect(r.status, r.text).toBe(400);
  expect(faultCode(r.text)).toBe("wst:InvalidRequest");
  if (typeof says === "string") expect(r.text).toContain(says);
  else expect(r.text).toMatch(says);
  expect(r.text).not.toMatch(/<\w+:(RequestedSecurityToken|EncryptedAssertion|Assertion)\b/);
}

async function publicJwk(alg: { name: string; namedCurve?: string; modulusLength?: number }): Promise<{ pub: JsonWebKey; priv: JsonWebKey }> {
  const params = alg.name === "ECDSA" ? alg : { ...alg, publicExponent: Uint8Array.of(1, 0, 1), hash: "SHA-256" };
  const pair = (await crypto.subtle.generateKey(params as never, true, ["sign", "verify"])) as CryptoKeyPair;
  return { pub: (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey, priv: (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey };
}
const std = (s: string) => s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);

describe("hostile SymmetricKey requests", () => {
  it("entropy shorter than 128 bits, longer than 512 bytes, not base64, or not a BinarySecret", async () => {
    await refused({ ...alice, keyType: SYM, extra: entropy(15) }, "at least 128 bits");
    await refused({ ...alice, keyType: SYM, extra: entropy(513) }, "at most 512 bytes");
    await refused({ ...alice, keyType: SYM, extra: `<wst:Entropy><wst:BinarySecret>@@not base64@@</wst:BinarySecret></wst:Entropy>` }, "not base64");
    await refused(
      { ...alice, keyType: SYM, extra: `<wst:Entropy><xenc:EncryptedKey xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"/></wst:Entropy>` },
      "does not take encrypted entropy",
    );
    await refused({ ...alice, keyType: SYM, extra: `<wst:Entropy><wst:BinarySecret Type="${NS.t13}/AsymmetricKey">${b64(new Uint8Array(32))}</wst:BinarySecret></wst:Entropy>` }, "Type must be");
    await refused({ ...alice, keyType: SYM, extra: entropy(32) + entropy(32) }, "more than once");
  });

  it("entropy with two BinarySecrets, none, or one in another namespace says which", async () => {
    const secret = (ns = NS.t13, prefix = "wst") => `<${prefix}:BinarySecret xmlns:${prefix}="${ns}">${b64(new Uint8Array(32).fill(7))}</${prefix}:BinarySecret>`;
    await refused({ ...alice, keyType: SYM, extra: `<wst:Entropy>${secret()}${secret()}</wst:Entropy>` }, "wst:Entropy must hold exactly one wst:BinarySecret; it holds 2 elements (BinarySecret, BinarySecret).");
    await refused({ ...alice, keyType: SYM, extra: `<wst:Entropy></wst:Entropy>` }, "wst:Entropy must hold exactly one wst:BinarySecret; it holds nothing.");
    await refused(
      { ...alice, keyType: SYM, extra: `<wst:Entropy>${secret("urn:x", "x")}</wst:Entropy>` },
      `wst:Entropy's BinarySecret must be in the request's WS-Trust namespace, ${NS.t13}; it is in the namespace 'urn:x'.`,
    );
    await refused(
      { ...alice, keyType: SYM, extra: `<wst:Entropy>${secret(NS.t05, "t05")}</wst:Entropy>` },
      `wst:Entropy's BinarySecret must be in the request's WS-Trust namespace, ${NS.t13}; it is in the namespace '${NS.t05}'.`,
    );
  });

  it("KeySize out of range, not a whole number of bytes, or not an integer", async () => {
    for (const v of ["64", "120", "520", "1024", "129", "256.0", "-256", "abc", "", "0256x", "99999999999999999999"]) {
      await refused({ ...alice, keyType: SYM, extra: `<wst:KeySize>${v}</wst:KeySize>` }, "wst:KeySize must be");
    }
  });

  it("KeySize 0 is .NET's 'none asked for': a bearer request goes through, a symmetric one gets the default 256 bits", async () => {
    const bearer = await trust({ ...alice, keyType: `${NS.t13}/Bearer`, extra: "<wst:KeySize>0</wst:KeySize>" });
    expect(bearer.status, bearer.text).toBe(200);
    const sym = await trust({ ...alice, keyType: SYM, extra: "<wst:KeySize>0</wst:KeySize>" });
    expect(sym.status, sym.text).toBe(200);
    expect(sym.doc.getElementsByTagNameNS(NS.t13, "KeySize")[0]!.textContent).toBe("256");
  });

  it("KeySize sizes only the symmetric keys the STS makes: with PublicKey it names the requestor's own key, with Bearer nothing", async () => {
    // WS-Trust 1.3 §11.2: KeySize is a request for the proof key's size. A PublicKey request names
    // its own RSA key's (2048 and up), which the 128–512 bits of a symmetric key must not refuse.
    const { pub } = await publicJwk({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048 });
    for (const bits of ["2048", "4096", "256"]) {
      const r = await trust({ ...alice, keyType: PUB, extra: `<wst:UseKey>${rsaKeyInfo(pub)}</wst:UseKey><wst:KeySize>${bits}</wst:KeySize>` });
      expect(r.status, r.text).toBe(200);
      expect(r.text).not.toContain("RequestedProofToken");
    }
    const template = `<wst:SecondaryParameters><wst:KeyType>${PUB}</wst:KeyType><wst:KeySize>2048</wst:KeySize></wst:SecondaryParameters>`;
    const fromTemplate = await trust({ ...alice, extra: `<wst:UseKey>${rsaKeyInfo(pub)}</wst:UseKey>${template}` });
    expect(fromTemplate.status, fromTemplate.text).toBe(200);
    const bearer = await trust({ ...alice, keyType: `${NS.t13}/Bearer`, extra: "<wst:KeySize>2048</wst:KeySize>" });
    expect(bearer.status, bearer.text).toBe(200);
    // The same size for a key the STS makes is still refused, from the request or its template alike.
    await refused({ ...alice, keyType: SYM, extra: "<wst:KeySize>2048</wst:KeySize>" }, "wst:KeySize must be a whole number of bytes in bits, from 128 to 512, for a SymmetricKey proof key; got '2048'.");
    await refused(
      { ...alice, extra: `<wst:SecondaryParameters><wst:KeyType>${SYM}</wst:KeyType><wst:KeySize>2048</wst:KeySize></wst:SecondaryParameters>` },
      "wst:SecondaryParameters/wst:KeySize must be a whole number of bytes in bits",
    );
    // Not a number is refused whatever the key type.
    await refused({ ...alice, keyType: PUB, extra: `<wst:UseKey>${rsaKeyInfo(pub)}</wst:UseKey><wst:KeySize>2048.0</wst:KeySize>` }, "wst:KeySize must be a number of bits (digits only); got '2048.0'.");
  });

  it("an unknown ComputedKeyAlgorithm", async () => {
    await refused({ ...alice, keyType: SYM, extra: entropy(32) + `<wst:ComputedKeyAlgorithm>${NS.t13}/CK/HMAC</wst:ComputedKeyAlgorithm>` }, "only http://docs.oasis-open.org/ws-sx/ws-trust/200512/CK/PSHA1");
    // The other namespace's URI is not this one's.
    await refused({ ...alice, keyType: SYM, extra: entropy(32) + `<wst:ComputedKeyAlgorithm>${NS.t05}/CK/PSHA1</wst:ComputedKeyAlgorithm>` }, "Unsupported wst:ComputedKeyAlgorithm");
  });

  it("a relying party without an encryption certificate, and a JWT, cannot carry a symmetric key", async () => {
    // urn:example:rp allows bearer only: refused by its keyTypes first.
    await refused({ ...alice, appliesTo: "urn:example:rp", keyType: SYM }, "does not accept symmetric proof keys");
    await refused({ ...alice, keyType: SYM, tokenType: TT.jwt }, "A JWT cannot carry a symmetric proof key");
  });

  it("UseKey with SymmetricKey, and an unknown KeyType", async () => {
    const { pub } = await publicJwk({ name: "ECDSA", namedCurve: "P-256" });
    await refused({ ...alice, keyType: SYM, extra: `<wst:UseKey>${ecKeyInfo(pub)}</wst:UseKey>` }, "goes with KeyType PublicKey");
    await refused({ ...alice, keyType: `${NS.t13}/SomethingElse` }, "Unknown KeyType");
  });
});

describe("hostile PublicKey requests", () => {
  it("no UseKey: the STS does not generate key pairs", async () => {
    await refused({ ...alice, keyType: PUB }, "needs wst:UseKey");
  });

  it("weak keys: RSA-1024, and curves other than P-256/384/521 (P-192 named by OID)", async () => {
    const { pub } = await publicJwk({ name: "RSASSA-PKCS1-v1_5", modulusLength: 1024 });
    await refused({ ...alice, keyType: PUB, extra: `<wst:UseKey>${rsaKeyInfo(pub)}</wst:UseKey>` }, "at least 2048 bits (this one has 1024)");
    const p256 = (await publicJwk({ name: "ECDSA", namedCurve: "P-256" })).pub;
    await refused({ ...alice, keyType: PUB, extra: `<wst:UseKey>${ecKeyInfo(p256, "1.2.840.10045.3.1.1")}</wst:UseKey>` }, "must be on P-256, P-384 or P-521");
  });

  it("an RSA modulus that is even (no product of two odd primes), and a certificate not valid now", async () => {
    const { pub } = await publicJwk({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048 });
    const n = Uint8Array.from(atob(std(pub.n!)), (c) => c.charCodeAt(0));
    n[n.length - 1]! &= 0xfe;
    const even = { ...pub, n: btoa(String.fromCharCode(...n)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "") };
    await refused({ ...alice, keyType: PUB, extra: `<wst:UseKey>${rsaKeyInfo(even)}</wst:UseKey>` }, "the RSA modulus is even");
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const day = 86400_000;
    for (const [from, until] of [[-3 * day, -day], [day, 3 * day]]) {
      const der = await buildSelfSignedCertificate({ ...pair, commonName: "device", notBefore: new Date(Date.now() + from!), notAfter: new Date(Date.now() + until!) });
      const bst = `<wsse:BinarySecurityToken ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3">${b64(der)}</wsse:BinarySecurityToken>`;
      const x509Data = `<ds:KeyInfo xmlns:ds="${DS}"><ds:X509Data><ds:X509Certificate>${b64(der)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`;
      for (const useKey of [bst, x509Data]) await refused({ ...alice, keyType: PUB, extra: `<wst:UseKey>${useKey}</wst:UseKey>` }, "wst:UseKey's certificate is not valid now");
    }
  });

  it("private key material in the KeyValue", async () => {
    const { pub, priv } = await publicJwk({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048 });
    const withD = rsaKeyInfo(pub).replace("</ds:Exponent>", `</ds:Exponent><ds:D>${std(priv.d!)}</ds:D><ds:P>${std(priv.p!)}</ds:P>`);
    await refused({ ...alice, keyType: PUB, extra: `<wst:UseKey>${withD}</wst:UseKey>` }, "private key material");
    const ec = await publicJwk({ name: "ECDSA", namedCurve: "P-256" });
    const withEcD = ecKeyInfo(ec.pub).replace("</dsig11:PublicKey>", `</dsig11:PublicKey><dsig11:PrivateKey>${std(ec.priv.d!)}</dsig11:PrivateKey>`);
    await refused({ ...alice, keyType: PUB, extra: `<wst:UseKey>${withEcD}</wst:UseKey>` }, "private key material");
  });

  it("malformed KeyInfo: empty, two keys, bad base64, a point off the curve, a compressed point, garbage certificate", async () => {
    const { pub } = await publicJwk({ name: "ECDSA", namedCurve: "P-256" });
    const good = ecKeyInfo(pub);
    const cases: [string, string | RegExp][] = [
      [`<ds:KeyInfo xmlns:ds="${DS}"/>`, "exactly one key"],
      [good.replace("</ds:KeyValue>", "</ds:KeyValue><ds:KeyName>x</ds:KeyName>"), "exactly one key"],
      [good.replace(/<dsig11:PublicKey>[^<]+/, "<dsig11:PublicKey>%%%"), "not base64"],
      [good.replace(/<dsig11:PublicKey>[^<]+/, `<dsig11:PublicKey>${b64(new Uint8Array([4, ...new Uint8Array(64).fill(9)]))}`), "not a point on its curve"],
      [good.replace(/<dsig11:PublicKey>[^<]+/, `<dsig11:PublicKey>${b64(new Uint8Array([2, ...new Uint8Array(32).fill(9)]))}`), "uncompressed point"],
      [`<ds:KeyInfo xmlns:ds="${DS}"><ds:X509Data><ds:X509Certificate>${b64(new Uint8Array(40).fill(48))}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`, "certificate is malformed"],
      [`<ds:KeyInfo xmlns:ds="${DS}"><ds:KeyValue><ds:DSAKeyValue/></ds:KeyValue></ds:KeyInfo>`, "ds:RSAKeyValue or a dsig11:ECKeyValue"],
      [`<ds:KeyInfo xmlns:ds="${DS}"><ds:KeyValue><dsig11:ECKeyValue xmlns:dsig11="${DSIG11}"><dsig11:ECParameters/><dsig11:PublicKey>AA==</dsig11:PublicKey></dsig11:ECKeyValue></ds:KeyValue></ds:KeyInfo>`, "explicit curve parameters"],
      [`<ds:KeyInfo xmlns:ds="${DS}"><ds:KeyValue><ds:RSAKeyValue><ds:Modulus>AQAB</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue></ds:KeyInfo>`, "at least 2048 bits"],
    ];
    for (const [ki, says] of cases) await refused({ ...alice, keyType: PUB, extra: `<wst:UseKey>${ki}</wst:UseKey>` }, says);
  });

  it("UseKey/@Sig, a SecurityTokenReference, a non-X.509 BinarySecurityToken, or two children", async () => {
    const { pub } = await publicJwk({ name: "ECDSA", namedCurve: "P-256" });
    await refused({ ...alice, keyType: PUB, extra: `<wst:UseKey Sig="#sig-1">${ecKeyInfo(pub)}</wst:UseKey>` }, "UseKey/@Sig is not supported");
    await refused({ ...alice, keyType: PUB, extra: `<wst:UseKey><wsse:SecurityTokenReference><wsse:Reference URI="#bst"/></wsse:SecurityTokenReference></wst:UseKey>` }, "by wsse:SecurityTokenReference is not supported");
    await refused({ ...alice, keyType: PUB, extra: `<wst:UseKey><wsse:BinarySecurityToken ValueType="urn:other">AAAA</wsse:BinarySecurityToken></wst:UseKey>` }, "must be an X.509 certificate");
    await refused({ ...alice, keyType: PUB, extra: `<wst:UseKey>${ecKeyInfo(pub)}${ecKeyInfo(pub)}</wst:UseKey>` }, "exactly one key");
  });
});

describe("ds:X509Data that names more than one certificate, or none", () => {
  it("an X509IssuerSerial, X509SKI or X509SubjectName that is not the X509Certificate's is refused as a contradiction", async () => {
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    // No subjectKeyIdentifier extension: X509SKI is then SHA-1 of the key bits (RFC 5280 §4.2.1.2 (1)).
    const c = await certificate({ subject: "device", key: pair, serial: Uint8Array.of(0x01, 0x00), extensions: null });
    const spkiBits = new Uint8Array((await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer).subarray(-65);
    const ski = b64(new Uint8Array(await crypto.subtle.digest("SHA-1", spkiBits)));
    const cert = `<ds:X509Certificate>${b64(c.der)}</ds:X509Certificate>`;
    const issuerSerial = (issuer: string, serial: string) => `<ds:X509IssuerSerial><ds:X509IssuerName>${issuer}</ds:X509IssuerName><ds:X509SerialNumber>${serial}</ds:X509SerialNumber></ds:X509IssuerSerial>`;
    const useKey = (inner: string) => `<wst:UseKey><ds:KeyInfo xmlns:ds="${DS}"><ds:X509Data>${inner}</ds:X509Data></ds:KeyInfo></wst:UseKey>`;
    // The consistent form is taken, so each refusal below is for its one contradiction.
    const ok = await trust({ ...alice, keyType: PUB, extra: useKey(issuerSerial("CN=device", "256") + `<ds:X509SKI>${ski}</ds:X509SKI><ds:X509SubjectName>cn=device</ds:X509SubjectName>` + cert) });
    expect(ok.status, ok.text).toBe(200);
    const cases: [string, string][] = [
      [issuerSerial("CN=x", "1") + cert, "ds:X509IssuerSerial names another certificate than the ds:X509Certificate beside it"],
      [issuerSerial("CN=device", "257") + cert, "ds:X509IssuerSerial names another certificate"],
      [issuerSerial("CN=other", "256") + cert, "ds:X509IssuerSerial names another certificate"],
      [cert + `<ds:X509SKI>${b64(new Uint8Array(20).fill(7))}</ds:X509SKI>`, "ds:X509SKI names another certificate"],
      [cert + "<ds:X509SubjectName>CN=someone else</ds:X509SubjectName>", "ds:X509SubjectName names another certificate"],
      [issuerSerial("CN=device", "0x100") + cert, "ds:X509SerialNumber must be a decimal integer"],
      [issuerSerial("NOPE=device", "256") + cert, "ds:X509IssuerName is not a distinguished name"],
      ["<ds:X509IssuerSerial><ds:X509IssuerName>CN=device</ds:X509IssuerName></ds:X509IssuerSerial>" + cert, "must hold ds:X509IssuerName and ds:X509SerialNumber only"],
      [issuerSerial("CN=device", "256"), "exactly one ds:X509Certificate"],
      [cert + cert, "exactly one ds:X509Certificate"],
      [cert + "<ds:X509CRL>AAAA</ds:X509CRL>", "not ds:X509CRL"],
    ];
    for (const [inner, says] of cases) await refused({ ...alice, keyType: PUB, extra: useKey(inner) }, says);

    // With a subjectKeyIdentifier extension, X509SKI is its value, whatever method made it.
    const withSki = await certificate({ subject: "device", extensions: [extension("2.5.29.14", octetString(new Uint8Array(20).fill(9)))] });
    const withSkiCert = `<ds:X509Certificate>${b64(withSki.der)}</ds:X509Certificate>`;
    const taken = await trust({ ...alice, keyType: PUB, extra: useKey(withSkiCert + `<ds:X509SKI>${b64(new Uint8Array(20).fill(9))}</ds:X509SKI>`) });
    expect(taken.status, taken.text).toBe(200);
    const keyBits = new Uint8Array((await crypto.subtle.exportKey("spki", withSki.key.publicKey)) as ArrayBuffer).subarray(-65);
    const sha1 = b64(new Uint8Array(await crypto.subtle.digest("SHA-1", keyBits)));
    await refused({ ...alice, keyType: PUB, extra: useKey(withSkiCert + `<ds:X509SKI>${sha1}</ds:X509SKI>`) }, "ds:X509SKI names another certificate");
  });
});

describe("key material that contradicts the KeyType, or comes with none", () => {
  it("KeyType Bearer with a UseKey (any form) or with Entropy is refused, never a bearer token", async () => {
    const { pub } = await publicJwk({ name: "ECDSA", namedCurve: "P-256" });
    for (const [t, ns] of [["13", NS.t13], ["2005", NS.t05]] as const) {
      const bearer = { ...alice, trust: t, keyType: `${ns}/Bearer` };
      for (const useKey of [`<wst:UseKey>${ecKeyInfo(pub)}</wst:UseKey>`, `<wst:UseKey Sig="#x">${ecKeyInfo(pub)}</wst:UseKey>`, "<wst:UseKey>garbage<foo/></wst:UseKey>"]) {
        await refused({ ...bearer, extra: useKey }, "wst:UseKey asks for a token bound to the requestor's key, and KeyType Bearer");
      }
      await refused({ ...bearer, extra: entropy(32).replaceAll(NS.t13, ns) }, "wst:Entropy is for a SymmetricKey proof key, and KeyType Bearer");
    }
    // WS-Trust 2005's other bearer URI alike.
    await refused({ ...alice, trust: "2005", keyType: "http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey", extra: `<wst:UseKey>${ecKeyInfo(pub)}</wst:UseKey>` }, "KeyType Bearer");
  });

  it("no KeyType: a UseKey is read as PublicKey, so a malformed one or UseKey/@Sig is refused as for PublicKey", async () => {
    const { pub } = await publicJwk({ name: "ECDSA", namedCurve: "P-256" });
    await refused({ ...alice, extra: "<wst:UseKey>garbage<foo/></wst:UseKey>" }, "wst:UseKey must hold a ds:KeyInfo or a wsse:BinarySecurityToken");
    await refused({ ...alice, extra: `<wst:UseKey Sig="#x">${ecKeyInfo(pub)}</wst:UseKey>` }, "UseKey/@Sig is not supported");
    // A relying party that takes bearer tokens only refuses the key rather than dropping it.
    await refused({ ...alice, appliesTo: "urn:example:rp", extra: `<wst:UseKey>${ecKeyInfo(pub)}</wst:UseKey>` }, "does not accept public-key proof keys");
    await refused({ ...alice, appliesTo: "urn:example:rp", extra: entropy(32) }, "does not accept symmetric proof keys");
  });

  it("Entropy with a PublicKey proof key (KeyType PublicKey, or a UseKey and no KeyType)", async () => {
    const { pub } = await publicJwk({ name: "ECDSA", namedCurve: "P-256" });
    await refused({ ...alice, keyType: PUB, extra: `<wst:UseKey>${ecKeyInfo(pub)}</wst:UseKey>` + entropy(32) }, "wst:Entropy goes with KeyType SymmetricKey");
    await refused({ ...alice, extra: `<wst:UseKey>${ecKeyInfo(pub)}</wst:UseKey>` + entropy(32) }, "wst:Entropy goes with KeyType SymmetricKey");
  });
});
