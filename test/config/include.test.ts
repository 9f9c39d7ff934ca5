/**
 * Sections read from bindings (src/config/include.ts): `{ "$binding": NAME }` is tested beside
 * the rest of validation; here `{ "$bindings": [...] }`, an array section split across several
 * bindings because one 5 KB binding cannot hold it.
 */
import { describe, expect, it } from "vitest";
import { DEV_REALM2_KEY_MATERIALS } from "../../src/config/dev-realm2.ts";
import { validateConfig } from "../../src/config/validate.ts";
import { base, issuesOf } from "./helpers.ts";

const R = "STS_CONFIG";
const party = (i: number) => ({ identifier: `urn:example:rp:${i}`, defaultTokenType: i % 2 ? "jwt" : "saml2" });
const parties = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => party(from + k));

/** `base()` with its relying parties replaced by rp:0 … rp:9 in three bindings (4, 3 and 3). */
function split() {
  const { cfg, env } = base();
  cfg.relyingParties = { $bindings: ["RPS_1", "RPS_2", "RPS_3"] };
  cfg.oauthClients[0].allowedAudiences = ["urn:example:rp:5"];
  cfg.serviceAccounts[0].allowedRelyingParties = ["urn:example:rp:9"];
  return { cfg, env: { ...env, RPS_1: JSON.stringify(parties(0, 4)), RPS_2: JSON.stringify(parties(4, 7)), RPS_3: parties(7, 10) } };
}

describe("an array section in several bindings ($bindings)", () => {
  it("is the concatenation of the bindings' arrays in the order listed, text (secret) or JSON (var) alike", () => {
    const { cfg, env } = split();
    const c = validateConfig(cfg, env);
    expect(c.relyingParties.map((r) => r.identifier)).toEqual(parties(0, 10).map((p) => p.identifier));
    expect(c.oauthClients.get("c1")!.allowedAudiences).toEqual(["urn:example:rp:5"]);
    cfg.relyingParties = { $bindings: ["RPS_3", "RPS_1", "RPS_2"] };
    expect(validateConfig(cfg, env).relyingParties.map((r) => r.identifier)).toEqual([7, 8, 9, 0, 1, 2, 3, 4, 5, 6].map((i) => `urn:example:rp:${i}`));
  });

  it("gives the same configuration as the section inline, for every array section", () => {
    const { cfg, env } = base();
    const inline = validateConfig(cfg, env);
    const bound: Record<string, unknown> = { ...env };
    const parted = { ...cfg };
    for (const key of ["keys", "users", "relyingParties", "oauthClients", "serviceAccounts", "trustedIssuers"]) {
      const list = cfg[key] as unknown[];
      bound[`${key}_1`] = JSON.stringify(list.slice(0, 1));
      bound[`${key}_2`] = JSON.stringify(list.slice(1));
      parted[key] = { $bindings: [`${key}_1`, `${key}_2`] };
    }
    expect(validateConfig(parted, bound)).toEqual(inline);
  });

  it("names an element's index in the whole section, its binding and its index there", () => {
    const { cfg, env } = split();
    const two = parties(4, 7) as Record<string, unknown>[];
    two[1]!.defaultTokenType = "saml3";
    two[2]!.identifier = "urn:example:rp:0";
    const issues = issuesOf(cfg, { ...env, RPS_2: JSON.stringify(two) });
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(/^STS_CONFIG\.relyingParties\[5\]\.defaultTokenType \(binding RPS_2, element 1\): /);
    expect(issues[1]).toMatch(/^STS_CONFIG\.relyingParties\[6\]\.identifier \(binding RPS_2, element 2\): .*relyingParties\[0\]/);
  });

  it("an element that is not an object, and a required field missing, are located the same way", () => {
    const { cfg, env } = split();
    const issues = issuesOf(cfg, { ...env, RPS_3: [party(7), "urn:example:rp:8", { defaultTokenType: "jwt" }] });
    expect(issues.slice(0, 2)).toEqual([
      `${R}.relyingParties[8] (binding RPS_3, element 1): expected an object, got "urn:example:rp:8"`,
      `${R}.relyingParties[9].identifier (binding RPS_3, element 2): is required`,
    ]);
  });

  it("reports a binding that is not set, not JSON or not an array, and nothing about the section's elements", () => {
    const { cfg, env } = split();
    delete (env as Record<string, unknown>).RPS_1;
    const issues = issuesOf(cfg, { ...env, RPS_2: '[{"identifier": "s3cr3t', RPS_3: { identifier: "urn:x" } });
    expect(issues).toEqual([
      `${R}.relyingParties.$bindings[0]: binding "RPS_1" is not set`,
      `${R}.relyingParties.$bindings[1]: binding "RPS_2" is not valid JSON: a string is not closed at line 1, column 24`,
      `${R}.relyingParties.$bindings[2]: binding "RPS_3" holds an object, expected a JSON array (this binding's part of ${R}.relyingParties)`,
    ]);
    expect(issues.join("\n")).not.toContain("s3cr3t");
  });

  it("refuses a binding listed twice, in one section or in two", () => {
    const { cfg, env } = split();
    cfg.relyingParties = { $bindings: ["RPS_1", "RPS_2", "RPS_1"] };
    expect(issuesOf(cfg, env)).toEqual([`${R}.relyingParties.$bindings[2]: binding "RPS_1" is listed twice (also at ${R}.relyingParties.$bindings[0])`]);
    const again = split();
    again.cfg.trustedIssuers = { $bindings: ["TI_1", "RPS_3"] };
    const issues = issuesOf(again.cfg, { ...again.env, TI_1: "[]" });
    expect(issues).toContain(`${R}.trustedIssuers.$bindings[1]: binding "RPS_3" is listed twice (also at ${R}.relyingParties.$bindings[2])`);
    const single = split();
    single.cfg.trustedIssuers = { $binding: "RPS_2" };
    expect(issuesOf(single.cfg, single.env)).toContain(`${R}.trustedIssuers: binding "RPS_2" is listed twice (also at ${R}.relyingParties.$bindings[1])`);
  });

  it("refuses an empty list, a list of anything but binding names, and other fields beside it", () => {
    const { cfg, env } = split();
    cfg.relyingParties = { $bindings: [] };
    expect(issuesOf(cfg, env)).toEqual([`${R}.relyingParties.$bindings: is empty: name at least one binding (or give the section inline)`]);
    cfg.relyingParties = { $bindings: ["RPS_1", "2RPS", 3, ""] };
    const names = `expected a binding name (letters, digits and "_", not starting with a digit), got`;
    expect(issuesOf(cfg, env)).toEqual([
      `${R}.relyingParties.$bindings[1]: ${names} "2RPS"`,
      `${R}.relyingParties.$bindings[2]: ${names} 3`,
      `${R}.relyingParties.$bindings[3]: ${names} ""`,
    ]);
    const shape = `expected { "$bindings": ["BINDING_NAME", …] } and nothing else, got`;
    cfg.relyingParties = { $bindings: "RPS_1" };
    expect(issuesOf(cfg, env)).toEqual([`${R}.relyingParties: ${shape} an object`]);
    cfg.relyingParties = { $bindings: ["RPS_1"], $binding: "RPS_2" };
    expect(issuesOf(cfg, env)).toEqual([`${R}.relyingParties: ${shape} an object`]);
  });

  it("works for a further realm's sections, errors named by the realm's path", () => {
    const { cfg, env } = split();
    cfg.realms = [{
      name: "two",
      pathPrefix: "/realms/two",
      keys: [{ status: "current", privateKeySecret: "R2_KEY", certificate: DEV_REALM2_KEY_MATERIALS[0]!.certificatePem }],
      relyingParties: { $bindings: ["R2_RPS_1", "R2_RPS_2"] },
    }];
    // The realm has one RSA key: its parties are SAML ones, signed with RS256.
    const saml = (from: number, to: number) => parties(from, to).map((p) => ({ ...p, defaultTokenType: "saml2", jwtSignatureAlgorithm: "RS256" }));
    const env2 = { ...env, R2_KEY: DEV_REALM2_KEY_MATERIALS[0]!.privateKeyPem, R2_RPS_1: JSON.stringify(saml(0, 2)), R2_RPS_2: JSON.stringify(saml(2, 3)) };
    const c = validateConfig(cfg, env2);
    expect(c.realms![0]!.config.relyingParties.map((r) => r.identifier)).toEqual(["urn:example:rp:0", "urn:example:rp:1", "urn:example:rp:2"]);
    const issues = issuesOf(cfg, { ...env2, R2_RPS_2: JSON.stringify([{ ...saml(2, 3)[0], defaultTokenType: "saml3" }]) });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^STS_CONFIG\.realms\[0\]\.relyingParties\[2\]\.defaultTokenType \(binding R2_RPS_2, element 0\): /);
  });
  it("locates an error inside a realm of a realms section split across bindings, as any other element's", () => {
    const { cfg, env } = base();
    const saml = (from: number, to: number) => parties(from, to).map((p) => ({ ...p, defaultTokenType: "saml2", jwtSignatureAlgorithm: "RS256" }));
    const realm = (name: string, rps: unknown[]) => ({
      name,
      pathPrefix: `/realms/${name}`,
      keys: [{ status: "current", privateKeySecret: "R2_KEY", certificate: DEV_REALM2_KEY_MATERIALS[0]!.certificatePem }],
      relyingParties: rps,
    });
    cfg.realms = { $bindings: ["REALMS_1", "REALMS_2"] };
    const env2 = {
      ...env,
      R2_KEY: DEV_REALM2_KEY_MATERIALS[0]!.privateKeyPem,
      REALMS_1: JSON.stringify([realm("one", saml(0, 1))]),
      REALMS_2: JSON.stringify([realm("two", [{ ...saml(1, 2)[0], defaultTokenType: "saml3" }])]),
    };
    const issues = issuesOf(cfg, env2);
    expect(issues).toHaveLength(1);
    // The realm's own fields are checked as a configuration of their own; their errors are still
    // elements of the realms section, written in REALMS_2.
    expect(issues[0]).toMatch(/^STS_CONFIG\.realms\[1\]\.relyingParties\[0\]\.defaultTokenType \(binding REALMS_2, element 0\): /);
  });
});
