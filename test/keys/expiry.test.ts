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

const DAY = 86_400_000;
const NOW = new Date("2026-12-05T12:00:00Z");
const cert = (kind: DatedCertificate["kind"], status: DatedCertificate["status"], daysLeft: number, kty?: string): DatedCertificate => ({
  kind, label: `${kind}-${status}-${daysLeft}${kty ? `-${kty}` : ""}`, status, ...(kty ? { kty } : {}), notAfter: new Date(NOW.getTime() + daysLeft * DAY),
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

describe("datedCertificates", () => {
  it("lists the development configuration's signing keys, decryption key and requestor CA, each with a label to find it by", async () => {
    const config = validateConfig(DEV_CONFIG, DEV_SECRETS, { mode: "development" });
    const ring = await KeyRing.load(config.keys);
    const dated = datedCertificates(config, ring.all());
    expect(dated.map((d) => [d.kind, d.status])).toEqual([...ring.all().map((k) => ["signing", k.status]), ["decryption", "current"], ["authority", "current"]]);
    expect(dated.at(-1)!.label).toMatch(/^requestorCertificates\.authorities\[0\], CN=/);
    for (const d of dated) expect(d.notAfter.getTime()).toBeGreaterThan(Date.now()); // the published development certificates are good for years
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
});
