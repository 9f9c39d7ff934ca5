/**
 * Signing certificates that expire: which keys an operator is told about, and that the worker
 * tells them once, in its log, when it loads a configuration whose current certificate is close
 * to its end.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { EXPIRY_WARNING_DAYS, expiryNotices } from "../../src/keys/expiry.ts";
import { DEV_CONFIG } from "../../src/config/dev.ts";
import { derToPem } from "../../src/keys/pem.ts";
import { buildSelfSignedCertificate } from "../../src/keys/x509.ts";
import { workerWith } from "../hostile/configured.ts";

const DAY = 86_400_000;
const NOW = new Date("2026-12-05T12:00:00Z");
const key = (status: "current" | "next" | "previous", daysLeft: number, kty: "RSA" | "EC" = "RSA") => ({
  kid: `${status}-${daysLeft}`, status, kty, notAfter: new Date(NOW.getTime() + daysLeft * DAY),
});

describe("expiryNotices", () => {
  it("says nothing while every current certificate has more than the warning period left", () => {
    expect(expiryNotices([key("current", EXPIRY_WARNING_DAYS + 1), key("current", 400, "EC"), key("next", 700)], NOW)).toEqual([]);
  });

  it("warns about a current certificate within the warning period, with its date and days left", () => {
    const [n, ...rest] = expiryNotices([key("current", 10), key("current", 400, "EC")], NOW);
    expect(rest).toEqual([]);
    expect(n).toMatchObject({ level: "warn", event: "key_expiring", kid: "current-10", status: "current", not_after: "2026-12-15T12:00:00.000Z" });
    expect(n!.message).toBe(
      "The current RSA signing certificate (kid current-10) expires on 2026-12-15T12:00:00.000Z, in 10 days: publish its successor as a next key now, so relying parties learn it from metadata before it signs.",
    );
    expect(expiryNotices([key("current", 0.5, "EC")], NOW)[0]!.message).toContain("in 1 day:");
  });

  it("an expired current certificate is an error; an expired next one a warning; previous keys are left alone", () => {
    const notices = expiryNotices([key("current", -1), key("next", -3), key("previous", -100)], NOW);
    expect(notices.map((n) => [n.level, n.event, n.kid])).toEqual([["error", "key_expired", "current--1"], ["warn", "key_expired", "next--3"]]);
    expect(notices[0]!.message).toContain("relying parties that check certificate validity refuse the tokens it signs");
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
    const notices = lines.filter((l) => l.includes('"event":"key_expiring"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ level: "warn", kid: "expiring-ec", status: "current" });
    expect(notices[0]!.message).toMatch(/^The current EC signing certificate \(kid expiring-ec\) expires on .*, in 10 days: publish its successor/);
  });
});
