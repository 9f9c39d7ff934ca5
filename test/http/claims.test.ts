/**
 * Claim rules and requested claims (wst:Claims) over HTTP: both SOAP versions, both WS-Trust
 * namespaces, OnBehalfOf / ActAs, Validate-transformation, batches and token exchange, against
 * the development urn:example:rp (every claim, the role under the WIF role type — JWT `roles` —
 * and a `upn` of <user>@example.com).
 */
import { describe, expect, it } from "vitest";
import { DOMParser } from "@xmldom/xmldom";
import { DEV_CONFIG } from "../../src/config/dev.ts";
import { NS, TT } from "../helpers/soap.ts";
import { byTag, call, faultCode, trust } from "../helpers/worker.ts";
import { assertionIn, jwtBst, jwtIn, trustWith, workerWith } from "../hostile/configured.ts";
import { RP, TX, b64url, exchange, jwtFromTrust, jwtParts } from "../oauth/helpers.ts";
import { DEMO, USER_ADMIN } from "../helpers/credentials.ts";

const IC = "http://schemas.xmlsoap.org/ws/2005/05/identity";
const AUTH = "http://docs.oasis-open.org/wsfed/authorization/200706";
const WST14 = "http://docs.oasis-open.org/ws-sx/ws-trust/200802";
const ID = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims";
const ROLE = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
const UPN = `${ID}/upn`;
const URI_FORMAT = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri";
const alice = { user: "alice", password: "wonderland" };

/** wst:Claims in the identity dialect: [uri, optional] pairs. */
function icClaims(types: [string, boolean?][]): string {
  return `<wst:Claims Dialect="${IC}" xmlns:ic="${IC}">${types.map(([u, o]) => `<ic:ClaimType Uri="${u}"${o === undefined ? "" : ` Optional="${o}"`}/>`).join("")}</wst:Claims>`;
}

/** wst:Claims in the authorization dialect: [uri, optional, value?]. */
function authClaims(types: [string, boolean, string?][]): string {
  return `<wst:Claims Dialect="${AUTH}" xmlns:auth="${AUTH}">${types.map(([u, o, v]) => `<auth:ClaimType Uri="${u}" Optional="${o}">${v === undefined ? "" : `<auth:Value>${v}</auth:Value>`}</auth:ClaimType>`).join("")}</wst:Claims>`;
}

/** A SAML 2.0 assertion's attributes: name → [NameFormat, values]. */
function attributes(assertion: string): Record<string, [string, string[]]> {
  const doc = new DOMParser().parseFromString(assertion, "text/xml");
  const out: Record<string, [string, string[]]> = {};
  for (const a of byTag(doc, NS.saml2, "Attribute")) {
    out[a.getAttribute("Name")!] = [a.getAttribute("NameFormat")!, byTag(a, NS.saml2, "AttributeValue").map((v) => v.textContent!)];
  }
  return out;
}

describe("claims of one claim type", () => {
  it("are one SAML attribute for a party without rules and one with: a table name, its URI and the URI in another case", async () => {
    const username = `one-${crypto.randomUUID().slice(0, 8)}`;
    const created = await call("/admin/users", {
      method: "POST",
      headers: { authorization: USER_ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ username, password: "correct-horse-1", claims: { email: "a@x.example", [`${ID}/emailaddress`]: "b@x.example", "HTTP://SCHEMAS.XMLSOAP.ORG/ws/2005/05/identity/claims/EmailAddress": "c@x.example" } }),
    });
    expect(created.status).toBe(201);
    for (const appliesTo of ["https://api.example.com/", RP]) {
      for (const tokenType of [TT.saml2, TT.saml1]) {
        const r = await trust({ user: username, password: "correct-horse-1", appliesTo, tokenType });
        expect(r.status, r.text.slice(0, 300)).toBe(200);
        const names = [...assertionIn(r.text)!.matchAll(/<saml:Attribute (?:Name|AttributeName)="([^"]*)"/g)].map((m) => m[1]!.toLowerCase());
        expect(names.filter((n) => n.endsWith("emailaddress")), `${appliesTo} ${tokenType}`).toHaveLength(1);
        expect(assertionIn(r.text)).toMatch(/emailaddress"[^>]*><saml:AttributeValue>a@x.example<\/saml:AttributeValue><saml:AttributeValue>b@x.example<\/saml:AttributeValue><saml:AttributeValue>c@x.example</);
      }
    }
  });
});

describe("SAML 1.1 attribute namespaces", () => {
  it("are URIs: a claim name that is no URI keeps its '/' in AttributeName, and a renewal states the same attributes", async () => {
    const username = `ns-${crypto.randomUUID().slice(0, 8)}`;
    const password = "correct-horse-1";
    const claims = { "x y/z": ["1"], "a<b/c&d": ["2"], department: ["3"], "http://claims.example/level": ["4"] };
    const created = await call("/admin/users", {
      method: "POST",
      headers: { authorization: USER_ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ username, password, claims }),
    });
    expect(created.status).toBe(201);
    const stated = (assertion: string) => {
      const doc = new DOMParser().parseFromString(assertion, "text/xml");
      return byTag(doc, NS.saml1, "Attribute").map((a) => [a.getAttribute("AttributeNamespace"), a.getAttribute("AttributeName"), byTag(a, NS.saml1, "AttributeValue")[0]?.textContent]);
    };
    const expected = [
      ["urn:edge-sts:claims", "x y/z", "1"],
      ["urn:edge-sts:claims", "a<b/c&d", "2"],
      ["urn:edge-sts:claims", "department", "3"],
      ["http://claims.example", "level", "4"],
    ];
    const r = await trust({ user: username, password, appliesTo: "https://api.example.com/", tokenType: TT.saml1 });
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    const issued = assertionIn(r.text)!;
    expect(stated(issued)).toEqual(expected);
    const renewed = await trust({ user: username, password, requestType: "Renew", extra: `<wst:RenewTarget>${issued}</wst:RenewTarget>` });
    expect(renewed.status, renewed.text.slice(0, 300)).toBe(200);
    expect(stated(assertionIn(renewed.text)!)).toEqual(expected);
  });

  it("a claim named under urn:edge-sts:claims reads back as that URI, never as the protocol claim its last segment names", async () => {
    const username = `ns-${crypto.randomUUID().slice(0, 8)}`;
    const password = "correct-horse-1";
    const claims = { "urn:edge-sts:claims/actor": ["rp-validator"], "urn:edge-sts:claims/scope": ["admin"], "urn:edge-sts:claims/sub": ["alice"] };
    const created = await call("/admin/users", {
      method: "POST",
      headers: { authorization: USER_ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ username, password, claims }),
    });
    expect(created.status).toBe(201);
    const r = await trust({ user: username, password, appliesTo: "https://api.example.com/", tokenType: TT.saml1 });
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    const introspected = await call("/oauth2/introspect", {
      method: "POST",
      headers: { authorization: DEMO, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: b64url(assertionIn(r.text)!) }).toString(),
    });
    const json = (await introspected.json()) as Record<string, unknown>;
    expect(json.active).toBe(true);
    expect(json.sub).toBe(username);
    expect(json.act).toBeUndefined();
    expect(json.scope).toBeUndefined();
  });
});

describe("claim rules of urn:example:rp", () => {
  for (const soap of ["1.1", "1.2"] as const) {
    for (const t of ["13", "2005"] as const) {
      it(`SAML 2.0 over SOAP ${soap}, WS-Trust ${t}: every claim, the WIF role and a upn, each NameFormat uri`, async () => {
        const r = await trust({ ...alice, soap, trust: t, appliesTo: RP, tokenType: TT.saml2 });
        expect(r.status).toBe(200);
        expect(attributes(assertionIn(r.text)!)).toEqual({
          [`${ID}/emailaddress`]: [URI_FORMAT, ["alice@example.com"]],
          [`${ID}/givenname`]: [URI_FORMAT, ["Alice"]],
          [ROLE]: [URI_FORMAT, ["admin", "user"]],
          [UPN]: [URI_FORMAT, ["alice@example.com"]],
        });
      });
    }
  }

  it("SAML 1.1 splits the rule-made URIs into namespace and name", async () => {
    const r = await trust({ user: "bob", password: "builder", appliesTo: RP, tokenType: TT.saml1 });
    expect(r.text).toMatch(/<saml:Attribute AttributeName="upn" AttributeNamespace="http:\/\/schemas.xmlsoap.org\/ws\/2005\/05\/identity\/claims"><saml:AttributeValue>bob@example.com</);
  });

  it("a JWT names them roles and upn (and keeps role, which every claim passes through)", async () => {
    const r = await trust({ ...alice, appliesTo: RP, tokenType: TT.jwt });
    const p = jwtParts(jwtIn(r.text)!).payload;
    expect(p).toMatchObject({ email: "alice@example.com", given_name: "Alice", role: ["admin", "user"], roles: ["admin", "user"], upn: "alice@example.com", sub: "alice" });
  });

  it("token exchange applies the same rules (JWT → JWT and JWT → SAML 2.0)", async () => {
    const subject = await jwtFromTrust("bob", "builder");
    const j = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: RP, requested_token_type: TX.jwt });
    expect(j.status).toBe(200);
    expect(jwtParts(j.json.access_token as string).payload).toMatchObject({ roles: ["user"], upn: "bob@example.com" });
    const s = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: RP, requested_token_type: TX.saml2 });
    expect(s.status).toBe(200);
    const xml = new TextDecoder().decode(Uint8Array.from(atob((s.json.access_token as string).replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)));
    expect(attributes(xml)[UPN]).toEqual([URI_FORMAT, ["bob@example.com"]]);
  });

  it("NameFormat says what the name is: uri only for an absolute URI, basic only for an xs:Name, else unspecified", async () => {
    const names = ["cost_center", "cost center", "http://example.com/claims/cost center", "urn:example:claims:team", "dept:code", "2fa"];
    const f = workerWith({ ...DEV_CONFIG, relyingParties: DEV_CONFIG.relyingParties.map((p) => (p.identifier === RP ? { ...p, claimRules: names.map((as) => ({ value: "x", as })) } : p)) });
    const r = await trustWith(f, { ...alice, appliesTo: RP });
    const formats = Object.fromEntries(Object.entries(attributes(assertionIn(r.text)!)).map(([n, [format]]) => [n, format.split(":").pop()]));
    expect(formats).toEqual({
      cost_center: "basic",
      "cost center": "unspecified",
      "http://example.com/claims/cost center": "unspecified",
      "urn:example:claims:team": "uri",
      "dept:code": "uri",
      "2fa": "unspecified",
    });
  });

  it("a short name a rule gives is a SAML attribute of NameFormat basic, which metadata does not offer as a claim type (it has no claim-type URI)", async () => {
    const f = workerWith({ ...DEV_CONFIG, relyingParties: DEV_CONFIG.relyingParties.map((p) => (p.identifier === RP ? { ...p, claimRules: [{ value: "engineering", as: "department", when: { claim: "role", equals: "admin" } }] } : p)) });
    const r = await trustWith(f, { ...alice, appliesTo: RP });
    expect(attributes(assertionIn(r.text)!)).toEqual({ department: ["urn:oasis:names:tc:SAML:2.0:attrname-format:basic", ["engineering"]] });
    const bob = await trustWith(f, { user: "bob", password: "builder", appliesTo: RP });
    expect(bob.text).not.toContain("AttributeStatement");
    const md = await (await f("/FederationMetadata/2007-06/FederationMetadata.xml")).text();
    expect(md).not.toContain('Uri="department"');
  });

  it("federation metadata offers the rule-made claim types", async () => {
    const text = await (await call("/FederationMetadata/2007-06/FederationMetadata.xml")).text();
    const offered = byTag(new DOMParser().parseFromString(text, "text/xml"), AUTH, "ClaimType").map((c) => c.getAttribute("Uri"));
    expect(offered).toEqual(expect.arrayContaining([`${ID}/emailaddress`, `${ID}/givenname`, ROLE, UPN, "http://schemas.xmlsoap.org/ws/2009/09/identity/claims/actor"]));
    expect(offered).not.toContain(`${ID}/surname`); // nobody holds one, no rule makes one
  });
});

describe("requested claims (wst:Claims)", () => {
  for (const soap of ["1.1", "1.2"] as const) {
    for (const t of ["13", "2005"] as const) {
      it(`SOAP ${soap}, WS-Trust ${t}: the token carries only the claims asked for; optional missing ones are left out`, async () => {
        const r = await trust({ ...alice, soap, trust: t, appliesTo: RP, extra: icClaims([[UPN], [`${ID}/givenname`, true], [`${ID}/surname`, true]]) });
        expect(r.status).toBe(200);
        expect(attributes(assertionIn(r.text)!)).toEqual({ [UPN]: [URI_FORMAT, ["alice@example.com"]], [`${ID}/givenname`]: [URI_FORMAT, ["Alice"]] });
      });

      it(`SOAP ${soap}, WS-Trust ${t}: a required claim nobody gives is wst:InvalidRequest naming it`, async () => {
        const r = await trust({ user: "bob", password: "builder", soap, trust: t, appliesTo: RP, extra: icClaims([[UPN], [`${ID}/givenname`, false]]) });
        expect(r.status).toBe(soap === "1.1" ? 500 : 400);
        expect(faultCode(r.text)).toBe("wst:InvalidRequest");
        expect(r.text).toContain(`The required claim '${ID}/givenname' is not available`);
        expect(r.text).not.toContain("saml:Assertion");
      });
    }
  }

  it("wst:SecondaryParameters/wst:Claims (what WCF passes on from the relying party's policy) is read when the request has none of its own", async () => {
    const secondary = (claims: string) => `<wst:SecondaryParameters>${claims}</wst:SecondaryParameters>`;
    const r = await trust({ ...alice, appliesTo: RP, extra: secondary(icClaims([[UPN]])) });
    expect(attributes(assertionIn(r.text)!)).toEqual({ [UPN]: [URI_FORMAT, ["alice@example.com"]] });
    const own = await trust({ ...alice, appliesTo: RP, extra: icClaims([[ROLE]]) + secondary(icClaims([[UPN]])) });
    expect(Object.keys(attributes(assertionIn(own.text)!))).toEqual([ROLE]);
  });

  it("a wst:Claims naming no claim type asks for nothing in particular: the relying party's policy decides, as without one", async () => {
    const plain = await trust({ ...alice, appliesTo: RP });
    const expected = attributes(assertionIn(plain.text)!);
    expect(Object.keys(expected)).toContain(UPN);
    for (const empty of [icClaims([]), authClaims([])]) {
      const r = await trust({ ...alice, appliesTo: RP, extra: empty });
      expect(r.status).toBe(200);
      expect(attributes(assertionIn(r.text)!)).toEqual(expected);
    }
  });

  it("auth:Value keeps only that value; a required value the subject lacks is refused", async () => {
    const ok = await trust({ ...alice, appliesTo: RP, extra: authClaims([[ROLE, false, "admin"], [UPN, true]]) });
    expect(attributes(assertionIn(ok.text)!)).toEqual({ [ROLE]: [URI_FORMAT, ["admin"]], [UPN]: [URI_FORMAT, ["alice@example.com"]] });
    const bob = await trust({ user: "bob", password: "builder", trust: "2005", soap: "1.1", appliesTo: RP, extra: authClaims([[ROLE, false, "admin"]]) });
    expect(faultCode(bob.text)).toBe("wst:InvalidRequest");
    expect(bob.text).toContain(`The required claim '${ROLE}' does not have the requested value`);
    // A value split by an element is not read as its text run together.
    const split = await trust({ ...alice, appliesTo: RP, extra: authClaims([[ROLE, false, "ad<auth:Hint/>min"]]) });
    expect(faultCode(split.text)).toBe("wst:InvalidRequest");
    expect(split.text).toContain("must be text only");
  });

  it("a JWT: claims are matched by URI or JWT name", async () => {
    const r = await trust({ ...alice, appliesTo: RP, tokenType: TT.jwt, extra: icClaims([[UPN], ["given_name", true]]) });
    const p = jwtParts(jwtIn(r.text)!).payload;
    expect(p.upn).toBe("alice@example.com");
    expect(p.given_name).toBe("Alice");
    expect(p.email).toBeUndefined();
    expect(p.roles).toBeUndefined();
  });

  it("never widen: a claim the relying party's policy withholds is refused even though alice has it", async () => {
    const f = workerWith({ ...DEV_CONFIG, relyingParties: DEV_CONFIG.relyingParties.map((p) => (p.identifier === RP ? { identifier: RP, defaultTokenType: "saml2", claims: ["email"] } : p)) });
    const r = await trustWith(f, { ...alice, appliesTo: RP, extra: icClaims([[ROLE]]) });
    expect(r.fault).toBe("wst:InvalidRequest");
    const ok = await trustWith(f, { ...alice, appliesTo: RP, extra: icClaims([[ROLE, true], [`${ID}/emailaddress`]]) });
    expect(attributes(assertionIn(ok.text)!)).toEqual({ [`${ID}/emailaddress`]: [URI_FORMAT, ["alice@example.com"]] });
  });

  it("a claims list naming claim-type URIs releases those claims, and a request may require them", async () => {
    const f = workerWith({ ...DEV_CONFIG, relyingParties: DEV_CONFIG.relyingParties.map((p) => (p.identifier === RP ? { identifier: RP, defaultTokenType: "saml2", claims: [`${ID}/emailaddress`, ROLE] } : p)) });
    const all = await trustWith(f, { ...alice, appliesTo: RP });
    expect(attributes(assertionIn(all.text)!)).toEqual({ [`${ID}/emailaddress`]: [URI_FORMAT, ["alice@example.com"]], [ROLE]: [URI_FORMAT, ["admin", "user"]] });
    const asked = await trustWith(f, { ...alice, appliesTo: RP, extra: icClaims([[`${ID}/emailaddress`]]) });
    expect(attributes(assertionIn(asked.text)!)).toEqual({ [`${ID}/emailaddress`]: [URI_FORMAT, ["alice@example.com"]] });
  });

  it("in a batch, each item's claims are its own; an item asking for a missing claim fails alone", async () => {
    const item = (ctx: string, claims: string) =>
      `<wst:RequestSecurityToken Context="${ctx}"><wst:RequestType>${NS.t13}/BatchIssue</wst:RequestType><wsp:AppliesTo xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy"><wsa:EndpointReference><wsa:Address>${RP}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>${claims}</wst:RequestSecurityToken>`;
    const body = `<wst:RequestSecurityTokenCollection xmlns:wst="${NS.t13}">${item("a", icClaims([[UPN]]))}${item("b", icClaims([[`${ID}/surname`]]))}</wst:RequestSecurityTokenCollection>`;
    const r = await trust({ ...alice, body });
    expect(r.status).toBe(200);
    const [a, b] = byTag(r.doc, NS.t13, "RequestSecurityTokenResponse");
    expect(Object.keys(attributes(byTag(a!, NS.saml2, "Assertion").map((x) => x.toString())[0]!))).toEqual([UPN]);
    expect(byTag(b!, NS.t13, "Reason")[0]!.textContent).toContain(`wst:InvalidRequest: The required claim '${ID}/surname'`);
  });

  it("Renew keeps the token's claims: the request it was issued for renews it (as CXF sends it again), one for other claims is refused naming the difference", async () => {
    const validator = { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" };
    const renew = (tok: string, claims: string) => trust({ ...validator, requestType: "Renew", extra: `<wst:RenewTarget>${tok}</wst:RenewTarget>${claims}` });
    const tok = assertionIn((await trust({ ...alice, appliesTo: RP, extra: icClaims([[UPN], [ROLE]]) })).text)!;
    const refused: [string, string][] = [
      [icClaims([[UPN]]), `the request leaves out its claim '${ROLE}'`],
      [authClaims([[UPN, false], [ROLE, false, "admin"]]), `the request leaves out values of its claim '${ROLE}'`],
      [icClaims([[UPN], [ROLE], [`${ID}/givenname`]]), `it does not state the required claim '${ID}/givenname'`],
      [authClaims([[UPN, false], [ROLE, false, "auditor"]]), `it does not state the required claim '${ROLE}' with the requested value`],
    ];
    for (const [claims, why] of refused) {
      const r = await renew(tok, claims);
      expect(faultCode(r.text), why).toBe("wst:InvalidRequest");
      expect(r.text).toContain(`wst:Claims asks for other claims than the token to renew states (${why}): a renewal keeps the token's claims`);
    }
    const own = await renew(tok, `<wst:SecondaryParameters>${icClaims([[ROLE], [UPN], [`${ID}/givenname`, true]])}</wst:SecondaryParameters>`);
    expect(own.status, own.text.slice(0, 400)).toBe(200);
    expect(attributes(assertionIn(own.text)!)).toEqual(attributes(tok));
    // A JWT names the role `roles` (the rule's JWT name): the role claim type still describes it.
    const jwt = jwtIn((await trust({ ...alice, appliesTo: RP, tokenType: TT.jwt, extra: icClaims([[ROLE]]) })).text)!;
    expect(Object.keys(jwtParts(jwt).payload)).toContain("roles");
    const renewed = await renew(jwtBst(jwt), icClaims([[ROLE]]));
    expect(renewed.status, renewed.text.slice(0, 400)).toBe(200);
    expect(jwtParts(jwtIn(renewed.text)!).payload.roles).toEqual(jwtParts(jwt).payload.roles);
  });

  it("Validate-transformation narrows the new token to the claims asked for", async () => {
    const tok = assertionIn((await trust({ ...alice, appliesTo: RP })).text)!;
    const r = await trust({ ...alice, requestType: "Validate", tokenType: TT.jwt, appliesTo: RP, extra: `<wst:ValidateTarget>${tok}</wst:ValidateTarget>${icClaims([[UPN]])}` });
    expect(r.status).toBe(200);
    const p = jwtParts(jwtIn(r.text)!).payload;
    expect(p.upn).toBe("alice@example.com");
    expect(p.email).toBeUndefined();
    const refused = await trust({ ...alice, trust: "2005", soap: "1.1", requestType: "Validate", tokenType: TT.saml1, appliesTo: RP, extra: `<wst:ValidateTarget>${tok}</wst:ValidateTarget>`.replaceAll(NS.t13, NS.t05) + icClaims([[`${ID}/surname`]]) });
    expect(faultCode(refused.text)).toBe("wst:InvalidRequest");
  });

  describe("OnBehalfOf and ActAs", () => {
    const f = workerWith({
      ...DEV_CONFIG,
      serviceAccounts: [...(DEV_CONFIG.serviceAccounts ?? []), { username: "gateway", secretHashSecret: "DEV_RP_VALIDATOR_SECRET_HASH", allowedRelyingParties: [RP], operations: ["issue"] }],
    });
    const gateway = { user: "gateway", password: "rp-validator-secret-0f1e2d3c4b5a6978" };

    for (const [mode, wrap] of [
      ["OnBehalfOf", (t: string) => `<wst:OnBehalfOf>${t}</wst:OnBehalfOf>`],
      ["ActAs", (t: string) => `<wst14:ActAs xmlns:wst14="${WST14}">${t}</wst14:ActAs>`],
    ] as const) {
      it(`${mode}: the token for alice carries her rule-made claims, narrowed by the request`, async () => {
        const jwt = jwtIn((await trustWith(f, { ...alice, appliesTo: RP, tokenType: TT.jwt })).text)!;
        const r = await trustWith(f, { ...gateway, appliesTo: RP, extra: wrap(jwtBst(jwt)) + authClaims([[UPN, false], [ROLE, false, "user"]]) });
        expect(r.status).toBe(200);
        const attrs = attributes(assertionIn(r.text)!);
        expect(attrs[UPN]).toEqual([URI_FORMAT, ["alice@example.com"]]);
        expect(attrs[ROLE]).toEqual([URI_FORMAT, ["user"]]);
        expect(attrs[`${ID}/emailaddress`]).toBeUndefined();
        const refused = await trustWith(f, { ...gateway, appliesTo: RP, extra: wrap(jwtBst(jwt)) + icClaims([[`${ID}/surname`]]) });
        expect(refused.fault).toBe("wst:InvalidRequest");
      });
    }

    it("the actor claim type federation metadata offers may be required: ActAs states it, OnBehalfOf (no actor) is refused naming it", async () => {
      const ACTOR = "http://schemas.xmlsoap.org/ws/2009/09/identity/claims/actor";
      const jwt = jwtIn((await trustWith(f, { ...alice, appliesTo: RP, tokenType: TT.jwt })).text)!;
      const actAs = await trustWith(f, { ...gateway, appliesTo: RP, extra: `<wst14:ActAs xmlns:wst14="${WST14}">${jwtBst(jwt)}</wst14:ActAs>` + icClaims([[ACTOR], [UPN]]) });
      expect(actAs.status, actAs.text.slice(0, 400)).toBe(200);
      expect(attributes(assertionIn(actAs.text)!)).toEqual({ [UPN]: [URI_FORMAT, ["alice@example.com"]], [ACTOR]: [URI_FORMAT, ["gateway"]] });
      const valued = await trustWith(f, { ...gateway, appliesTo: RP, extra: `<wst14:ActAs xmlns:wst14="${WST14}">${jwtBst(jwt)}</wst14:ActAs>` + authClaims([[ACTOR, false, "gateway"]]) });
      expect(valued.status).toBe(200);
      const obo = await trustWith(f, { ...gateway, appliesTo: RP, extra: `<wst:OnBehalfOf>${jwtBst(jwt)}</wst:OnBehalfOf>` + icClaims([[ACTOR]]) });
      expect(obo.fault).toBe("wst:InvalidRequest");
      expect(obo.text).toContain(`The required claim '${ACTOR}' is not available`);
    });
  });
});
