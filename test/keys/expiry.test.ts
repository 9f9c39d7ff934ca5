/**
 * Signing certificates that expire: which keys an operator is told about, and that the worker
 * tells them once, in its log, when it loads a configuration whose current certificate is close
 * to its end.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { type DatedCertificate, EXPIRY_WARNING_DAYS, expiryNotices } from "../../src/keys/expiry.ts";
import { datedCertificates } from "../../src/config/dated-certificates.ts";
import { validateConfig } from "../../src/config/validate.ts";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { KeyRing } from "../../src/keys/keyring.ts";
import { derToPem } from "../../src/keys/pem.ts";
import { buildSelfSignedCertificate } from "../../src/keys/x509.ts";
import { workerWith } from "../hostile/configured.ts";
import { type KeyKind, certificate } from "../helpers/certificates.ts";

const DAY = 86_400_000;
const NOW = new Date("2026-12-05T12:00:00Z");
const cert = (kind: DatedCertificate["kind"], status: DatedCertificate["status"], daysLeft: number, kty?: string, daysUntilValid = -100): DatedCertificate => ({
  kind, label: `${kind}-${status}-${daysLeft}${kty ? `-${kty}` : ""}`, status, ...(kty ? { kty } : {}),
  notBefore: new Date(NOW.getTime() + daysUntilValid * DAY), notAfter: new Date(NOW.getTime() + daysLeft * DAY),
});

describe("expiryNotices", () => {
  it("says nothing while every current certificate has more than the warning period left", () => {
    const all = [cert("signing", "current", EXPIRY_WARNING_DAYS + 1, "RSA"), cert("signing", "next", 700, "EC"), cert("decryption", "current", 90), cert("authority", "current", 400)];
    expect(expiryNotices(all, NOW)).toEqual([]);
  });

  it("warns about a current certificate within the warning period, with its date, days left and what to do", () => {
    const [n, ...rest] = expiryNotices([cert("signing", "current", 10, "RSA"), cert("signing", "current", 400, "EC")], NOW);
    expect(rest).toEqual([]);
    expect(n).toMatchObject({ level: "warn", event: "certificate_expiring", kind: "signing", certificate: "signing-current-10-RSA", status: "current", not_after: "2026-12-15T12:00:00.000Z" });
    expect(n!.message).toBe(
      "The current RSA signing certificate (signing-current-10-RSA) expires on 2026-12-15T12:00:00.000Z, in 10 days: publish its successor as a next key now, so relying parties learn it from metadata before it signs.",
    );
    expect(expiryNotices([cert("decryption", "current", 0.5)], NOW)[0]!.message).toMatch(/^The current decryption certificate \(decryption-current-0.5\) expires on .*, in 1 day: publish its successor as a next decryption key now/);
    expect(expiryNotices([cert("authority", "current", 29)], NOW)[0]!.message).toMatch(/^The requestor CA certificate \(authority-current-29\) expires on .*, in 29 days: add the CA's new certificate to requestorCertificates.authorities before then\.$/);
  });

  it("with a successor already published as next, the advice is to switch to it", () => {
    const [n] = expiryNotices([cert("signing", "current", 10, "RSA"), cert("signing", "next", 700, "EC"), cert("signing", "next", 700, "RSA")], NOW);
    expect(n!.message).toMatch(/in 10 days: its successor \(signing-next-700-RSA\) is published as next: make it current, and this one previous, before then\.$/);
    // A next key of another type, or one that ends no later, is no successor.
    expect(expiryNotices([cert("signing", "current", 10, "RSA"), cert("signing", "next", 5, "RSA")], NOW)[0]!.message).toContain("publish its successor as a next key now");
  });

  it("an expired current certificate is an error saying what breaks; an expired next one a warning; previous ones are left alone", () => {
    const notices = expiryNotices([cert("signing", "current", -1, "EC"), cert("signing", "next", -3, "RSA"), cert("signing", "previous", -100, "RSA"), cert("authority", "current", -2)], NOW);
    expect(notices.map((n) => [n.level, n.event, n.certificate])).toEqual([
      ["error", "certificate_expired", "signing-current--1-EC"], ["warn", "certificate_expired", "signing-next--3-RSA"], ["error", "certificate_expired", "authority-current--2"],
    ]);
    expect(notices[0]!.message).toContain("relying parties that check certificate dates refuse the tokens it signs");
    expect(notices[1]!.message).toContain("The next RSA signing certificate (signing-next--3-RSA) expired on 2026-12-02T12:00:00.000Z before it was used");
    expect(notices[2]!.message).toContain("requestor certificates it issued no longer authenticate");
  });
});

describe("certificates not valid yet, and those of partners and relying parties", () => {
  it("a current certificate not valid yet is an error saying until when and what breaks; a next one a warning not to use it before", () => {
    const notices = expiryNotices([cert("signing", "current", 400, "RSA", 2), cert("signing", "next", 700, "EC", 10), cert("signing", "previous", 700, "EC", 10)], NOW);
    expect(notices.map((n) => [n.level, n.event, n.certificate, n.not_before])).toEqual([
      ["error", "certificate_not_yet_valid", "signing-current-400-RSA", "2026-12-07T12:00:00.000Z"],
      ["warn", "certificate_not_yet_valid", "signing-next-700-EC", "2026-12-15T12:00:00.000Z"],
    ]);
    expect(notices[0]!.message).toBe(
      "The current RSA signing certificate (signing-current-400-RSA) is not valid until 2026-12-07T12:00:00.000Z: until then relying parties that check certificate dates refuse the tokens it signs. Keep a certificate valid now current, and this one next.",
    );
    expect(notices[1]!.message).toBe("The next EC signing certificate (signing-next-700-EC) is not valid until 2026-12-15T12:00:00.000Z: make it current no earlier than that.");
  });

  it("a trusted issuer's pinned certificate: expired, expiring, not valid yet", () => {
    const [expired, expiring, early, ...rest] = expiryNotices([cert("partner", "current", -1), cert("partner", "current", 3), cert("partner", "current", 400, undefined, 1), cert("partner", "current", 400)], NOW);
    expect(rest).toEqual([]);
    expect(expired).toMatchObject({ level: "error", event: "certificate_expired", kind: "partner", certificate: "partner-current--1" });
    expect(expired!.message).toBe("The trusted issuer's certificate (partner-current--1) expired on 2026-12-04T12:00:00.000Z: tokens signed with its key still verify here, but the partner has likely moved to a new certificate: pin that one beside it, then remove this one.");
    expect(expiring).toMatchObject({ level: "warn", event: "certificate_expiring" });
    expect(expiring!.message).toMatch(/in 3 days: pin the partner's new certificate beside it before then/);
    expect(early).toMatchObject({ level: "warn", event: "certificate_not_yet_valid" });
  });

  it("a relying party's encryption certificate: the current one expired or expiring, its own next one as successor", () => {
    const enc = (status: DatedCertificate["status"], daysLeft: number, owner: string): DatedCertificate => ({ ...cert("encryption", status, daysLeft), label: `${owner} ${status}`, owner });
    const [expired, expiring, ...rest] = expiryNotices([enc("current", -2, "urn:a"), enc("current", 5, "urn:b"), enc("next", 700, "urn:a"), enc("previous", -50, "urn:b")], NOW);
    expect(rest).toEqual([]);
    expect(expired).toMatchObject({ level: "error", event: "certificate_expired", kind: "encryption" });
    expect(expired!.message).toMatch(/^The current relying party's encryption certificate \(urn:a current\) expired on .*: a relying party that checks certificate dates may refuse tokens encrypted to it\. Ask it for its new certificate/);
    // urn:a's next certificate is not urn:b's successor.
    expect(expiring!.message).toMatch(/in 5 days: ask the relying party for its new certificate and add it as next/);
    expect(expiryNotices([enc("current", 5, "urn:b"), enc("next", 700, "urn:b")], NOW)[0]!.message).toMatch(/its successor \(urn:b next\) is published as next/);
  });
});

describe("datedCertificates", () => {
  it("lists the development configuration's signing keys, decryption key, requestor CA, partner's and relying party's certificates, each with a label to find it by", async () => {
    const config = validateConfig(DEV_CONFIG, DEV_SECRETS, { mode: "development" });
    const ring = await KeyRing.load(config.keys);
    const dated = datedCertificates(config, ring.all());
    expect(dated.map((d) => [d.kind, d.status])).toEqual([
      ...ring.all().map((k) => ["signing", k.status]), ["decryption", "current"], ["authority", "current"], ["partner", "current"], ["encryption", "current"],
    ]);
    expect(dated.map((d) => d.label).slice(-3)).toEqual([
      expect.stringMatching(/^requestorCertificates\.authorities\[0\], CN=/),
      expect.stringMatching(/^trustedIssuers\[0\]\.certificates\[0\] of urn:example:partner-idp(, CN=.*)?$/),
      expect.stringMatching(/^relyingParties\[2\]\.encryption\.certificates\[0\] of urn:example:secure-rp(, CN=.*)?$/),
    ]);
    // The published development certificates are good for years, from before today.
    for (const d of dated) {
      expect(d.notAfter.getTime()).toBeGreaterThan(Date.now());
      expect(d.notBefore.getTime()).toBeLessThan(Date.now());
    }
  });
});

describe("the worker's log", () => {
  afterEach(() => vi.restoreAllMocks());

  it("names a current signing certificate that expires within the warning period, once, when the configuration is loaded", async () => {
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const der = await buildSelfSignedCertificate({
      privateKey: pair.privateKey, publicKey: pair.publicKey, commonName: "expiring", notBefore: new Date(Date.now() - 300 * DAY), notAfter: new Date(Date.now() + 9.5 * DAY),
    });
    const pk8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
    // This key as the current EC P-256 key; the development one (keys[1]) steps back to previous.
    const dev = DEV_CONFIG.keys.map((k, i) => (i === 1 ? { ...k, status: "previous" } : k));
    const config = { ...DEV_CONFIG, keys: [{ kid: "expiring-ec", status: "current", privateKeySecret: "EXPIRING_KEY", certificate: derToPem(der, "CERTIFICATE") }, ...dev] };
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(" ")));
    const worker = workerWith(config, { EXPIRING_KEY: derToPem(pk8, "PRIVATE KEY") });
    for (let i = 0; i < 2; i++) expect((await worker("/oauth2/jwks")).status, lines.join("\n")).toBe(200);
    const notices = lines.filter((l) => l.includes('"event":"certificate_expiring"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ level: "warn", kind: "signing", certificate: "kid expiring-ec", status: "current" });
    expect(notices[0]!.message).toMatch(/^The current EC signing certificate \(kid expiring-ec\) expires on .*, in 10 days: publish its successor/);
  });

  it("names a current signing certificate not valid yet, an expired partner certificate and an expired relying-party encryption certificate", async () => {
    const made = async (name: string, notBefore: number, notAfter: number, key?: KeyKind) => certificate({ subject: name, key, notBefore: new Date(Date.now() + notBefore * DAY), notAfter: new Date(Date.now() + notAfter * DAY) });
    const future = await made("future", 2, 400);
    const partner = await made("partner", -400, -1, { rsaBits: 2048 });
    const rp = await made("rp", -400, -3, { rsaBits: 2048 });
    const dev = DEV_CONFIG.keys.map((k, i) => (i === 1 ? { ...k, status: "previous" } : k));
    const config = {
      ...DEV_CONFIG,
      keys: [{ kid: "future-ec", status: "current", privateKeySecret: "FUTURE_KEY", certificate: future.pem }, ...dev],
      trustedIssuers: [...(DEV_CONFIG.trustedIssuers ?? []), { issuer: "urn:example:old-partner", kind: "saml", certificates: [partner.pem] }],
      relyingParties: [...DEV_CONFIG.relyingParties, { identifier: "urn:example:old-rp", defaultTokenType: "saml2", encryption: { certificates: [{ certificate: rp.pem, status: "current" }] } }],
    };
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(" ")));
    const worker = workerWith(config, { FUTURE_KEY: future.keyPem });
    expect((await worker("/oauth2/jwks")).status, lines.join("\n")).toBe(200);
    const notices = lines.filter((l) => /"event":"certificate_(expired|not_yet_valid)"/.test(l)).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(notices.map((n) => [n.level, n.event, n.kind, n.certificate])).toEqual([
      ["error", "certificate_not_yet_valid", "signing", "kid future-ec"],
      ["error", "certificate_expired", "partner", "trustedIssuers[1].certificates[0] of urn:example:old-partner, CN=partner"],
      ["error", "certificate_expired", "encryption", `relyingParties[${DEV_CONFIG.relyingParties.length}].encryption.certificates[0] of urn:example:old-rp, CN=rp`],
    ]);
  });
});
