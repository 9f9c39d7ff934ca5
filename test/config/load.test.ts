import { beforeEach, describe, expect, it } from "vitest";
import { loadConfig, publishedSecretsOf, resetConfigCache } from "../../src/config/load.ts";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { ConfigError } from "../../src/config/validate.ts";
import { DEV_KEY_MATERIALS } from "../../src/config/dev-keys.ts";
import { base } from "./helpers.ts";

function prod(): Record<string, unknown> {
  const { cfg, env } = base();
  return { ...env, STS_CONFIG: JSON.stringify(cfg) };
}

function errorOf(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

beforeEach(() => resetConfigCache());

describe("loadConfig", () => {
  it("uses the development configuration with STS_DEV_MODE=1 and no STS_CONFIG", () => {
    const c = loadConfig({ STS_DEV_MODE: "1" });
    if (c.mode === "unconfigured") throw new Error("unexpected");
    expect(c.mode).toBe("development");
    expect([...c.users.keys()]).toEqual(["alice", "bob"]);
    expect(c.keys.map((k) => k.certificatePem)).toEqual(DEV_KEY_MATERIALS.map((m) => m.certificatePem.trim()));
  });

  it("accepts STS_DEV_MODE=true and memoises the development configuration", () => {
    const a = loadConfig({ STS_DEV_MODE: "true" });
    expect(a.mode).toBe("development");
    expect(loadConfig({ STS_DEV_MODE: "1" })).toBe(a);
  });

  it("fails closed without STS_CONFIG outside development mode", () => {
    for (const env of [{}, { STS_DEV_MODE: "0" }, { STS_DEV_MODE: "yes" }, { STS_DEV_MODE: "" }]) {
      const c = loadConfig(env);
      expect(c.mode, JSON.stringify(env)).toBe("unconfigured");
      if (c.mode === "unconfigured") expect(c.reason).toContain("STS_CONFIG is not set");
    }
  });

  it("never falls back to development keys when STS_CONFIG is provided", () => {
    const env = { ...prod(), STS_DEV_MODE: "1" };
    const c = loadConfig(env);
    if (c.mode === "unconfigured") throw new Error("unexpected");
    expect(c.mode).toBe("production");
    expect(c.keys.map((k) => k.kid)).toEqual(["rsa1", "ec1"]);
    expect(c.users.has("bob")).toBe(false);
  });

  it("names the bindings of a production configuration that hold secrets the repository publishes, as wrangler trims them", () => {
    // base() signs with the published development key pairs and hashes "demo-secret".
    const c = loadConfig(prod());
    if (c.mode === "unconfigured") throw new Error("unexpected");
    expect([...publishedSecretsOf(c)].sort()).toEqual(["C1_HASH", "EC_KEY", "RSA_KEY", "SVC_HASH"]);
    resetConfigCache();
    const copied = Object.fromEntries(Object.entries(DEV_SECRETS).map(([k, v]) => [k, v.trimEnd()]));
    const dev = loadConfig({ ...copied, STS_CONFIG: JSON.stringify(DEV_CONFIG) });
    if (dev.mode === "unconfigured") throw new Error("unexpected");
    expect(publishedSecretsOf(dev)).toContain("DEV_KEY_0_PRIVATE");
    expect(publishedSecretsOf(dev)).toContain("DEV_ALICE_PASSWORD_HASH");
    expect(publishedSecretsOf(dev)).toContain("DEV_WEB_SESSION_SECRET");
    expect(publishedSecretsOf(dev)).toContain("DEV_REALM2_CAROL_PASSWORD_HASH");
    // The development configuration itself is what it is, said by development_config.
    expect(publishedSecretsOf(loadConfig({ STS_DEV_MODE: "1" }) as never)).toEqual([]);
  });

  it("an invalid STS_CONFIG throws even in development mode", () => {
    const bad = errorOf(() => loadConfig({ STS_DEV_MODE: "1", STS_CONFIG: '{"keys": "s3cr3t' }));
    expect(bad.message).toBe("STS_CONFIG: is not valid JSON: a string is not closed at line 1, column 17");
    expect(bad.message).not.toContain("s3cr3t");
    expect(errorOf(() => loadConfig({ STS_DEV_MODE: "1", STS_CONFIG: " " })).message).toBe(
      "STS_CONFIG: is empty (unset it, or provide the configuration JSON)",
    );
  });

  it("accepts STS_CONFIG as an object (a JSON var)", () => {
    const { cfg, env } = base();
    expect(loadConfig({ ...env, STS_CONFIG: cfg }).mode).toBe("production");
  });

  it("memoises per env object and per configuration text", () => {
    const env = prod();
    const a = loadConfig(env);
    expect(loadConfig(env)).toBe(a);
    // Same text, same secret values, another env object: same result.
    expect(loadConfig({ ...env })).toBe(a);
    // Same text, a different referenced secret: validated again.
    const other = { ...env, ALICE_PW: "broken" };
    expect(errorOf(() => loadConfig(other)).issues).toEqual([
      `STS_CONFIG.users[0].passwordHashSecret: secret binding "ALICE_PW": expected pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>`,
    ]);
    // And the error is memoised for that env too.
    expect(errorOf(() => loadConfig(other)).issues).toHaveLength(1);
  });
});
