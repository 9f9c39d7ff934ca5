import { describe, expect, it } from "vitest";
import { DEV_KEY_MATERIALS } from "../../src/config/dev-keys.ts";
import { jwkThumbprint, KeyRing, KeyRingError } from "../../src/keys/keyring.ts";
import { derToPem, pemToDer, toBase64Url } from "../../src/keys/pem.ts";
import { fromBase64Url } from "../../src/bytes.ts";
import { buildSelfSignedCertificate, parseCertificate } from "../../src/keys/x509.ts";
import p256Crt from "../fixtures/vectors/xmldsig11-interop-2012/keys/p256-key.crt.pem?raw";
import rsaCrt from "../fixtures/vectors/xmldsig11-interop-2012/keys/rsa-key.crt.pem?raw";

describe("parseCertificate", () => {
  it("reads the W3C interop certificates (known answers from openssl x509 -text)", () => {
    const rsa = parseCertificate(pemToDer(rsaCrt, "CERTIFICATE"));
    expect(rsa.subjectCommonName).toBe("Test Client (RSA)");
    expect(rsa.kty).toBe("RSA");
    expect(rsa.modulusBits).toBe(1024);
    expect(rsa.notBefore.toISOString()).toBe("2002-04-29T19:16:40.000Z");
    expect(rsa.notAfter.toISOString()).toBe("2012-04-26T19:16:40.000Z");
    expect([...rsa.serialNumber]).toEqual([0x0f, 0x42, 0x41]);
    const ec = parseCertificate(pemToDer(p256Crt, "CERTIFICATE"));
    expect(ec.subjectCommonName).toBe("Johny Q");
    expect(ec.kty).toBe("EC");
    expect(ec.namedCurve).toBe("P-256");
    expect(ec.notAfter.toISOString()).toBe("2014-05-09T10:08:49.000Z");
  });
  it("refuses a truncated certificate", () => {
    const der = pemToDer(rsaCrt, "CERTIFICATE");
    expect(() => parseCertificate(der.subarray(0, der.length - 1))).toThrow(/length exceeds data/);
  });
});

describe("buildSelfSignedCertificate", () => {
  for (const [alg, hash, verifyParams] of [
    [{ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1), hash: "SHA-256" }, "SHA-256", { name: "RSASSA-PKCS1-v1_5" }],
    [{ name: "ECDSA", namedCurve: "P-384" }, "SHA-384", { name: "ECDSA", hash: "SHA-384" }],
  ] as const) {
    it(`builds a parseable, correctly self-signed ${alg.name} certificate`, async () => {
      const pair = (await crypto.subtle.generateKey(alg, true, ["sign", "verify"])) as CryptoKeyPair;
      const notBefore = new Date(Date.UTC(2026, 0, 1));
      const notAfter = new Date(Date.UTC(2036, 0, 1));
      const der = await buildSelfSignedCertificate({ ...pair, commonName: "Ünïcode CN", notBefore, notAfter, hash });
      const c = parseCertificate(der);
      expect(c.subjectCommonName).toBe("Ünïcode CN");
      expect(c.notBefore.getTime()).toBe(notBefore.getTime());
      expect(c.notAfter.getTime()).toBe(notAfter.getTime());
      expect(c.signatureAlgorithmOid).toBe(alg.name === "ECDSA" ? "1.2.840.10045.4.3.3" : "1.2.840.113549.1.1.11");
      expect(c.serialNumber.length).toBe(16);
      // The certificate's public key is the pair's public key.
      const spki = new Uint8Array((await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer);
      expect(toBase64Url(c.spki)).toBe(toBase64Url(spki));
      // Its signature verifies over the TBS (ECDSA: converted from DER back to r||s).
      const { children, parseDer, readBitString } = await import("../../src/keys/asn1.ts");
      const { ecdsaDerToRaw } = await import("../../src/keys/ecdsa-sig.ts");
      const [tbs, , sigNode] = children(parseDer(der));
      let sig = readBitString(sigNode!);
      if (alg.name === "ECDSA") sig = ecdsaDerToRaw(sig, 48);
      expect(await crypto.subtle.verify(verifyParams, pair.publicKey, sig, tbs!.der)).toBe(true);
    });
  }
});

describe("KeyRing", () => {
  it("loads the development keys", async () => {
    const ring = await KeyRing.load(DEV_KEY_MATERIALS);
    const rsa = ring.current("RSA");
    expect(rsa.kty).toBe("RSA");
    expect(rsa.modulusBits).toBe(2048);
    expect(rsa.status).toBe("current");
    expect(ring.current("EC").namedCurve).toBe("P-256");
    expect(ring.current("EC").publicJwk.alg).toBe("ES256");
    expect(ring.published().map((k) => k.status)).toEqual(["current", "current", "next"]);
    expect(ring.byKid(rsa.kid)).toBe(rsa);
    expect(ring.byCertificate(rsa.certificateDer.slice())).toBe(rsa);
    expect(ring.byCertificate(rsa.certificateDer.slice(0, -1))).toBeUndefined();
    expect(parseCertificate(rsa.certificateDer).subjectCommonName).toBe("Edge STS Development Signing (RSA) — NOT FOR PRODUCTION");
    expect(rsa.publicJwk).toMatchObject({ kty: "RSA", e: "AQAB", kid: rsa.kid, use: "sig", x5c: [rsa.certificateBase64] });
  });
  it("computes the RFC 7638 §3.1 thumbprint", async () => {
    const n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    expect(await jwkThumbprint({ kty: "RSA", n, e: "AQAB", alg: "RS256" })).toBe("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  });
  it("computes an OKP key's thumbprint over crv, kty and x (RFC 8037 Appendix A.3)", async () => {
    expect(await jwkThumbprint({ kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" })).toBe("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
  });
  it("takes an RSA n or e written with prepended zero octets as the integer it is (RFC 7518 §6.3.1.1)", async () => {
    const n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    const padded = toBase64Url(new Uint8Array([0, 0, ...fromBase64Url(n)!]));
    expect(await jwkThumbprint({ kty: "RSA", n: padded, e: "AAEAAQ" })).toBe("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  });
  it("derives kid as the RFC 7638 thumbprint and x5t#S256 from the certificate", async () => {
    const ring = await KeyRing.load([{ ...DEV_KEY_MATERIALS[0]! }]);
    const k = ring.current();
    const json = JSON.stringify({ e: k.publicJwk.e, kty: "RSA", n: k.publicJwk.n });
    const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(json)));
    expect(k.kid).toBe(toBase64Url(d));
    const x5t = new Uint8Array(await crypto.subtle.digest("SHA-256", k.certificateDer));
    expect(k.x5tS256).toBe(toBase64Url(x5t));
  });
  it("keeps a configured kid, caches imported keys and signs", async () => {
    const ring = await KeyRing.load([{ ...DEV_KEY_MATERIALS[1]!, kid: "ec-1" }]);
    const k = ring.byKid("ec-1")!;
    expect(await k.privateKeyFor("ES256")).toBe(await k.privateKeyFor("ES256"));
    const data = new TextEncoder().encode("x");
    const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, await k.privateKeyFor("ES256"), data);
    expect(sig.byteLength).toBe(64);
    expect(await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, await k.publicKeyFor("ES256"), sig, data)).toBe(true);
    await expect(k.privateKeyFor("RS256")).rejects.toThrow(KeyRingError);
  });
  it("picks the current key for a JWS alg on the curve RFC 7518 §3.4 pairs with it", async () => {
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const der = await buildSelfSignedCertificate({ ...pair, commonName: "P-384", notBefore: new Date(Date.UTC(2026, 0, 1)), notAfter: new Date(Date.UTC(2036, 0, 1)), hash: "SHA-384" });
    const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
    const p384 = { status: "current" as const, kid: "p384", certificatePem: derToPem(der, "CERTIFICATE"), privateKeyPem: derToPem(pkcs8, "PRIVATE KEY") };
    const ring = await KeyRing.load([...DEV_KEY_MATERIALS, p384]);
    expect(ring.currentFor("ES384").kid).toBe("p384");
    expect(ring.currentFor("ES256").namedCurve).toBe("P-256");
    expect(ring.currentFor("PS256")).toBe(ring.current("RSA"));
    expect(() => ring.currentFor("ES512")).toThrow("no current EC signing key for ES512");
    // A next key on the curve signs nothing yet.
    const next = await KeyRing.load([DEV_KEY_MATERIALS[0]!, { ...p384, status: "next" }]);
    expect(() => next.currentFor("ES384")).toThrow(KeyRingError);
  });
  it("refuses a private key that does not match its certificate, naming the kid", async () => {
    const [a, , c] = DEV_KEY_MATERIALS;
    await expect(KeyRing.load([{ kid: "mismatch", status: "current", privateKeyPem: c!.privateKeyPem!, certificatePem: a!.certificatePem }]))
      .rejects.toThrow("key mismatch: private key does not match its certificate");
  });
  it("refuses a current key without private key, duplicates and bad PEM", async () => {
    const a = DEV_KEY_MATERIALS[0]!;
    await expect(KeyRing.load([{ kid: "k", status: "current", certificatePem: a.certificatePem }])).rejects.toThrow("key k: a current key needs a private key");
    await expect(KeyRing.load([{ ...a, kid: "d" }, { ...a, kid: "d" }])).rejects.toThrow("keys[1].kid: d is also the kid of keys[0]");
    await expect(KeyRing.load([{ kid: "p", status: "previous", certificatePem: derToPem(Uint8Array.of(1), "CERTIFICATE") }])).rejects.toThrow(/^keys\[0\]: key p: bad certificate/);
    const prev = await KeyRing.load([{ status: "previous", certificatePem: a.certificatePem }]);
    expect(() => prev.current()).toThrow(KeyRingError);
    await expect(prev.all()[0]!.privateKeyFor("RS256")).rejects.toThrow(/has no private key/);
  });
});
