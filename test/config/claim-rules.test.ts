import { describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/validate.ts";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { base, issuesOf } from "./helpers.ts";

const P = "STS_CONFIG.relyingParties[1].claimRules";

/** The issues of the base configuration with these claim rules on its second relying party. */
function rulesIssues(rules: unknown): readonly string[] {
  const { cfg, env } = base();
  cfg.relyingParties[1].claimRules = rules;
  return issuesOf(cfg, env);
}

describe("claim rules in the configuration", () => {
  it("accepts every rule kind and resolves names, maps and templates", () => {
    const { cfg, env } = base();
    cfg.relyingParties[1].claimRules = [
      { claim: "*" },
      { claim: "role", as: { saml: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role", jwt: "roles" }, map: { x: "admin", y: ["user", "reader"] } },
      { value: "engineering", as: "department", when: { claim: "role", equals: "x" } },
      { template: "{subject}@example.org {{{email}}}", as: "upn", when: "email" },
      { drop: "email" },
    ];
    const rp = validateConfig(cfg, env).relyingParties[1]!;
    expect(rp.claimRules).toEqual([
      { kind: "all", when: undefined },
      { kind: "claim", claim: "role", as: { saml: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role", jwt: "roles" }, map: new Map([["x", ["admin"]], ["y", ["user", "reader"]]]), when: undefined },
      { kind: "value", values: ["engineering"], as: { saml: "department", jwt: "department" }, when: { claim: "role", equals: "x" } },
      { kind: "template", parts: [{ subject: true }, { text: "@example.org {" }, { claim: "email" }, { text: "}" }], as: { saml: "upn", jwt: "upn" }, when: { claim: "email", equals: undefined } },
      { kind: "drop", names: new Set(["email", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"]) },
    ]);
    expect(validateConfig(cfg, env).relyingParties[0]!.claimRules).toBeUndefined();
  });

  it("the development urn:example:rp emits every claim, the role under the WIF role type and a upn", () => {
    const rp = validateConfig(DEV_CONFIG, DEV_SECRETS, { mode: "development" }).relyingParties.find((r) => r.identifier === "urn:example:rp")!;
    expect(rp.claims).toBeUndefined();
    expect(rp.claimRules?.map((r) => r.kind)).toEqual(["all", "claim", "template"]);
  });

  it.each([
    [{ claimRules: "x" }, `${P}: expected an array, got "x"`],
    [[{}], `${P}[0]: expected exactly one of claim, value, template, drop, got none`],
    [[{ claim: "a", value: "b" }], `${P}[0]: expected exactly one of claim, value, template, drop, got claim and value`],
    [[{ claim: "a", colour: 1 }], `${P}[0].colour: unknown field (expected one of claim, value, template, drop, as, map, when)`],
    [[{ value: "b" }], `${P}[0].as: is required with "value"`],
    [[{ template: "{subject}" }], `${P}[0].as: is required with "template"`],
    [[{ claim: "role", map: [] }], `${P}[0].map: expected an object of input value to output value(s), got an array`],
    [[{ claim: "role", map: {} }], `${P}[0].map: expected 1 to 256 entries, got 0`],
    [[{ claim: "role", map: { a: 3 } }], `${P}[0].map.a: expected a string, got 3`],
    [[{ value: "b", as: "x", map: { a: "b" } }], `${P}[0].map: goes only with "claim"`],
    [[{ claim: "*", as: "x" }], `${P}[0].as: does not go with "claim": "*" (every claim keeps its name)`],
    [[{ drop: "email", when: "role" }], `${P}[0].when: does not go with "drop"`],
    [[{ claim: "role", as: { saml: "urn:x" } }], `${P}[0].as.jwt: is required`],
    [[{ claim: "role", as: { saml: "urn:x", jwt: "y", z: 1 } }], `${P}[0].as.z: unknown field (expected one of saml, jwt)`],
    [[{ claim: "role", when: { equals: "a" } }], `${P}[0].when.claim: is required`],
    [[{ value: [], as: "x" }], `${P}[0].value: expected 1 to 64 values, got 0`],
    [[{ template: "{email", as: "x" }], `${P}[0].template: unmatched "{" at 0 (write "{{" for a brace)`],
    [[{ template: "a}b", as: "x" }], `${P}[0].template: unmatched "}" at 1 (write "}}" for a brace)`],
    [[{ template: "plain", as: "x" }], `${P}[0].template: names no placeholder (use "value" for a constant)`],
    [[{ template: "{a}{b}{c}{d}{e}{f}{g}{h}{i}", as: "x" }], `${P}[0].template: at most 8 placeholders`],
    [[{ template: "x".repeat(257) + "{a}", as: "x" }], `${P}[0].template: must be at most 256 characters`],
    [Array.from({ length: 65 }, () => ({ claim: "*" })), `${P}: at most 64 rules, got 65`],
  ])("refuses %j with a field path", (rules, line) => {
    const input = !Array.isArray(rules) && "claimRules" in (rules as object) ? (rules as { claimRules: unknown }).claimRules : rules;
    expect(rulesIssues(input)).toContain(line);
  });

  it("a rule reading a claim the party's claims list does not release is reported", () => {
    const { cfg, env } = base();
    cfg.relyingParties[1].claims = ["email"];
    cfg.relyingParties[1].claimRules = [{ claim: "email" }, { claim: "role", when: "email" }, { template: "{subject} {role}", as: "x" }, { value: "v", as: "y", when: { claim: "role" } }];
    expect(issuesOf(cfg, env)).toEqual([
      `${P}[1].claim: reads "role", which the party's claims list does not release`,
      `${P}[2].template: reads "role", which the party's claims list does not release`,
      `${P}[3].when: reads "role", which the party's claims list does not release`,
    ]);
  });

  it("rules that can do nothing are reported: a drop of what no earlier rule emits, a rule a later drop empties, drop \"*\"", () => {
    expect(rulesIssues([{ drop: "email" }, { value: "x", as: "department" }, { drop: "department" }, { claim: "role", as: { saml: "urn:x:r", jwt: "r" } }, { drop: "urn:x:r" }, { drop: "*" }])).toEqual([
      `${P}[5].drop: "*" is no claim name: a drop removes the one claim it names (a party releasing nothing has "claims": [])`,
      `${P}[0].drop: drops "email", which no earlier rule emits`,
      `${P}[1]: emits "department", which claimRules[2] drops: the rule can never give a token anything`,
      `${P}[3]: emits "urn:x:r" / "r", which claimRules[4] drops: the rule can never give a token anything`,
    ]);
    // After every claim passes, a drop removes what the release list lets through, and only that.
    const { cfg, env } = base();
    cfg.relyingParties[1].claims = ["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/EmailAddress"];
    cfg.relyingParties[1].claimRules = [{ claim: "*" }, { drop: "email" }, { drop: "given_name" }];
    expect(issuesOf(cfg, env)).toEqual([`${P}[2].drop: drops "given_name", which no earlier rule emits`]);
    expect(rulesIssues([{ claim: "*" }, { drop: "given_name" }, { claim: "given_name", as: "first" }, { drop: "email" }])).toEqual([]);
  });

  it("a claims list naming a protocol claim or \"*\" is reported: neither releases anything", () => {
    const { cfg, env } = base();
    cfg.relyingParties[1].claims = ["email", "sub", "http://schemas.microsoft.com/identity/claims/Scope", "*"];
    const C = "STS_CONFIG.relyingParties[1].claims";
    expect(issuesOf(cfg, env)).toEqual([
      `${C}[1]: "sub" is never released: it has a protocol meaning, and tokens state it from issuance, not from the subject's claims`,
      `${C}[2]: "http://schemas.microsoft.com/identity/claims/Scope" is never released: it has a protocol meaning, and tokens state it from issuance, not from the subject's claims`,
      `${C}[3]: "*" is no claim name: a party without a claims list is released every claim`,
    ]);
  });

  it("a claims list naming claim-type URIs releases their short names to the rules, in any case", () => {
    const { cfg, env } = base();
    cfg.relyingParties[1].claims = ["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/EmailAddress"];
    cfg.relyingParties[1].claimRules = [{ claim: "email" }, { claim: "role" }];
    expect(issuesOf(cfg, env)).toEqual([`${P}[1].claim: reads "role", which the party's claims list does not release`]);
  });

  it.each([
    [[{ value: "x", as: "sub" }], `${P}[0].as: "sub" is reserved (it has a protocol meaning in tokens)`],
    [[{ claim: "role", as: { saml: "http://schemas.xmlsoap.org/ws/2009/09/identity/claims/actor", jwt: "r" } }], `${P}[0].as.saml: "http://schemas.xmlsoap.org/ws/2009/09/identity/claims/actor" is reserved (it has a protocol meaning in tokens)`],
    [[{ claim: "role", as: { saml: "r", jwt: "act" } }], `${P}[0].as.jwt: "act" is reserved (it has a protocol meaning in tokens)`],
    [[{ value: "openid", as: "http://schemas.microsoft.com/identity/claims/scope" }], `${P}[0].as: "http://schemas.microsoft.com/identity/claims/scope" is reserved (it has a protocol meaning in tokens)`],
    [[{ claim: "client_id" }], `${P}[0].claim: "client_id" is reserved (it has a protocol meaning in tokens)`],
    [[{ template: "{iss}", as: "x" }], `${P}[0].template (placeholder {iss}): "iss" is reserved (it has a protocol meaning in tokens)`],
    [[{ drop: "cnf" }], `${P}[0].drop: "cnf" is reserved (it has a protocol meaning in tokens)`],
    [[{ value: "x", as: "__proto__" }], `${P}[0].as: "__proto__" is reserved (it has a protocol meaning in tokens)`],
  ])("never lets a rule read or produce a protocol claim: %j", (rules, line) => {
    expect(rulesIssues(rules)).toContain(line);
  });

  // Relying parties compare claim types ignoring case: these are the subject, the sign-in
  // method, the actor and the scope to them.
  it.each([
    [{ value: "bob", as: "HTTP://SCHEMAS.XMLSOAP.ORG/ws/2005/05/identity/claims/nameidentifier" }, `${P}[0].as`],
    [{ value: "x509", as: "http://schemas.microsoft.com/ws/2008/06/identity/claims/AuthenticationMethod" }, `${P}[0].as`],
    [{ claim: "role", as: { saml: "http://schemas.xmlsoap.org/ws/2009/09/identity/claims/Actor", jwt: "r" } }, `${P}[0].as.saml`],
    [{ value: "admin.all", as: "HTTP://schemas.microsoft.com/identity/claims/scope" }, `${P}[0].as`],
    [{ claim: "role", as: { saml: "r", jwt: "Act" } }, `${P}[0].as.jwt`],
    [{ template: "{Client_Id}", as: "x" }, `${P}[0].template (placeholder {Client_Id})`],
  ])("never lets a rule read or produce a protocol claim in another letter case: %j", (rule, path) => {
    expect(rulesIssues([rule]).filter((l) => l.startsWith(`${path}: `) && l.endsWith(" is reserved (it has a protocol meaning in tokens)"))).toHaveLength(1);
  });
});
