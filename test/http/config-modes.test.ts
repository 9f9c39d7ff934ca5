import { afterEach, describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:test";
import { app } from "../../src/http/app.ts";
import { hashPassword } from "../../src/identity/password.ts";
import { resetConfigCache } from "../../src/config/load.ts";
import { buildSelfSignedCertificate } from "../../src/keys/x509.ts";
import { derToPem } from "../../src/keys/pem.ts";
import { DEV_KEY_MATERIALS } from "../../src/config/dev-keys.ts";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { envelope } from "../helpers/soap.ts";

const exec = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;

function issueRequest(): Request {
  const e = envelope({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp", to: "https://sts.example.com/trust/13/usernamemixed" });
  return new Request("https://sts.example.com/trust/13/usernamemixed", { method: "POST", headers: e.headers, body: e.body });
}

async function rsaKeyPem(): Promise<{ key: string; cert: string }> {
  const kp = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const now = new Date();
  const der = await buildSelfSignedCertificate({
    privateKey: kp.privateKey,
    publicKey: kp.publicKey,
    commonName: "Test production key",
    notBefore: now,
    notAfter: new Date(now.getTime() + 86400_000),
  });
  const pk = new Uint8Array((await crypto.subtle.exportKey("pkcs8", kp.privateKey)) as ArrayBuffer);
  return { key: derToPem(pk, "PRIVATE KEY"), cert: derToPem(der, "CERTIFICATE") };
}

afterEach(() => {
  resetConfigCache();
  vi.restoreAllMocks();
});

describe("configuration modes", () => {
  it("a deployed worker without configuration fails closed: no token, 503, and never dev keys; the log says once what to do", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((s: unknown) => void lines.push(String(s)));
    const bare = { TOKEN_STATE: env.TOKEN_STATE, REPLAY_CACHE: env.REPLAY_CACHE };
    const res = await app.fetch(issueRequest(), bare, exec);
    const text = await res.text();
    expect(res.status).toBe(503);
    expect(text).toContain("wst:RequestFailed");
    expect(text).toContain("not configured");
    expect(text).not.toContain("Assertion");
    expect((await app.fetch(new Request("https://sts.example.com/healthz"), bare, exec)).status).toBe(503);
    expect((await app.fetch(new Request("https://sts.example.com/FederationMetadata/2007-06/FederationMetadata.xml"), bare, exec)).status).toBe(503);
    const told = lines.map((l) => JSON.parse(l) as { level?: string; event?: string; message?: string }).filter((l) => l.event === "not_configured");
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ level: "error", message: expect.stringMatching(/^STS_CONFIG is not set, so this worker refuses every request \(503\) until it is\. .*npx wrangler secret put STS_CONFIG < sts-config\.json/) });
  });

  it("an invalid STS_CONFIG is refused and the log names the field", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((s: unknown) => void lines.push(String(s)));
    const bad = { ...env, STS_CONFIG: JSON.stringify({ keys: [], relyingParties: [{ identifier: "urn:x", defaultTokenType: "saml3" }] }) };
    const res = await app.fetch(issueRequest(), bad, exec);
    expect(res.status).toBe(503);
    expect(await res.text()).not.toContain("saml3");
    const log = lines.join("\n");
    expect(log).toContain("config_invalid");
    expect(log).toContain("STS_CONFIG.relyingParties[0].defaultTokenType");
  });

  it("a private key that is not its certificate's, signing or decryption, is a configuration error naming the entry: 503 everywhere, /healthz included", async () => {
    const other = (await import("../fixtures/dev-credentials/secure-rp.key.pem?raw")).default;
    for (const [secret, field] of [["DEV_KEY_0_PRIVATE", "keys[0]"], ["DEV_DECRYPTION_KEY_PRIVATE", "decryptionKeys[0]"]] as const) {
      const lines: string[] = [];
      vi.spyOn(console, "log").mockImplementation((s: unknown) => void lines.push(String(s)));
      const bad = { ...env, ...DEV_SECRETS, STS_CONFIG: JSON.stringify(DEV_CONFIG), [secret]: other };
      for (const req of [new Request("https://sts.example.com/healthz"), issueRequest()]) {
        const res = await app.fetch(req, bad, exec);
        expect(res.status, `${field} ${req.url}`).toBe(503);
        expect(await res.text()).not.toContain("PRIVATE");
      }
      const log = lines.join("\n");
      expect(log).toContain("config_invalid");
      expect(log).toContain(`STS_CONFIG.${field}: `);
      expect(log).toContain("does not match its certificate");
      vi.restoreAllMocks();
      resetConfigCache();
    }
  });

  it("a further realm's private key that is not its certificate's stops the whole worker at its first request, as check-config refuses it", async () => {
    const other = (await import("../fixtures/dev-credentials/secure-rp.key.pem?raw")).default;
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((s: unknown) => void lines.push(String(s)));
    const bad = { ...env, ...DEV_SECRETS, STS_CONFIG: JSON.stringify(DEV_CONFIG), DEV_REALM2_KEY_0_PRIVATE: other };
    // The first realm's requests come first: none of them has touched realm2 before.
    for (const url of ["https://sts.example.com/healthz", "https://sts.example.com/.well-known/oauth-authorization-server", "http://realm2.localhost/healthz"]) {
      const res = await app.fetch(new Request(url), bad, exec);
      expect(res.status, url).toBe(503);
      expect(await res.text()).not.toContain("PRIVATE");
    }
    expect((await app.fetch(issueRequest(), bad, exec)).status).toBe(503);
    const logged = lines.map((l) => JSON.parse(l) as { event?: string; problems?: string[] }).filter((l) => l.event === "config_invalid");
    expect(logged.length).toBeGreaterThan(0);
    expect(logged[0]!.problems).toEqual([expect.stringMatching(/^STS_CONFIG\.realms\[0\]\.keys\[0\]: key [\w-]+: private key does not match its certificate$/)]);
  });

  it("a production configuration signs with its own key, not the development keys, and uses its issuer", async () => {
    const { key, cert } = await rsaKeyPem();
    const config = {
      issuer: "https://sts.example.com",
      keys: [{ status: "current", privateKeySecret: "PROD_KEY", certificateSecret: "PROD_CERT" }],
      users: [{ username: "alice", passwordHashSecret: "ALICE_PW", claims: { email: "alice@example.com" } }],
      relyingParties: [{ identifier: "urn:example:rp", defaultTokenType: "saml2", tokenTypes: ["saml2", "saml1"] }],
    };
    const prod = {
      TOKEN_STATE: env.TOKEN_STATE,
      REPLAY_CACHE: env.REPLAY_CACHE,
      STS_DEV_MODE: "1", // STS_CONFIG wins over dev mode
      STS_CONFIG: JSON.stringify(config),
      PROD_KEY: key,
      PROD_CERT: cert,
      ALICE_PW: await hashPassword("wonderland", { iterations: 10_000 }),
    };
    const res = await app.fetch(issueRequest(), prod, exec);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain("<saml:Issuer>https://sts.example.com</saml:Issuer>");
    const certB64 = cert.replace(/-----[^-]+-----|\s/g, "");
    expect(text).toContain(certB64);
    for (const m of DEV_KEY_MATERIALS) expect(text).not.toContain(m.certificatePem.replace(/-----[^-]+-----|\s/g, "").slice(0, 200));
  });

  it("a production configuration whose secrets are the published development ones is served, and the log says which bindings hold them", async () => {
    const { key, cert } = await rsaKeyPem();
    const config = {
      issuer: "https://sts.example.com",
      keys: [{ status: "current", privateKeySecret: "PROD_KEY", certificateSecret: "PROD_CERT" }],
      users: [{ username: "alice", passwordHashSecret: "ALICE_PW" }],
      relyingParties: [{ identifier: "urn:example:rp", defaultTokenType: "saml2", tokenTypes: ["saml2"] }],
    };
    const logged = async (secrets: Record<string, string>) => {
      const lines: string[] = [];
      vi.spyOn(console, "log").mockImplementation((s: unknown) => void lines.push(String(s)));
      const res = await app.fetch(new Request("https://sts.example.com/healthz"), { TOKEN_STATE: env.TOKEN_STATE, REPLAY_CACHE: env.REPLAY_CACHE, STS_CONFIG: JSON.stringify(config), ...secrets }, exec);
      vi.restoreAllMocks();
      expect(res.status).toBe(200);
      return lines.map((l) => JSON.parse(l) as { event?: string; level?: string; message?: string }).filter((l) => l.event === "published_secret");
    };
    const dev = DEV_KEY_MATERIALS[0]!;
    expect(await logged({ PROD_KEY: dev.privateKeyPem!, PROD_CERT: dev.certificatePem, ALICE_PW: DEV_SECRETS.DEV_ALICE_PASSWORD_HASH! })).toEqual([
      {
        ts: expect.any(String),
        level: "error",
        event: "published_secret",
        message:
          "The secret bindings PROD_KEY, ALICE_PW hold a value published in this repository (the development configuration's keys, password and secret hashes, src/config/dev.ts): " +
          "anyone can sign tokens or sign in with it. Replace each with one of your own (npm run sts -- keys generate, config hash-password, config generate-secret)",
      },
    ]);
    resetConfigCache();
    expect(await logged({ PROD_KEY: key, PROD_CERT: cert, ALICE_PW: await hashPassword("wonderland", { iterations: 10_000 }) })).toEqual([]);
  });

  it("a production configuration without an issuer, or served with STS_DEV_MODE beside it, is served and the log says so once", async () => {
    const { key, cert } = await rsaKeyPem();
    const config = {
      keys: [{ status: "current", privateKeySecret: "PROD_KEY", certificateSecret: "PROD_CERT" }],
      relyingParties: [{ identifier: "urn:example:rp", defaultTokenType: "saml2", tokenTypes: ["saml2"] }],
    };
    const logged = async (bindings: Record<string, unknown>) => {
      resetConfigCache();
      const lines: string[] = [];
      vi.spyOn(console, "log").mockImplementation((s: unknown) => void lines.push(String(s)));
      for (let i = 0; i < 2; i++) {
        const res = await app.fetch(new Request("https://sts.example.com/healthz"), { TOKEN_STATE: env.TOKEN_STATE, REPLAY_CACHE: env.REPLAY_CACHE, PROD_KEY: key, PROD_CERT: cert, ...bindings }, exec);
        expect(res.status).toBe(200);
      }
      vi.restoreAllMocks();
      return lines.map((l) => JSON.parse(l) as { event?: string; level?: string }).filter((l) => l.event === "issuer_unset" || l.event === "dev_mode_ignored").map((l) => `${l.level} ${l.event}`);
    };
    expect(await logged({ STS_CONFIG: JSON.stringify(config), STS_DEV_MODE: "1" })).toEqual(["warn dev_mode_ignored", "warn issuer_unset"]);
    expect(await logged({ STS_CONFIG: JSON.stringify({ ...config, issuer: "https://sts.example.com" }) })).toEqual([]);
  });
});
