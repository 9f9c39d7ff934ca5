import { describe, expect, it } from "vitest";
import {
  Asn1Error, children, integer, oid, parseDer, readOid, readTime, readUnsignedInteger, time,
} from "../../src/keys/asn1.ts";
import { ecdsaDerToRaw, ecdsaRawToDer } from "../../src/keys/ecdsa-sig.ts";
import { derToPem, fromBase64, fromBase64Url, PemError, pemToDer, toBase64, toBase64Url } from "../../src/keys/pem.ts";

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!.map((h) => parseInt(h, 16)));

describe("base64 / PEM", () => {
  it("encodes RFC 4648 §10 test vectors", () => {
    const enc = new TextEncoder();
    expect(toBase64(enc.encode("foobar"))).toBe("Zm9vYmFy");
    expect(toBase64(enc.encode("fo"))).toBe("Zm8=");
    expect(toBase64Url(Uint8Array.of(0xfb, 0xff))).toBe("-_8");
    expect(hex(fromBase64Url("-_8"))).toBe("fbff");
    expect(hex(fromBase64("+/8=\n"))).toBe("fbff");
  });
  it("refuses junk", () => {
    expect(() => fromBase64("ab$d")).toThrow(PemError);
    expect(() => fromBase64("abc")).toThrow(PemError);
    expect(() => fromBase64Url("a")).toThrow(PemError);
  });
  it("round-trips PEM and checks the label", () => {
    const der = Uint8Array.from({ length: 100 }, (_, i) => i);
    const pem = derToPem(der, "CERTIFICATE");
    expect(pem.split("\n")[1]!.length).toBe(64);
    expect(hex(pemToDer(pem, "CERTIFICATE"))).toBe(hex(der));
    expect(() => pemToDer(pem, "PRIVATE KEY")).toThrow(/label is "CERTIFICATE"/);
    expect(() => pemToDer("-----BEGIN RSA PRIVATE KEY-----\nAA==\n-----END RSA PRIVATE KEY-----", "PRIVATE KEY")).toThrow(PemError);
  });
});

describe("DER", () => {
  it("writes and reads known encodings (X.690 examples)", () => {
    expect(hex(oid("1.2.840.113549.1.1.11"))).toBe("06092a864886f70d01010b");
    expect(hex(oid("2.5.29.19"))).toBe("0603551d13");
    expect(readOid(parseDer(unhex("06082a8648ce3d030107")))).toBe("1.2.840.10045.3.1.7");
    expect(hex(integer(0))).toBe("020100");
    expect(hex(integer(128))).toBe("02020080");
    expect(hex(integer(Uint8Array.of(0, 0, 0x7f)))).toBe("02017f");
    expect(hex(time(new Date(Date.UTC(2026, 0, 2, 3, 4, 5))))).toBe(hex(new TextEncoder().encode("\x17\x0d260102030405Z")));
    expect(hex(time(new Date(Date.UTC(2050, 0, 1))))).toBe("180f32303530303130313030303030305a");
    expect(readTime(parseDer(unhex("170d3439313233313233353935395a"))).toISOString()).toBe("2049-12-31T23:59:59.000Z");
    expect(readTime(parseDer(unhex("170d3530303130313030303030305a"))).toISOString()).toBe("1950-01-01T00:00:00.000Z");
  });
  it("refuses non-DER and truncated input with Asn1Error only", () => {
    const bad = [
      "3080", // indefinite length
      "30810100", // non-minimal length
      "3003020100ff", // inner length overflows
      "020100ff", // trailing data
      "1f0100", // high tag number
      "02020001", // non-minimal INTEGER
      "0201ff", // negative
      "30", // truncated
      "",
    ];
    for (const b of bad) {
      expect(() => {
        const n = parseDer(unhex(b || "00").subarray(0, b.length / 2));
        if (n.tag === 0x30) children(n);
        if (n.tag === 0x02) readUnsignedInteger(n);
      }, b).toThrow(Asn1Error);
    }
  });
  it("converts ECDSA signatures between r||s and DER", () => {
    const raw = new Uint8Array(64);
    raw[31] = 1; // r = 1
    raw[32] = 0x80; // s has its high bit set -> needs a sign octet
    const der = ecdsaRawToDer(raw);
    expect(hex(der)).toBe(`3026020101022100${"80" + "00".repeat(31)}`);
    expect(hex(ecdsaDerToRaw(der, 32))).toBe(hex(raw));
    expect(() => ecdsaDerToRaw(der, 16)).toThrow(Asn1Error);
  });
});
