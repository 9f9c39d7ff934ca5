/** Configuration of pairwise subjects: defaults, and every refusal naming its field. */
import { describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/validate.ts";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { base, issuesOf } from "./helpers.ts";

const R = "STS_CONFIG";
/** 32 random bytes, base64 (openssl rand -base64 32). */
const SECRET = "q7Rz0m3bV5dKx1Hc9yTfWu2LpNe8Gs4JaQiBvXo6CkM=";

function pairwise(): { cfg: Record<string, any>; env: Record<string, unknown> } {
  const b = base();
  b.cfg.relyingParties[1].subjectType = "pairwise";
  b.cfg.pairwiseSubjectSecret = "PAIRWISE";
  b.env.PAIRWISE = SECRET;
  return b;
}

describe("pairwise subjects in the configuration", () => {
  it("defaults the sector to the relying party's identifier and resolves the secret's bytes", () => {
    const { cfg, env } = pairwise();
    const c = validateConfig(cfg, env);
    expect(c.relyingParties[1]!.subjectType).toBe("pairwise");
    expect(c.relyingParties[1]!.sectorIdentifier).toBe("https://api.example.org/");
    expect(c.pairwiseSubjectSecret).toHaveLength(32);
    cfg.relyingParties[1].sectorIdentifier = "https://sector.example.org/";
    expect(validateConfig(cfg, env).relyingParties[1]!.sectorIdentifier).toBe("https://sector.example.org/");
  });

  it("accepts base64url and a secret set before any relying party is pairwise", () => {
    const { cfg, env } = pairwise();
    env.PAIRWISE = SECRET.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    expect(issuesOf(cfg, env)).toEqual([]);
    delete cfg.relyingParties[1].subjectType;
    expect(validateConfig(cfg, env).pairwiseSubjectSecret).toHaveLength(32);
  });

  it("the development configuration: two pairwise relying parties in two sectors, releasing only the role", () => {
    const dev = validateConfig(DEV_CONFIG, DEV_SECRETS, { mode: "development" });
    const pw = dev.relyingParties.filter((rp) => rp.subjectType === "pairwise");
    expect(pw.map((rp) => [rp.identifier, rp.sectorIdentifier, rp.claims])).toEqual([
      ["urn:example:pairwise-rp", "urn:example:sector:pairwise-rp", ["role"]],
      ["https://pairwise-api.example.com/", "https://pairwise-api.example.com/sector", ["role"]],
    ]);
    expect(new TextDecoder().decode(dev.pairwiseSubjectSecret)).toContain("DEVELOPMENT ONLY");
  });

  const CASES: [string, (c: Record<string, any>, e: Record<string, unknown>) => void, string][] = [
    ["secret missing", (c) => delete c.pairwiseSubjectSecret, `${R}.pairwiseSubjectSecret: is required: relying party "https://api.example.org/" has subjectType "pairwise"`],
    ["secret binding unset", (_c, e) => delete e.PAIRWISE, `${R}.pairwiseSubjectSecret: names a secret binding that is not set (the name is not shown, as it may be the secret itself)`],
    ["secret too short", (_c, e) => (e.PAIRWISE = btoa("0123456789abcdef0123456789abcde")), `${R}.pairwiseSubjectSecret: secret binding "PAIRWISE" holds 31 bytes; at least 32 random bytes are needed`],
    ["secret not base64", (_c, e) => (e.PAIRWISE = "correct horse battery staple correct horse battery"), `${R}.pairwiseSubjectSecret: secret binding "PAIRWISE" expected base64 or base64url of at least 32 random bytes (e.g. openssl rand -base64 32)`],
    ["secret one byte repeated", (_c, e) => (e.PAIRWISE = "A".repeat(44)), `${R}.pairwiseSubjectSecret: secret binding "PAIRWISE" is one byte value repeated, not a random secret`],
    ["unknown subject type", (c) => (c.relyingParties[1].subjectType = "pseudonymous"), `${R}.relyingParties[1].subjectType: expected one of public, pairwise, got "pseudonymous"`],
    ["sector not a URI", (c) => (c.relyingParties[1].sectorIdentifier = "my sector"), `${R}.relyingParties[1].sectorIdentifier: expected an absolute URI (https://... or urn:...), got "my sector"`],
    ["sector on a public party", (c) => (c.relyingParties[0].sectorIdentifier = "urn:sector:a"), `${R}.relyingParties[0].sectorIdentifier: applies only to subjectType "pairwise"`],
  ];
  for (const [name, mutate, line] of CASES) {
    it(name, () => {
      const { cfg, env } = pairwise();
      mutate(cfg, env);
      expect(issuesOf(cfg, env)).toEqual([line]);
    });
  }
});
