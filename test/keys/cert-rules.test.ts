/**
 * Certificate path rules on certificates built field by field (test/helpers/certificates.ts):
 * each case differs from a control that passes in the one property the rule is about, including
 * encodings no CA tool writes.
 */
import { describe, expect, it } from "vitest";
import { toBase64 } from "../../src/bytes.ts";
import { checkCertificatePath, type CertificateTrust, requestorCertificate } from "../../src/keys/cert-path.ts";
import { TAG, bitString, concatBytes, explicit, integer, oid, seq, set, time, tlv } from "../../src/keys/asn1.ts";
import { KEY_USAGE, type ParsedCertificate, parseCertificate } from "../../src/keys/x509.ts";
import {
  CA_EXTENSIONS, type CertificateOptions, EKU, LEAF_EXTENSIONS, authority, basicConstraints, certificate, certificateDer, extendedKeyUsage, extension, keyPair, keyUsage, name,
  nameConstraints,
} from "../helpers/certificates.ts";

const trust = (...authorities: ParsedCertificate[]): CertificateTrust => ({ authorities, pinnedSha256: new Set() });
const check = (end: ParsedCertificate, offered: ParsedCertificate[], t: CertificateTrust) => checkCertificatePath(end, offered, t, new Date());

describe("extendedKeyUsage (RFC 5280 §4.2.1.12)", () => {
  it("a leaf with extendedKeyUsage must allow clientAuth (or any purpose); one without it is accepted", async () => {
    const root = await authority("EKU Root");
    const leaf = (eku: Uint8Array[]) => certificate({ subject: "alice", issuer: root, extensions: [...LEAF_EXTENSIONS, ...eku] });
    for (const ok of [[], [extendedKeyUsage([EKU.clientAuth])], [extendedKeyUsage([EKU.serverAuth, EKU.clientAuth])], [extendedKeyUsage([EKU.any])]]) {
      expect(await check((await leaf(ok)).parsed, [], trust(root.parsed))).toMatchObject({ ok: true });
    }
    for (const bad of [[extendedKeyUsage([EKU.serverAuth])], [extendedKeyUsage([EKU.emailProtection, EKU.codeSigning], true)]]) {
      expect(await check((await leaf(bad)).parsed, [], trust(root.parsed))).toMatchObject({ ok: false, reason: expect.stringMatching(/extended key usage that does not include client authentication/) });
    }
  });

  it("an intermediate's extendedKeyUsage constrains what it issues: without clientAuth, its leaves authenticate nobody", async () => {
    const root = await authority("EKU Root");
    const serverOnly = await certificate({ subject: "Server CA", issuer: root, extensions: [...CA_EXTENSIONS, extendedKeyUsage([EKU.serverAuth])] });
    const clientToo = await certificate({ subject: "Client CA", issuer: root, extensions: [...CA_EXTENSIONS, extendedKeyUsage([EKU.serverAuth, EKU.clientAuth])] });
    const under = async (ca: typeof root) => (await certificate({ subject: "alice", issuer: ca })).parsed;
    expect(await check(await under(clientToo), [clientToo.parsed], trust(root.parsed))).toMatchObject({ ok: true });
    expect(await check(await under(serverOnly), [serverOnly.parsed], trust(root.parsed))).toMatchObject({ ok: false, reason: expect.stringMatching(/intermediate certificate has an extended key usage/) });
    // Configured as the authority itself, the same CA is no anchor for requestors either.
    expect(await check(await under(serverOnly), [], trust(serverOnly.parsed))).toMatchObject({ ok: false });
  });
});

describe("nameConstraints (RFC 5280 §4.2.1.10), which the STS does not apply", () => {
  const permitted = nameConstraints(name("Permitted"));

  it("an intermediate carrying them, critical or not, vouches for nobody: alice is outside its permitted subtree, which OpenSSL and Java's PKIX refuse either way", async () => {
    const root = await authority("NC Root");
    const free = await certificate({ subject: "Free Int", issuer: root, extensions: CA_EXTENSIONS });
    const under = async (ca: typeof root) => (await certificate({ subject: "alice", issuer: ca })).parsed;
    expect(await check(await under(free), [free.parsed], trust(root.parsed))).toMatchObject({ ok: true });
    for (const critical of [false, true]) {
      const limited = await certificate({ subject: "Limited Int", issuer: root, extensions: [...CA_EXTENSIONS, extension("2.5.29.30", permitted, critical)] });
      expect(await check(await under(limited), [limited.parsed], trust(root.parsed)), `critical: ${critical}`).toEqual({
        ok: false,
        reason: "The intermediate certificate has name constraints, which this STS does not apply.",
      });
    }
  });

  it("an authority carrying them is no anchor either; an end certificate's own carry nothing below it and are read, not refused", async () => {
    const limitedRoot = await authority("NC Root", { extensions: [...CA_EXTENSIONS, extension("2.5.29.30", permitted, false)] });
    const leaf = await certificate({ subject: "alice", issuer: limitedRoot });
    expect(await check(leaf.parsed, [], trust(limitedRoot.parsed))).toMatchObject({ ok: false, reason: "The authority certificate has name constraints, which this STS does not apply." });
    const root = await authority("NC Root");
    const odd = await certificate({ subject: "alice", issuer: root, extensions: [...LEAF_EXTENSIONS, extension("2.5.29.30", permitted, true)] });
    expect(await check(odd.parsed, [], trust(root.parsed))).toMatchObject({ ok: true });
  });
});

describe("key strength (src/keys/strength.ts)", () => {
  it("an RSA key under 2,048 bits, the requestor's or an intermediate's, is refused, naming its size", async () => {
    const root = await authority("Strength Root");
    expect(await check((await certificate({ subject: "alice", issuer: root, key: { rsaBits: 2048 } })).parsed, [], trust(root.parsed))).toMatchObject({ ok: true });
    for (const bits of [512, 1024]) {
      const leaf = await certificate({ subject: "alice", issuer: root, key: { rsaBits: bits } });
      expect(await check(leaf.parsed, [], trust(root.parsed))).toMatchObject({ ok: false, reason: `The end certificate has an RSA key of ${bits} bits; at least 2048 are needed.` });
    }
    const weakCa = await certificate({ subject: "Weak CA", issuer: root, key: { rsaBits: 1024 }, extensions: CA_EXTENSIONS });
    const under = await certificate({ subject: "alice", issuer: weakCa });
    expect(await check(under.parsed, [weakCa.parsed], trust(root.parsed))).toMatchObject({ ok: false, reason: expect.stringMatching(/intermediate certificate has an RSA key of 1024 bits/) });
    expect(await check(under.parsed, [], trust(weakCa.parsed))).toMatchObject({ ok: false });
  });
});

describe("malformed extension encodings are refused, not read leniently", () => {
  const unknownCritical = extension("1.2.3.4.7", Uint8Array.of(5, 0), true);

  it("two [3] extension blocks: the second may not replace the first (one block is read, and refused for its unknown critical extension)", async () => {
    const root = await authority("Malformed Root");
    const control = await certificate({ subject: "alice", issuer: root, extensions: [...LEAF_EXTENSIONS, unknownCritical] });
    expect(await check(control.parsed, [], trust(root.parsed))).toMatchObject({ ok: false, reason: expect.stringMatching(/critical extension/) });
    const two = await certificateDer({ subject: "alice", issuer: root, tail: concatBytes([explicit(3, seq(unknownCritical)), explicit(3, seq(...LEAF_EXTENSIONS))]) });
    expect(() => parseCertificate(two.der)).toThrow(/repeated or out of order/);
  });

  it("a critical flag that is not a BOOLEAN (INTEGER 1) is malformed, not 'not critical'; an explicit BOOLEAN FALSE is read as not critical", async () => {
    const root = await authority("Malformed Root");
    const asFalse = await certificate({ subject: "alice", issuer: root, extensions: [...LEAF_EXTENSIONS, extension("1.2.3.4.5", Uint8Array.of(5, 0), false)] });
    expect(await check(asFalse.parsed, [], trust(root.parsed))).toMatchObject({ ok: true });
    const asInteger = await certificateDer({ subject: "alice", issuer: root, extensions: [...LEAF_EXTENSIONS, extension("1.2.3.4.5", Uint8Array.of(5, 0), integer(1))] });
    expect(() => parseCertificate(asInteger.der)).toThrow(/critical/);
  });

  it("a non-critical extension the STS does not read may hold what it likes (OpenSSL and Java ignore it too); a critical or a read one must hold DER", async () => {
    const root = await authority("Malformed Root");
    const text = new TextEncoder().encode("hello");
    const opaque = await certificate({ subject: "alice", issuer: root, extensions: [...LEAF_EXTENSIONS, extension("1.3.6.1.4.1.311.99.1", text, false)] });
    expect(await check(opaque.parsed, [], trust(root.parsed))).toMatchObject({ ok: true });
    const critical = await certificateDer({ subject: "alice", issuer: root, extensions: [...LEAF_EXTENSIONS, extension("2.5.29.17", text, true)] });
    expect(() => parseCertificate(critical.der)).toThrow(/length exceeds data/);
    const eku = await certificateDer({ subject: "alice", issuer: root, extensions: [...LEAF_EXTENSIONS, extension("2.5.29.37", text, false)] });
    expect(() => parseCertificate(eku.der)).toThrow(/length exceeds data/);
  });

  it("the same extension twice is malformed", async () => {
    const root = await authority("Malformed Root");
    const twice = await certificateDer({ subject: "alice", issuer: root, extensions: [...LEAF_EXTENSIONS, LEAF_EXTENSIONS[1]!] });
    expect(() => parseCertificate(twice.der)).toThrow(/appears twice/);
  });
});

describe("path building tries every candidate issuer", () => {
  const HOUR = 3600_000;

  it("an intermediate's expired or not-yet-valid certificate sent before its current one (same name, same key) does not hide it, in either order", async () => {
    const root = await authority("Path Root");
    const key = await keyPair();
    const ca = (o: { notBefore?: Date; notAfter?: Date } = {}) => certificate({ subject: "Path Int", issuer: root, key, extensions: CA_EXTENSIONS, ...o });
    const current = await ca();
    const expired = await ca({ notBefore: new Date(Date.now() - 240 * HOUR), notAfter: new Date(Date.now() - HOUR) });
    const early = await ca({ notBefore: new Date(Date.now() + HOUR) });
    const leaf = (await certificate({ subject: "alice", issuer: current })).parsed;
    for (const offered of [[expired, current], [current, expired], [early, current]]) {
      expect(await check(leaf, offered.map((c) => c.parsed), trust(root.parsed))).toMatchObject({ ok: true });
    }
    // Alone, the old certificate is refused with its reason.
    expect(await check(leaf, [expired.parsed], trust(root.parsed))).toMatchObject({ ok: false, reason: "The intermediate certificate has expired." });
  });

  it("an intermediate cross-certified by an untrusted root, sent first, is passed over for its certificate from the trusted root", async () => {
    const root = await authority("Path Root");
    const stranger = await authority("Stranger Root");
    const key = await keyPair();
    const byStranger = await certificate({ subject: "Cross Int", issuer: stranger, key, extensions: CA_EXTENSIONS });
    const byRoot = await certificate({ subject: "Cross Int", issuer: root, key, extensions: CA_EXTENSIONS });
    const leaf = (await certificate({ subject: "alice", issuer: byRoot })).parsed;
    expect(await check(leaf, [byStranger.parsed, byRoot.parsed], trust(root.parsed))).toMatchObject({ ok: true });
    expect(await check(leaf, [byStranger.parsed], trust(root.parsed))).toMatchObject({ ok: false });
  });

  it("names match as RFC 5280 §7.1 compares them: PrintableString for UTF8String, ASCII case, runs of spaces", async () => {
    const root = await authority("Probe Root CA");
    for (const issuerName of [name("Probe Root CA", TAG.PRINTABLE_STRING), name("probe ROOT ca"), name("  Probe   Root CA ")]) {
      const leaf = await certificate({ subject: "alice", issuer: root, issuerName });
      expect(await check(leaf.parsed, [], trust(root.parsed)), new TextDecoder().decode(issuerName)).toMatchObject({ ok: true });
    }
    const other = await certificate({ subject: "alice", issuer: root, issuerName: name("Probe Root CA2") });
    expect(await check(other.parsed, [], trust(root.parsed))).toMatchObject({ ok: false, reason: expect.stringMatching(/no trusted authority/) });
  });

  it("a self-issued certificate (a CA's new key certified by its old one) does not count against pathLenConstraint (RFC 5280 §6.1.4 (l)); another CA does", async () => {
    const root = await authority("Rollover CA", { extensions: [basicConstraints(true, 0), keyUsage(KEY_USAGE.keyCertSign)] });
    const link = await certificate({ subject: "Rollover CA", issuer: root, extensions: CA_EXTENSIONS });
    expect(link.parsed.subjectName).toBe(link.parsed.issuerName);
    const underLink = (await certificate({ subject: "alice", issuer: link })).parsed;
    expect(await check(underLink, [link.parsed], trust(root.parsed))).toMatchObject({ ok: true });
    const other = await certificate({ subject: "Other CA", issuer: root, extensions: CA_EXTENSIONS });
    const underOther = (await certificate({ subject: "alice", issuer: other })).parsed;
    expect(await check(underOther, [other.parsed], trust(root.parsed))).toEqual({
      ok: false,
      reason: "The authority certificate's pathLenConstraint (0) allows fewer CA certificates below it than the path has.",
    });
  });

  it("at most 4 intermediates are followed: a fifth is refused as a path too long", async () => {
    const root = await authority("Chain Root");
    const chain = [root];
    for (let i = 1; i <= 5; i++) chain.push(await certificate({ subject: `Chain ${i}`, issuer: chain[i - 1], extensions: CA_EXTENSIONS }));
    const under = async (i: number) => (await certificate({ subject: "alice", issuer: chain[i] })).parsed;
    expect(await check(await under(4), chain.slice(1, 5).map((c) => c.parsed), trust(root.parsed))).toMatchObject({ ok: true });
    expect(await check(await under(5), chain.slice(1).map((c) => c.parsed), trust(root.parsed))).toMatchObject({
      ok: false,
      reason: "The certificate path is too long: at most 4 intermediate certificates are followed to a trusted authority.",
    });
  });

  it("the work is bounded: more than 16 same-named candidates before the right one are not all tried", async () => {
    const root = await authority("Path Root");
    const real = await certificate({ subject: "Busy Int", issuer: root, extensions: CA_EXTENSIONS });
    const decoys = await Promise.all(Array.from({ length: 16 }, () => certificate({ subject: "Busy Int", issuer: root, extensions: CA_EXTENSIONS })));
    const leaf = (await certificate({ subject: "alice", issuer: real })).parsed;
    expect(await check(leaf, [...decoys.slice(0, 8), real].map((c) => c.parsed), trust(root.parsed))).toMatchObject({ ok: true });
    expect(await check(leaf, [...decoys, real].map((c) => c.parsed), trust(root.parsed))).toMatchObject({ ok: false, reason: expect.stringMatching(/too many candidate issuers/) });
  });
});

describe("non-conforming certificates are refused (RFC 5280 §4.1)", () => {
  it("extensions in a v1 or v2 certificate: refused, so a v1 'intermediate' carrying basicConstraints is never a CA", async () => {
    const root = await authority("Version Root");
    expect(parseCertificate((await certificateDer({ subject: "alice", issuer: root, version: null, extensions: null })).der).extensions.ca).toBe(false);
    for (const version of [null, 0, 1]) {
      const der = (await certificateDer({ subject: "alice", issuer: root, version })).der;
      expect(() => parseCertificate(der), String(version)).toThrow(/extensions in a certificate that is not v3/);
    }
    const v1Ca = await certificateDer({ subject: "V1 Int", issuer: root, version: null, extensions: CA_EXTENSIONS });
    expect(() => parseCertificate(v1Ca.der)).toThrow(/not v3/);
    const v1Plain = await certificate({ subject: "V1 Int", issuer: root, version: null, extensions: null });
    const under = await certificate({ subject: "alice", issuer: v1Plain });
    expect(await check(under.parsed, [v1Plain.parsed], trust(root.parsed))).toMatchObject({ ok: false, reason: expect.stringMatching(/intermediate certificate is not a CA certificate/) });
  });

  it("a signature algorithm inside the signed part other than the outer one is refused", async () => {
    const root = await authority("Algorithm Root");
    const der = (await certificateDer({ subject: "alice", issuer: root, tbsSignatureAlgorithm: seq(oid("1.2.840.10045.4.3.3")) })).der;
    expect(() => parseCertificate(der)).toThrow(/differs from signatureAlgorithm/);
  });

  it("an impossible date or time (month 13, day 32, 30 February, hour 24, minute 60) is refused, not rolled over", async () => {
    const root = await authority("Date Root");
    const from = time(new Date(Date.now() - 86400_000));
    const at = (text: string) => tlv(TAG.UTC_TIME, new TextEncoder().encode(text));
    expect(parseCertificate((await certificateDer({ subject: "alice", issuer: root, validity: seq(from, at("491231235959Z")) })).der).notAfter.toISOString()).toBe("2049-12-31T23:59:59.000Z");
    for (const bad of ["491332000000Z", "490132000000Z", "490230000000Z", "491231240000Z", "491231236000Z", "491231235960Z"]) {
      const der = (await certificateDer({ subject: "alice", issuer: root, validity: seq(from, at(bad)) })).der;
      expect(() => parseCertificate(der), bad).toThrow(/invalid date or time/);
    }
    const general = (await certificateDer({ subject: "alice", issuer: root, validity: seq(from, tlv(TAG.GENERALIZED_TIME, new TextEncoder().encode("20501301000000Z"))) })).der;
    expect(() => parseCertificate(general)).toThrow(/invalid date or time/);
  });
});

describe("RSASSA-PSS certificate signatures (RFC 4055 §3.1)", () => {
  it("trailerField 1, stated or left to its default, verifies; any other is refused as malformed, naming the rule, pinned or issued", async () => {
    const root = await authority("PSS Root", { key: { rsaBits: 2048 } });
    for (const trailerField of [undefined, 1]) {
      const leaf = await certificate({ subject: "alice", issuer: root, pss: { trailerField } });
      expect(leaf.parsed.signatureAlgorithmOid, String(trailerField)).toBe("1.2.840.113549.1.1.10");
      expect(await check(leaf.parsed, [], trust(root.parsed)), String(trailerField)).toMatchObject({ ok: true });
    }
    for (const trailerField of [2, 0xbc]) {
      // Signed with trailer 0xBC all the same, which is what a verifier that ignores the field checks.
      const der = (await certificateDer({ subject: "alice", issuer: root, pss: { trailerField } })).der;
      const rule = `its RSASSA-PSS trailerField is ${trailerField}; RFC 4055 §3.1 allows only 1 (trailer byte 0xBC)`;
      expect(() => parseCertificate(der), String(trailerField)).toThrow(rule);
      expect(requestorCertificate(toBase64(der))).toBe(`the BinarySecurityToken does not hold a readable X.509 certificate: ${rule}`);
    }
  });
});

describe("a certificate that cannot be used says why", () => {
  const reasonFor = async (o: Omit<CertificateOptions, "subject" | "issuer"> & { subject?: string | Uint8Array }) => {
    const root = await authority("Reason Root");
    return requestorCertificate(toBase64((await certificateDer({ subject: "alice", issuer: root, ...o })).der));
  };
  const READ = "the BinarySecurityToken does not hold a readable X.509 certificate: ";

  it("names an unsupported curve or key algorithm, string type, or a negative serial number", async () => {
    const ecSpki = (curve: string) => seq(seq(oid("1.2.840.10045.2.1"), oid(curve)), bitString(Uint8Array.of(4, ...new Uint8Array(48).fill(7))));
    expect(await reasonFor({ spki: ecSpki("1.2.840.10045.3.1.1") })).toBe(`${READ}its EC curve P-192 (1.2.840.10045.3.1.1) is not supported; P-256, P-384 and P-521 are`);
    expect(await reasonFor({ spki: seq(seq(oid("1.3.101.112")), bitString(new Uint8Array(32))) })).toBe(`${READ}its public key algorithm Ed25519 (1.3.101.112) is not supported; RSA and EC keys are`);
    const bmp = seq(set(seq(oid("2.5.4.3"), tlv(0x1e, Uint8Array.of(0, 0x61, 0, 0x6c)))));
    expect(await reasonFor({ subject: bmp })).toBe(`${READ}its subject common name: a BMPString is not a string type this STS reads (UTF8String, PrintableString and IA5String are)`);
    expect(await reasonFor({ subject: name("alice", 0x14) })).toBe(`${READ}its subject common name: a TeletexString (T61String) is not a string type this STS reads (UTF8String, PrintableString and IA5String are)`);
    expect(await reasonFor({ serial: Uint8Array.of(0xff, 0x01) })).toBe(`${READ}its serial number is negative (RFC 5280 §4.1.2.2 asks for a positive integer)`);
    expect(requestorCertificate(btoa("a certificate, honestly"))).toMatch(/^the BinarySecurityToken does not hold a readable X\.509 certificate: /);
    expect(typeof (await reasonFor({}))).toBe("object");
  });
});
