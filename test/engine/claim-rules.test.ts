import { describe, expect, it } from "vitest";
import type { ClaimRuleInput } from "../../src/config/claim-rules.ts";
import type { RelyingParty } from "../../src/config/types.ts";
import { validateConfig } from "../../src/config/validate.ts";
import { applyClaimRules } from "../../src/engine/claim-rules.ts";
import { decideClaims } from "../../src/engine/claims.ts";
import { base } from "../config/helpers.ts";

const ROLE = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
const UPN = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn";
const EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";

/** A validated relying party with these rules (and release list). */
function party(rules: ClaimRuleInput[] | undefined, claims?: string[]): RelyingParty {
  const { cfg, env } = base();
  if (rules) cfg.relyingParties[1].claimRules = rules;
  if (claims) cfg.relyingParties[1].claims = claims;
  return validateConfig(cfg, env).relyingParties[1]!;
}

const ALICE = { email: ["alice@example.com"], given_name: ["Alice"], role: ["admin", "user"], groups: ["g-admins", "g-staff", "g-other"] };

describe("claim rule evaluation", () => {
  it("passes, renames, maps, adds, conditions, templates and drops, in order", () => {
    const rp = party([
      { claim: "*" },
      { claim: "role", as: { saml: ROLE, jwt: "roles" } },
      { claim: "groups", as: { saml: ROLE, jwt: "roles" }, map: { "g-admins": "admin", "g-staff": ["staff", "user"] } },
      { value: "engineering", as: "department", when: { claim: "role", equals: "admin" } },
      { value: "never", as: "absent", when: "no-such-claim" },
      { template: "{subject}@example.com", as: { saml: UPN, jwt: "upn" } },
      { template: "{given_name} <{email}>", as: "display" },
      { template: "{missing}!", as: "nothing" },
      { drop: "email" },
    ]);
    expect(applyClaimRules(rp.claimRules!, "alice", ALICE)).toEqual([
      { saml: "given_name", jwt: "given_name", values: ["Alice"] },
      { saml: "role", jwt: "role", values: ["admin", "user"] },
      { saml: "groups", jwt: "groups", values: ["g-admins", "g-staff", "g-other"] },
      { saml: ROLE, jwt: "roles", values: ["admin", "user", "staff"] },
      { saml: "department", jwt: "department", values: ["engineering"] },
      { saml: UPN, jwt: "upn", values: ["alice@example.com"] },
      { saml: "display", jwt: "display", values: ["Alice <alice@example.com>"] },
    ]);
  });

  it("names the claims for the token's format, merging a table name with its URI in SAML", () => {
    const rp = party([{ claim: "*" }, { claim: "role", as: { saml: ROLE, jwt: "roles" } }, { template: "{subject}@example.com", as: { saml: UPN, jwt: "upn" } }]);
    const input = { email: ["a@x"], role: ["admin", "user"] };
    expect(decideClaims(rp, "saml2", "alice", input, undefined)).toEqual({ [EMAIL]: ["a@x"], [ROLE]: ["admin", "user"], [UPN]: ["alice@example.com"] });
    expect(decideClaims(rp, "jwt", "alice", input, undefined)).toEqual({ email: ["a@x"], role: ["admin", "user"], roles: ["admin", "user"], upn: ["alice@example.com"] });
  });

  it("one name for both formats written as a table URI is that claim's short name in a JWT", () => {
    const rp = party([{ template: "{subject}@example.com", as: UPN }, { claim: "email", as: EMAIL }, { claim: "role", as: ROLE.toUpperCase() }]);
    const input = { email: ["a@x"], role: ["admin"] };
    expect(decideClaims(rp, "jwt", "alice", input, undefined)).toEqual({ upn: ["alice@example.com"], email: ["a@x"], role: ["admin"] });
    expect(decideClaims(rp, "saml2", "alice", input, undefined)).toEqual({ [UPN]: ["alice@example.com"], [EMAIL]: ["a@x"], [ROLE]: ["admin"] });
  });

  it("without rules, the release list alone decides, as it always did", () => {
    expect(decideClaims(party(undefined, ["email"]), "saml2", "alice", ALICE, undefined)).toEqual({ [EMAIL]: ["alice@example.com"] });
    expect(decideClaims(party(undefined), "jwt", "alice", { email: ["a"], sub: ["evil"] }, undefined)).toEqual({ email: ["a"] });
  });

  it("a party without a release list gets every claim; one whose list is empty gets none (as README says)", () => {
    expect(decideClaims(party(undefined), "jwt", "alice", ALICE, undefined)).toEqual(ALICE);
    expect(decideClaims(party(undefined, []), "jwt", "alice", ALICE, undefined)).toEqual({});
  });

  it("a subject's claim named by a protocol fact's claim-type URI is never released (it would be read back as that fact)", () => {
    const forged = {
      email: ["a"],
      "http://schemas.xmlsoap.org/ws/2009/09/identity/claims/actor": ["rp-validator"],
      "urn:edge-sts:claims/client_id": ["demo-client"],
      "http://schemas.microsoft.com/identity/claims/scope": ["admin"],
    };
    for (const kind of ["saml2", "saml1"] as const) expect(decideClaims(party(undefined), kind, "alice", forged, undefined)).toEqual({ [EMAIL]: ["a"] });
    expect(decideClaims(party(undefined), "jwt", "alice", forged, undefined)).toEqual({ email: ["a"] });
  });

  it("claims of one claim type are one SAML attribute, with or without rules: a table name, its URI, the URI in another case", () => {
    const held = { email: ["a@x"], [EMAIL]: ["b@x", "a@x"], "HTTP://SCHEMAS.XMLSOAP.ORG/ws/2005/05/identity/claims/EmailAddress": ["c@x"], "urn:x:Dept": ["d1"], "URN:X:dept": ["d2"] };
    for (const rp of [party(undefined), party([{ claim: "*" }])]) {
      expect(decideClaims(rp, "saml2", "alice", held, undefined)).toEqual({ [EMAIL]: ["a@x", "b@x", "c@x"], "urn:x:Dept": ["d1", "d2"] });
      // JWT claim names are case-sensitive (RFC 7519 §4): each stays its own claim.
      expect(Object.keys(decideClaims(rp, "jwt", "alice", held, undefined))).toEqual(Object.keys(held));
    }
  });

  it("a requested claim type matches in any letter case", () => {
    const req = [{ uri: "HTTP://SCHEMAS.XMLSOAP.ORG/ws/2005/05/identity/claims/EmailAddress", optional: false }];
    expect(decideClaims(party(undefined), "saml2", "alice", ALICE, req)).toEqual({ [EMAIL]: ["alice@example.com"] });
  });

  it("a release list names claim types: a table URI (in any case) releases the claim held under its short name, and the reverse", () => {
    const rp = party(undefined, [EMAIL, "HTTP://SCHEMAS.MICROSOFT.COM/ws/2008/06/identity/claims/Role"]);
    expect(decideClaims(rp, "saml2", "alice", ALICE, undefined)).toEqual({ [EMAIL]: ["alice@example.com"], [ROLE]: ["admin", "user"] });
    expect(decideClaims(rp, "jwt", "alice", ALICE, [{ uri: EMAIL, optional: false }])).toEqual({ email: ["alice@example.com"] });
    expect(decideClaims(party(undefined, ["email"]), "jwt", "alice", { [EMAIL]: ["x"], role: ["r"] }, undefined)).toEqual({ [EMAIL]: ["x"] });
    const ruled = party([{ claim: "email", as: "mail" }], [EMAIL]);
    expect(decideClaims(ruled, "jwt", "alice", ALICE, undefined)).toEqual({ mail: ["alice@example.com"] });
  });

  it("rules read only what the release list releases", () => {
    const rp = party([{ claim: "*" }, { claim: "email", as: "e" }], ["email"]);
    expect(decideClaims(rp, "jwt", "alice", ALICE, undefined)).toEqual({ email: ["alice@example.com"], e: ["alice@example.com"] });
  });

  it("a template yields one value per combination of values, at most 64", () => {
    const rp = party([{ template: "{role}/{groups}", as: "pairs" }, { template: "{a}{b}", as: "capped" }]);
    const many = Array.from({ length: 20 }, (_, i) => `v${i}`);
    const out = applyClaimRules(rp.claimRules!, "alice", { role: ["r1", "r2"], groups: ["g1", "g2"], a: many, b: many });
    expect(out[0]!.values).toEqual(["r1/g1", "r1/g2", "r2/g1", "r2/g2"]);
    expect(out[1]!.values).toHaveLength(64);
  });

  it("a claim passed through or mapped keeps every value, as without rules (no count cuts it)", () => {
    // A partner's token may state any number of groups; the 65th must not vanish from the token
    // of a party with rules while one without rules states it.
    const groups = Array.from({ length: 200 }, (_, i) => `g${i}`);
    const ruled = party([{ claim: "*" }, { claim: "groups", as: { saml: ROLE, jwt: "roles" } }, { claim: "groups", as: "mapped", map: { g150: "late" } }]);
    const jwt = decideClaims(ruled, "jwt", "p#carol", { groups }, undefined);
    expect(jwt.groups).toEqual(groups);
    expect(jwt.roles).toEqual(groups);
    expect(jwt.mapped).toEqual(["late"]);
    expect(decideClaims(ruled, "saml2", "p#carol", { groups }, undefined)[ROLE]).toEqual(groups);
    expect(decideClaims(party(undefined), "jwt", "p#carol", { groups }, undefined).groups).toEqual(groups);
  });

  it("a token's claims take at most 128 KiB of characters: past it the request is refused, with rules or without", () => {
    const BOUND = `would take more than ${128 * 1024} characters`;
    const big = Array.from({ length: 30 }, (_, i) => `${i}`.padEnd(1000, "v"));
    const heavy = party(Array.from({ length: 64 }, (_, i) => ({ template: "{big}{big}{big}{big}{big}{big}{big}{big}", as: `h${i}` })));
    expect(() => decideClaims(heavy, "jwt", "alice", { big }, undefined)).toThrow(BOUND);
    // One value can be refused while it is built, before it reaches any claim.
    const huge = party([{ template: "{v}{v}{v}{v}{v}{v}{v}{v}", as: "x" }]);
    expect(() => applyClaimRules(huge.claimRules!, "alice", { v: ["v".repeat(20_000)] })).toThrow(BOUND);
    // Without rules the released claims are counted the same way.
    expect(() => decideClaims(party(undefined), "saml2", "alice", { a: ["v".repeat(128 * 1024)] }, undefined)).toThrow(BOUND);
    expect(decideClaims(party(undefined), "saml2", "alice", { a: ["v".repeat(128 * 1024 - 1)] }, undefined).a).toHaveLength(1);
    // Values a rule gives again are counted once.
    const again = party(Array.from({ length: 64 }, () => ({ claim: "big", as: "b" })));
    expect(decideClaims(again, "jwt", "alice", { big }, undefined).b).toHaveLength(30);
  });

  it("values with markup are values (the token writers escape them)", () => {
    const rp = party([{ template: "{subject}@example.com", as: "upn" }]);
    expect(applyClaimRules(rp.claimRules!, "<x>&", {})).toEqual([{ saml: "upn", jwt: "upn", values: ["<x>&@example.com"] }]);
  });
});

describe("requested claims", () => {
  const rp = party([{ claim: "*" }, { claim: "role", as: { saml: ROLE, jwt: "roles" } }, { template: "{subject}@example.com", as: { saml: UPN, jwt: "upn" } }]);
  const input = { email: ["a@x"], given_name: ["A"], role: ["admin", "user"] };

  it("narrow the token to the claims asked for, by URI or JWT name", () => {
    expect(decideClaims(rp, "saml2", "alice", input, [{ uri: UPN, optional: false }, { uri: EMAIL, optional: true }])).toEqual({ [UPN]: ["alice@example.com"], [EMAIL]: ["a@x"] });
    expect(decideClaims(rp, "jwt", "alice", input, [{ uri: "upn", optional: false }])).toEqual({ upn: ["alice@example.com"] });
    expect(decideClaims(rp, "jwt", "alice", input, [{ uri: ROLE, optional: false }])).toEqual({ role: ["admin", "user"], roles: ["admin", "user"] });
  });

  it("keep only the asked-for values, and refuse a required claim without them", () => {
    expect(decideClaims(rp, "saml2", "alice", input, [{ uri: ROLE, optional: false, values: ["admin"] }])).toEqual({ [ROLE]: ["admin"] });
    expect(() => decideClaims(rp, "saml2", "alice", input, [{ uri: ROLE, optional: false, values: ["root"] }])).toThrow(`The required claim '${ROLE}' does not have the requested value`);
    expect(decideClaims(rp, "saml2", "alice", input, [{ uri: ROLE, optional: true, values: ["root"] }])).toEqual({});
  });

  it("refuse a required claim the policy does not give, and leave out an optional one", () => {
    const narrow = party(undefined, ["email"]);
    expect(() => decideClaims(narrow, "saml2", "alice", input, [{ uri: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", optional: false }]))
      .toThrow("The required claim 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname' is not available to this relying party for this subject.");
    expect(decideClaims(narrow, "saml2", "alice", input, [{ uri: "urn:nope", optional: true }, { uri: EMAIL, optional: false }])).toEqual({ [EMAIL]: ["a@x"] });
  });

  it("a protocol claim the token states (actor, may_act, scope, client) is there to require, by URI or JWT name, and never narrowed", () => {
    const ACTOR = "http://schemas.xmlsoap.org/ws/2009/09/identity/claims/actor";
    const SCOPE = "http://schemas.microsoft.com/identity/claims/scope";
    const stated = { actor: ["svc"], scope: ["read", "write"], client_id: ["c1"] };
    const req = [{ uri: ACTOR, optional: false }, { uri: SCOPE, optional: false, values: ["read"] }, { uri: "client_id", optional: false }, { uri: EMAIL, optional: false }];
    expect(decideClaims(rp, "saml2", "alice", input, req, stated)).toEqual({ [EMAIL]: ["a@x"] });
    expect(decideClaims(rp, "jwt", "alice", input, [{ uri: "act", optional: false }], stated)).toEqual({});
    expect(() => decideClaims(rp, "saml2", "alice", input, [{ uri: ACTOR, optional: false }], {})).toThrow(`The required claim '${ACTOR}' is not available`);
    expect(() => decideClaims(rp, "saml2", "alice", input, [{ uri: SCOPE, optional: false, values: ["admin"] }], stated)).toThrow(`The required claim '${SCOPE}' does not have the requested value`);
    expect(() => decideClaims(rp, "saml2", "alice", input, [{ uri: "urn:edge-sts:claims/may_act", optional: false }], stated)).toThrow("is not available");
    expect(decideClaims(rp, "saml2", "alice", input, [{ uri: "urn:edge-sts:claims/may_act", optional: true }], stated)).toEqual({});
  });

  it("never widen: a claim the subject has but the policy withholds stays out", () => {
    const narrow = party(undefined, ["email"]);
    expect(() => decideClaims(narrow, "jwt", "alice", input, [{ uri: "role", optional: false }])).toThrow("The required claim 'role'");
  });
});

describe("claim types offered in federation metadata", () => {
  it("list what is issued after a drop by the JWT name and a rename (the SAML name the rename gives stays offered)", async () => {
    const { offeredClaimTypes } = await import("../../src/engine/claims-offered.ts");
    const GN = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname";
    const { cfg, env } = base();
    cfg.users[0].claims.given_name = "Alice";
    cfg.relyingParties[0].claims = ["role"];
    cfg.relyingParties[1].claimRules = [{ claim: "*" }, { drop: "given_name" }, { claim: "given_name", as: { saml: GN, jwt: "gn" } }];
    const config = validateConfig(cfg, env);
    const issued = Object.keys(decideClaims(config.relyingParties[1]!, "saml2", "alice", config.users.get("alice")!.claims, undefined));
    expect(issued).toContain(GN);
    const offered = offeredClaimTypes(config);
    for (const name of issued) expect(offered).toContain(name);
  });

  it("list a claim type once, as tokens name it, however the configuration spells it", async () => {
    const { offeredClaimTypes } = await import("../../src/engine/claims-offered.ts");
    const { cfg, env } = base();
    cfg.relyingParties[0].claims = ["email", "HTTP://SCHEMAS.XMLSOAP.ORG/ws/2005/05/identity/claims/EmailAddress", "urn:x:Dept"];
    cfg.relyingParties[1].claims = ["URN:X:dept"];
    // (then the four protocol attributes)
    expect(offeredClaimTypes(validateConfig(cfg, env)).slice(0, -4)).toEqual([EMAIL, "urn:x:Dept"]);
  });

  it("lists each party's released claims through its rules (drops applied), then the protocol attributes", async () => {
    const { offeredClaimTypes } = await import("../../src/engine/claims-offered.ts");
    const { cfg, env } = base();
    cfg.relyingParties[0].claims = ["email"];
    cfg.relyingParties[1].claimRules = [{ claim: "*" }, { claim: "role", as: { saml: ROLE, jwt: "roles" } }, { value: "x", as: "department" }, { drop: "email" }];
    expect(offeredClaimTypes(validateConfig(cfg, env))).toEqual([
      EMAIL, ROLE, "department",
      "http://schemas.xmlsoap.org/ws/2009/09/identity/claims/actor", "urn:edge-sts:claims/may_act", "http://schemas.microsoft.com/identity/claims/scope", "urn:edge-sts:claims/client_id",
    ]);
  });
});
