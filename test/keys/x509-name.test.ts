/**
 * Distinguished names written as strings (RFC 4514, as ds:X509IssuerName and ds:X509SubjectName
 * carry them) read into the form certificate Names are compared in, against Names OpenSSL wrote
 * (the development credentials) and Names built here field by field.
 */
import { describe, expect, it } from "vitest";
import { TAG, oid, parseDer, printableString, seq, set, tlv, utf8String } from "../../src/keys/asn1.ts";
import { pemToDer } from "../../src/keys/pem.ts";
import { parseCertificate } from "../../src/keys/x509.ts";
import { comparableName, comparableNameFromString } from "../../src/keys/x509-name.ts";
import ALICE_CERT from "../fixtures/dev-credentials/alice-client.cert.pem?raw";

const alice = parseCertificate(pemToDer(ALICE_CERT, "CERTIFICATE"));
const atv = (type: string, value: Uint8Array) => seq(oid(type), value);

describe("comparableNameFromString", () => {
  it("names OpenSSL's Names the way RFC 4514 and .NET write them: last RDN first, keywords or OIDs in any case, spaces after separators", () => {
    for (const s of [
      "CN=Edge STS Development CA,O=Edge STS development",
      "CN=Edge STS Development CA, O=Edge STS development",
      "cn = edge sts development ca , o = EDGE STS DEVELOPMENT",
      "2.5.4.3=Edge STS Development CA,OID.2.5.4.10=Edge STS development",
      "CN=\\45dge STS Development CA,O=Edge\\ STS development",
      'CN="Edge STS Development CA",O=Edge STS development',
      "CN=Edge STS Development CA\\ ,O=Edge STS development",
    ]) {
      expect(comparableNameFromString(s), s).toBe(alice.issuerName);
    }
    expect(comparableNameFromString("CN=alice,O=Edge STS development")).toBe(alice.subjectName);
  });

  it("tells Names apart: another order, value, attribute or number of RDNs", () => {
    for (const s of ["O=Edge STS development,CN=Edge STS Development CA", "CN=Edge STS Development CA", "CN=Edge STS Development CA,O=Edge STS", "CN=Edge STS Development CA,OU=Edge STS development", "CN=Edge STS Development CA+O=Edge STS development"]) {
      expect(comparableNameFromString(s), s).not.toBe(alice.issuerName);
    }
  });

  it("multi-valued RDNs in any order, escaped separators, UTF-8 escapes and #hex BER values", () => {
    const name = seq(
      set(atv("2.5.4.6", printableString("DE"))),
      set(atv("2.5.4.10", utf8String("Müller, Söhne + Co")), atv("2.5.4.11", utf8String("R&D"))),
      set(atv("1.2.840.113549.1.9.1", tlv(TAG.IA5_STRING, new TextEncoder().encode("a@example.com")))),
    );
    const expected = comparableName(parseDer(name));
    for (const s of [
      "E=a@example.com,O=Müller\\, Söhne \\+ Co+OU=R&D,C=DE",
      "EMAILADDRESS=a@example.com,OU=R&D+O=M\\C3\\BCller\\, S\\C3\\B6hne \\+ Co,C=DE",
      "1.2.840.113549.1.9.1=#160d61406578616d706c652e636f6d,O=Müller\\, Söhne \\+ Co+OU=R&D,C=#13024445",
    ]) {
      expect(comparableNameFromString(s), s).toBe(expected);
    }
  });

  it("is undefined for what it cannot read: an unknown keyword, no '=', a dangling escape, bad hex or bad UTF-8", () => {
    for (const s of ["XYZ=a", "CN", "CN=a\\", "CN=#zz", "CN=#0c", "CN=\\ff"]) expect(comparableNameFromString(s), s).toBeUndefined();
  });

  it("reads at most 64 attribute values: a sender's 160,000-value name is refused, not decoded value by value", () => {
    // 64 values, in RDNs and inside one multi-valued RDN, are still names.
    const rdns = Array.from({ length: 64 }, (_, i) => set(atv("2.5.4.11", utf8String(`u${i}`))));
    expect(comparableNameFromString(Array.from({ length: 64 }, (_, i) => `OU=u${63 - i}`).join(","))).toBe(comparableName(parseDer(seq(...rdns))));
    expect(comparableNameFromString(Array.from({ length: 64 }, (_, i) => `OU=u${i}`).join("+"))).toBeDefined();
    expect(comparableNameFromString(Array.from({ length: 65 }, (_, i) => `OU=u${i}`).join(","))).toBeUndefined();
    expect(comparableNameFromString("OU=a+".repeat(64) + "OU=b")).toBeUndefined();
    // A sender's 160,001-value name is refused like any name past 64 values.
    expect(comparableNameFromString("CN=a,".repeat(160_000) + "CN=a")).toBeUndefined();
  });
});
