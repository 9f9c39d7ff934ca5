/**
 * Certificate path rules on certificates built field by field (test/helpers/certificates.ts):
 * each case differs from a control that passes in the one property the rule is about, including
 * encodings no CA tool writes.
 */
import { describe, expect, it } from "vitest";
import { checkCertificatePath, type CertificateTrust } from "../../src/keys/cert-path.ts";
import type { ParsedCertificate } from "../../src/keys/x509.ts";
import { CA_EXTENSIONS, EKU, LEAF_EXTENSIONS, authority, certificate, extendedKeyUsage } from "../helpers/certificates.ts";

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
      expect(await check((await leaf(bad)).parsed, [], trust(root.parsed))).toMatchObject({ ok: false, reason: expect.stringMatching(/extended key usage does not include client authentication/) });
    }
  });

  it("an intermediate's extendedKeyUsage constrains what it issues: without clientAuth, its leaves authenticate nobody", async () => {
    const root = await authority("EKU Root");
    const serverOnly = await certificate({ subject: "Server CA", issuer: root, extensions: [...CA_EXTENSIONS, extendedKeyUsage([EKU.serverAuth])] });
    const clientToo = await certificate({ subject: "Client CA", issuer: root, extensions: [...CA_EXTENSIONS, extendedKeyUsage([EKU.serverAuth, EKU.clientAuth])] });
    const under = async (ca: typeof root) => (await certificate({ subject: "alice", issuer: ca })).parsed;
    expect(await check(await under(clientToo), [clientToo.parsed], trust(root.parsed))).toMatchObject({ ok: true });
    expect(await check(await under(serverOnly), [serverOnly.parsed], trust(root.parsed))).toMatchObject({ ok: false, reason: expect.stringMatching(/intermediate certificate's extended key usage/) });
    // Configured as the authority itself, the same CA is no anchor for requestors either.
    expect(await check(await under(serverOnly), [], trust(serverOnly.parsed))).toMatchObject({ ok: false });
  });
});
