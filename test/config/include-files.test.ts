/**
 * Sections read from files bundled at deploy time (src/config/include.ts): `{ "$file": NAME }`,
 * `{ "$files": [...] }` and the whole STS_CONFIG as `{ "$file": NAME }`, with the file map
 * injected as the worker's build would give it.
 */
import { describe, expect, it } from "vitest";
import { DEV_REALM2_KEY_MATERIALS } from "../../src/config/dev-realm2.ts";
import { ConfigError, validateConfig } from "../../src/config/validate.ts";
import type { BundledFiles } from "../../src/config/include.ts";
import { P384_PKCS8, base } from "./helpers.ts";

const R = "STS_CONFIG";
const party = (i: number) => ({ identifier: `urn:example:rp:${i}`, defaultTokenType: i % 2 ? "jwt" : "saml2" });
const parties = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => party(from + k));

function issuesOf(cfg: unknown, env: Record<string, unknown>, files: BundledFiles): readonly string[] {
  try {
    validateConfig(cfg, env, { files });
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
}

/** `base()` with its relying parties rp:0 … rp:9 in three files (4, 3 and 3). */
function split() {
  const { cfg, env } = base();
  cfg.relyingParties = { $files: ["rps/1.json", "rps/2.json", "rps/3.json"] };
  cfg.oauthClients[0].allowedAudiences = ["urn:example:rp:5"];
  cfg.serviceAccounts[0].allowedRelyingParties = ["urn:example:rp:9"];
  const files: Record<string, string> = {
    "rps/1.json": JSON.stringify(parties(0, 4)),
    "rps/2.json": JSON.stringify(parties(4, 7)),
    "rps/3.json": JSON.stringify(parties(7, 10)),
  };
  return { cfg, env, files };
}

describe("sections in bundled files ($file, $files)", () => {
  it("$files is the concatenation of the files' arrays in the order listed", () => {
    const { cfg, env, files } = split();
    const c = validateConfig(cfg, env, { files });
    expect(c.relyingParties.map((r) => r.identifier)).toEqual(parties(0, 10).map((p) => p.identifier));
    expect(c.oauthClients.get("c1")!.allowedAudiences).toEqual(["urn:example:rp:5"]);
    cfg.relyingParties = { $files: ["rps/3.json", "rps/1.json", "rps/2.json"] };
    expect(validateConfig(cfg, env, { files }).relyingParties.map((r) => r.identifier)).toEqual([7, 8, 9, 0, 1, 2, 3, 4, 5, 6].map((i) => `urn:example:rp:${i}`));
  });

  it("gives the same configuration as the sections inline, every section from a file, or from files beside bindings", () => {
    const { cfg, env } = base();
    const inline = validateConfig(cfg, env);
    const files: Record<string, string> = {};
    const filed: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(cfg)) {
      files[`${key}.json`] = JSON.stringify(value);
      filed[key] = { $file: `${key}.json` };
    }
    expect(validateConfig(filed, env, { files })).toEqual(inline);
    const mixed = { ...filed, users: { $binding: "USERS" } };
    expect(validateConfig(mixed, { ...env, USERS: JSON.stringify(cfg.users) }, { files })).toEqual(inline);
  });

  it("the whole STS_CONFIG may be a file, whose sections may come from files and bindings in turn", () => {
    const { cfg, env, files } = split();
    const inline = validateConfig(cfg, env, { files });
    const whole = { ...files, "sts-config.json": JSON.stringify({ ...cfg, users: { $binding: "USERS" } }) };
    expect(validateConfig({ $file: "sts-config.json" }, { ...env, USERS: cfg.users }, { files: whole })).toEqual(inline);
  });

  it("names an element's index in the whole section, its file and its index there", () => {
    const { cfg, env, files } = split();
    const two = parties(4, 7) as Record<string, unknown>[];
    two[1]!.defaultTokenType = "saml3";
    const issues = issuesOf(cfg, env, { ...files, "rps/2.json": JSON.stringify(two) });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^STS_CONFIG\.relyingParties\[5\]\.defaultTokenType \(file rps\/2\.json, element 1\): /);
    // One file for a section: its name, and the section's own index.
    cfg.relyingParties = { $file: "rps/2.json" };
    cfg.oauthClients[0].allowedAudiences = ["urn:example:rp:4"];
    cfg.serviceAccounts[0].allowedRelyingParties = ["urn:example:rp:4"];
    expect(issuesOf(cfg, env, { ...files, "rps/2.json": JSON.stringify(two) })[0]).toMatch(/^STS_CONFIG\.relyingParties\[1\]\.defaultTokenType \(file rps\/2\.json, element 1\): /);
    cfg.relyingParties = { $file: "rps/2.json" };
    expect(issuesOf(cfg, env, { ...files, "rps/2.json": '{"identifier": "urn:x"}' })[0]).toBe(`${R}.relyingParties (file rps/2.json): expected an array, got an object`);
    // The whole configuration in a file: every message names it.
    const whole = { "sts-config.json": JSON.stringify({ ...base().cfg, issuer: 3 }) };
    expect(issuesOf({ $file: "sts-config.json" }, env, whole)).toEqual([`${R}.issuer (file sts-config.json): expected a string, got 3`]);
  });

  it("a file that is not bundled: says which files are", () => {
    const { cfg, env, files } = split();
    cfg.relyingParties = { $files: ["rps/1.json", "rps/4.json"] };
    expect(issuesOf(cfg, env, files)).toEqual([
      `${R}.relyingParties.$files[1]: file "rps/4.json" is not bundled with this worker: the bundled files are rps/1.json, rps/2.json, rps/3.json; add it to the configuration directory and deploy again`,
    ]);
    expect(issuesOf({ $file: "sts-config.json" }, env, {})).toEqual([
      `${R}: file "sts-config.json" is not bundled with this worker: no file is bundled (the build found no config/ directory, or STS_CONFIG_DIR named none); add it to the configuration directory and deploy again`,
    ]);
  });

  it("a file that is not JSON, or not an array in $files: reported by name, without its text", () => {
    const { cfg, env, files } = split();
    const issues = issuesOf(cfg, env, { ...files, "rps/2.json": '[{"identifier": "s3cr3t', "rps/3.json": '{"identifier": "urn:x"}' });
    expect(issues).toEqual([
      `${R}.relyingParties.$files[1]: file "rps/2.json" is not valid JSON: a string is not closed at line 1, column 24`,
      `${R}.relyingParties.$files[2]: file "rps/3.json" holds an object, expected a JSON array (this file's part of ${R}.relyingParties)`,
    ]);
    expect(issues.join("\n")).not.toContain("s3cr3t");
  });

  it("refuses a name with '..', an absolute path, a backslash or another extension, and a file listed twice", () => {
    const { cfg, env, files } = split();
    for (const [name, why] of [
      ["../secrets.json", `a file name may not have "..", "." or empty folders: "../secrets.json"`],
      ["rps/../rps/1.json", `a file name may not have "..", "." or empty folders: "rps/../rps/1.json"`],
      ["/etc/sts.json", `a file name is relative to the configuration directory, not absolute: "/etc/sts.json"`],
      ["C:/sts.json", `a file name is relative to the configuration directory, not absolute: "C:/sts.json"`],
      ["rps\\1.json", `a file name uses "/" between folders, not "\\": "rps\\\\1.json"`],
      ["rps/1.txt", `only .json files are bundled: "rps/1.txt"`],
    ] as const) {
      cfg.relyingParties = { $files: ["rps/2.json", name] };
      expect(issuesOf(cfg, env, files)).toEqual([`${R}.relyingParties.$files[1]: ${why}`]);
      cfg.relyingParties = { $file: name };
      expect(issuesOf(cfg, env, files)).toEqual([`${R}.relyingParties: expected { "$file": "NAME.json" } and nothing else, got an object (${why})`]);
    }
    cfg.relyingParties = { $files: ["rps/1.json", "rps/2.json", "rps/1.json"] };
    expect(issuesOf(cfg, env, files)).toEqual([`${R}.relyingParties.$files[2]: file "rps/1.json" is listed twice (also at ${R}.relyingParties.$files[0])`]);
    cfg.relyingParties = { $files: [] };
    expect(issuesOf(cfg, env, files)).toEqual([`${R}.relyingParties.$files: is empty: name at least one file (or give the section inline)`]);
  });

  it("refuses a reference inside what a file holds: one level only", () => {
    const { cfg, env, files } = split();
    cfg.relyingParties = { $file: "rps.json" };
    expect(issuesOf(cfg, env, { ...files, "rps.json": '{"$file": "rps/1.json"}' })).toEqual([
      `${R}.relyingParties: file "rps.json" holds an object that refers to another binding or file: a section's file must hold the section itself (one level only)`,
    ]);
    expect(issuesOf({ $file: "sts-config.json" }, env, { "sts-config.json": '{"$file": "other.json"}', "other.json": "{}" })).toEqual([
      `${R}: file "sts-config.json" refers to another file or binding: the configuration file must hold the configuration itself`,
    ]);
    // Nor may a section's binding name a file.
    cfg.relyingParties = { $binding: "RPS" };
    expect(issuesOf(cfg, { ...env, RPS: '{"$files": ["rps/1.json"]}' }, files)).toEqual([
      `${R}.relyingParties: binding "RPS" holds an object that refers to another binding or file: a section's binding must hold the section itself (one level only)`,
    ]);
  });

  it("refuses a PEM private key anywhere in any bundled file, naming the file and field", () => {
    const { cfg, env, files } = split();
    const withKey = JSON.stringify([{ ...party(7), notes: { "a key": P384_PKCS8 } }, party(8), party(9)]);
    const unread = JSON.stringify({ keys: [{ privateKey: P384_PKCS8.replace(/PRIVATE KEY/g, "EC PRIVATE KEY") }] });
    const issues = issuesOf(cfg, env, { ...files, "rps/3.json": withKey, "old/unused.json": unread });
    const why = "holds a PEM private key: bundled files are part of the worker's script, readable by anyone who can read it; keep the key in a secret (wrangler secret put NAME) and name it in a ...Secret field";
    expect(issues.slice(0, 2)).toEqual([
      `${R} (file old/unused.json, field keys[0].privateKey): ${why}`,
      `${R} (file rps/3.json, field [0].notes["a key"]): ${why}`,
    ]);
    // A certificate or public key is no secret.
    expect(issuesOf(cfg, env, { ...files, "certs.json": JSON.stringify({ pem: DEV_REALM2_KEY_MATERIALS[0]!.certificatePem }) })).toEqual([]);
  });

  it("works for a further realm's sections, errors named by the realm's path and the file", () => {
    const { cfg, env, files } = split();
    cfg.realms = { $file: "realms.json" };
    const realm = {
      name: "two",
      pathPrefix: "/realms/two",
      keys: [{ status: "current", privateKeySecret: "R2_KEY", certificate: DEV_REALM2_KEY_MATERIALS[0]!.certificatePem }],
      relyingParties: { $file: "r2-rps.json" },
    };
    const saml = parties(0, 3).map((p) => ({ ...p, defaultTokenType: "saml2", jwtSignatureAlgorithm: "RS256" }));
    const env2 = { ...env, R2_KEY: DEV_REALM2_KEY_MATERIALS[0]!.privateKeyPem };
    const all = { ...files, "realms.json": JSON.stringify([realm]), "r2-rps.json": JSON.stringify(saml) };
    const c = validateConfig(cfg, env2, { files: all });
    expect(c.realms![0]!.config.relyingParties.map((r) => r.identifier)).toEqual(["urn:example:rp:0", "urn:example:rp:1", "urn:example:rp:2"]);
    const issues = issuesOf(cfg, env2, { ...all, "r2-rps.json": JSON.stringify([saml[0], { ...saml[1], defaultTokenType: "saml3" }]) });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^STS_CONFIG\.realms\[0\]\.relyingParties\[1\]\.defaultTokenType \(file r2-rps\.json, element 1\): /);
  });
});
