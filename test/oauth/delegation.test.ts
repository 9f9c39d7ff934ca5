/**
 * What a delegated token carries into every token made from it, whatever the format: its whole
 * `act` chain (SAML states it in the actor attribute, one value per actor, the party acting now
 * first), so neither the chain nor its limit is lost by a trip through SAML; and its `may_act`
 * (RFC 8693 §4.4; SAML: our may_act attribute) when no actor is added, so no derived token lets
 * a party the restriction leaves out act for the subject.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DOMParser } from "@xmldom/xmldom";
import type { Element } from "@xmldom/xmldom";
import { NS, TT } from "../helpers/soap.ts";
import { GATEWAY, IDP, assertionIn, delegationWorker, jwtBst, jwtIn, jwtVia, trustWith } from "../hostile/configured.ts";
import { VALIDATOR } from "../hostile/helpers.ts";
import { API, RP, TX, b64url, exchange, jwtParts, post, unb64url, type Fetcher } from "./helpers.ts";
import { DEMO, STS_ADMIN, USER_ADMIN } from "../helpers/credentials.ts";

const WST14 = "http://docs.oasis-open.org/ws-sx/ws-trust/200802";
const ACTOR = "http://schemas.xmlsoap.org/ws/2009/09/identity/claims/actor";
const MAY_ACT = "urn:edge-sts:claims/may_act";

let f: Fetcher;
let idpToken: (claims?: Record<string, unknown>) => Promise<string>;

beforeAll(async () => {
  ({ f, idpToken } = await delegationWorker());
});


/** The values of a SAML token's attribute (by default the actor attribute), in document order. */
function actorValues(xml: string, saml: "saml2" | "saml1", name = ACTOR): string[] {
  const doc = new DOMParser().parseFromString(xml, "text/xml");
  const attrs = Array.from(doc.getElementsByTagNameNS(NS[saml], "Attribute")).filter((a) =>
    saml === "saml2" ? a.getAttribute("Name") === name : `${a.getAttribute("AttributeNamespace")}/${a.getAttribute("AttributeName")}` === name,
  );
  expect(attrs.length).toBeLessThanOrEqual(1);
  return attrs.length === 0 ? [] : Array.from((attrs[0] as unknown as Element).getElementsByTagNameNS(NS[saml], "AttributeValue")).map((v) => v.textContent ?? "");
}

describe("a delegation chain survives SAML", () => {
  it("a chain of eight goes into SAML 2.0 and SAML 1.1 whole, outermost actor first, and comes back whole; a ninth actor is still refused", async () => {
    const actors = [await jwtVia(f, "bob", "builder"), await idpToken(), await jwtVia(f, "alice", "wonderland")];
    let t = await jwtVia(f, "alice", "wonderland");
    for (let i = 0; i < 8; i++) {
      const r = await exchange({ subject_token: t, subject_token_type: TX.jwt, audience: API, actor_token: actors[i % 3]!, actor_token_type: TX.jwt }, DEMO, f);
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      t = r.json.access_token as string;
    }
    const act = jwtParts(t).payload.act;
    // The newest actor outermost (RFC 8693 §4.1), another issuer's named in its namespace.
    const names: string[] = [];
    for (let a = act as { sub: string; iss?: string; act?: unknown } | undefined; a; a = a.act as typeof a) names.push(a.iss ? `${a.iss}#${a.sub}` : a.sub);
    expect(names).toEqual([`${IDP}#carol`, "bob", "alice", `${IDP}#carol`, "bob", "alice", `${IDP}#carol`, "bob"]);

    for (const kind of ["saml2", "saml1"] as const) {
      const s = await exchange({ subject_token: t, subject_token_type: TX.jwt, audience: RP, requested_token_type: TX[kind] }, DEMO, f);
      expect(s.status, JSON.stringify(s.json)).toBe(200);
      const saml = s.json.access_token as string;
      expect(actorValues(unb64url(saml), kind), kind).toEqual(names);
      // Introspection of the SAML token states the same chain.
      expect((await post("/oauth2/introspect", { token: saml }, DEMO, f)).json.act, kind).toEqual(act);
      // Exchanged back, the JWT nests the same chain...
      const back = await exchange({ subject_token: saml, subject_token_type: TX[kind], audience: API }, DEMO, f);
      expect(back.status, JSON.stringify(back.json)).toBe(200);
      expect(jwtParts(back.json.access_token as string).payload.act, kind).toEqual(act);
      // ...and neither it nor the SAML token takes a ninth actor.
      for (const [subject, type] of [[saml, TX[kind]], [back.json.access_token as string, TX.jwt]] as const) {
        const over = await exchange({ subject_token: subject, subject_token_type: type, audience: API, actor_token: actors[0]!, actor_token_type: TX.jwt }, DEMO, f);
        expect([over.status, over.json.error], kind).toEqual([400, "invalid_request"]);
      }
    }
  });

  it("WS-Trust ActAs writes the earlier chain after the requestor; OnBehalfOf keeps it as it is (SAML 2.0 and 1.1)", async () => {
    const delegated = (await exchange({ subject_token: await jwtVia(f, "alice", "wonderland"), subject_token_type: TX.jwt, audience: API, actor_token: await idpToken(), actor_token_type: TX.jwt }, DEMO, f)).json.access_token as string;
    expect(jwtParts(delegated).payload.act).toEqual({ sub: "carol", iss: IDP });
    for (const [kind, tokenType] of [["saml2", TT.saml2], ["saml1", TT.saml1]] as const) {
      const actAs = await trustWith(f, { ...GATEWAY, appliesTo: RP, tokenType, extra: `<wst14:ActAs xmlns:wst14="${WST14}">${jwtBst(delegated)}</wst14:ActAs>` });
      expect(actAs.fault, kind).toBeUndefined();
      const a = assertionIn(actAs.text)!;
      expect(actorValues(a, kind), kind).toEqual(["gateway", `${IDP}#carol`]);
      const back = await exchange({ subject_token: b64url(a), subject_token_type: TX[kind], audience: API }, DEMO, f);
      expect(jwtParts(back.json.access_token as string).payload.act, kind).toEqual({ sub: "gateway", act: { sub: "carol", iss: IDP } });

      const obo = await trustWith(f, { ...GATEWAY, appliesTo: RP, tokenType, extra: `<wst:OnBehalfOf>${jwtBst(delegated)}</wst:OnBehalfOf>` });
      expect(obo.fault, kind).toBeUndefined();
      expect(actorValues(assertionIn(obo.text)!, kind), kind).toEqual([`${IDP}#carol`]);
    }
  });
});

describe("a may_act is carried into every token made from its token without a new actor", () => {
  /** An exchange of `subject` with `actor` as actor token, for the API. */
  const withActor = (subject: string, type: string, actor: string) =>
    exchange({ subject_token: subject, subject_token_type: type, audience: API, actor_token: actor, actor_token_type: TX.jwt }, DEMO, f);

  it("a plain exchange keeps it, as JWT may_act and as the SAML 2.0 / 1.1 attribute, and another actor is still refused", async () => {
    // erin's issuer lets only its dave act for her; bob (ours) and its mallory are refused.
    const erin = await idpToken({ sub: "erin", may_act: { sub: "dave" } });
    const dave = await idpToken({ sub: "dave" });
    const bob = await jwtVia(f, "bob", "builder");
    const mallory = await idpToken({ sub: "mallory" });
    expect((await withActor(erin, TX.jwt, bob)).json.error).toBe("invalid_grant");

    const plain = await exchange({ subject_token: erin, subject_token_type: TX.jwt, audience: API }, DEMO, f);
    expect(plain.status).toBe(200);
    const jwt = plain.json.access_token as string;
    expect(jwtParts(jwt).payload.may_act).toEqual({ sub: "dave", iss: IDP });
    // Introspection tells a resource server the restriction as well.
    expect((await post("/oauth2/introspect", { token: jwt }, DEMO, f)).json.may_act).toEqual({ sub: "dave", iss: IDP });
    for (const other of [bob, mallory]) {
      const r = await withActor(jwt, TX.jwt, other);
      expect([r.status, r.json.error]).toEqual([400, "invalid_grant"]);
      expect(r.json.error_description).toContain("may_act");
    }
    // The party it names may still act; the token it gets has used the restriction up.
    const ok = await withActor(jwt, TX.jwt, dave);
    expect(ok.status).toBe(200);
    expect(jwtParts(ok.json.access_token as string).payload).toMatchObject({ act: { sub: "dave", iss: IDP } });
    expect(jwtParts(ok.json.access_token as string).payload.may_act).toBeUndefined();

    for (const kind of ["saml2", "saml1"] as const) {
      const s = await exchange({ subject_token: jwt, subject_token_type: TX.jwt, audience: RP, requested_token_type: TX[kind] }, DEMO, f);
      expect(s.status, JSON.stringify(s.json)).toBe(200);
      const saml = s.json.access_token as string;
      expect(actorValues(unb64url(saml), kind, MAY_ACT), kind).toEqual([`${IDP}#dave`]);
      expect((await post("/oauth2/introspect", { token: saml }, DEMO, f)).json.may_act, kind).toEqual({ sub: "dave", iss: IDP });
      expect((await withActor(saml, TX[kind], bob)).json.error, kind).toBe("invalid_grant");
      expect((await withActor(saml, TX[kind], dave)).status, kind).toBe(200);
      const back = await exchange({ subject_token: saml, subject_token_type: TX[kind], audience: API }, DEMO, f);
      expect(jwtParts(back.json.access_token as string).payload.may_act, kind).toEqual({ sub: "dave", iss: IDP });
      expect((await withActor(back.json.access_token as string, TX.jwt, bob)).json.error, kind).toBe("invalid_grant");
    }
  });

  it("an issuer whose subjects are ours: alice's may_act naming carol keeps bob out after a plain exchange, and grants bob nothing over WS-Trust", async () => {
    const local = await delegationWorker({ localSubjects: true });
    const bob = await jwtVia(local.f, "bob", "builder");
    const alice = await local.idpToken({ sub: "alice", may_act: { sub: "carol" } });
    const plain = await exchange({ subject_token: alice, subject_token_type: TX.jwt, audience: API }, DEMO, local.f);
    expect(jwtParts(plain.json.access_token as string).payload).toMatchObject({ sub: "alice", may_act: { sub: "carol" } });
    const r = await exchange({ subject_token: plain.json.access_token as string, subject_token_type: TX.jwt, audience: API, actor_token: bob, actor_token_type: TX.jwt }, DEMO, local.f);
    expect([r.status, r.json.error]).toEqual([400, "invalid_grant"]);
    // A carried may_act only restricts: one naming bob, from an issuer that may not grant, does
    // not become our grant for bob to act as alice over WS-Trust.
    const forBob = (await exchange({ subject_token: await local.idpToken({ sub: "alice", may_act: { sub: "bob" } }), subject_token_type: TX.jwt, audience: API }, DEMO, local.f)).json.access_token as string;
    expect(jwtParts(forBob).payload.may_act).toEqual({ sub: "bob" });
    for (const extra of [`<wst14:ActAs xmlns:wst14="${WST14}">${jwtBst(forBob)}</wst14:ActAs>`, `<wst:OnBehalfOf>${jwtBst(forBob)}</wst:OnBehalfOf>`]) {
      expect((await trustWith(local.f, { user: "bob", password: "builder", appliesTo: RP, extra })).fault).toBe("wst:RequestFailed");
    }
  });

  it("WS-Trust OnBehalfOf, Validate-transformation and Renew keep it; ActAs adds an actor and does not", async () => {
    const erin = await idpToken({ sub: "erin", may_act: { sub: "dave" } });
    const bob = await jwtVia(f, "bob", "builder");
    const obo = await trustWith(f, { ...GATEWAY, appliesTo: RP, tokenType: TT.saml2, extra: `<wst:OnBehalfOf>${jwtBst(erin)}</wst:OnBehalfOf>` });
    expect(obo.fault).toBeUndefined();
    const oboSaml = assertionIn(obo.text)!;
    expect(actorValues(oboSaml, "saml2", MAY_ACT)).toEqual([`${IDP}#dave`]);
    expect((await withActor(b64url(oboSaml), TX.saml2, bob)).json.error).toBe("invalid_grant");

    const transformed = await trustWith(f, {
      ...GATEWAY, requestType: "Validate", tokenType: TT.jwt, appliesTo: API, extra: `<wst:ValidateTarget>${oboSaml}</wst:ValidateTarget>`,
    });
    expect(transformed.fault).toBeUndefined();
    const tjwt = jwtIn(transformed.text)!;
    expect(jwtParts(tjwt).payload.may_act).toEqual({ sub: "dave", iss: IDP });
    expect((await withActor(tjwt, TX.jwt, bob)).json.error).toBe("invalid_grant");

    const renew = (target: string) => trustWith(f, { ...VALIDATOR, requestType: "Renew", extra: `<wst:RenewTarget>${target}</wst:RenewTarget>` });
    expect(actorValues(assertionIn((await renew(oboSaml)).text)!, "saml2", MAY_ACT)).toEqual([`${IDP}#dave`]);
    expect(jwtParts(jwtIn((await renew(jwtBst(tjwt))).text)!).payload.may_act).toEqual({ sub: "dave", iss: IDP });

    const actAs = await trustWith(f, { ...GATEWAY, appliesTo: API, tokenType: TT.jwt, extra: `<wst14:ActAs xmlns:wst14="${WST14}">${jwtBst(erin)}</wst14:ActAs>` });
    expect(actAs.fault).toBeUndefined();
    expect(jwtParts(jwtIn(actAs.text)!).payload).toMatchObject({ sub: `${IDP}#erin`, act: { sub: "gateway" } });
    expect(jwtParts(jwtIn(actAs.text)!).payload.may_act).toBeUndefined();
  });

  it("a may_act naming no party we can name is not dropped: a token made from it is refused", async () => {
    const erin = await idpToken({ sub: "erin", may_act: { sub: "dave", iss: "https://other.example" } });
    for (const requested of [TX.jwt, TX.saml2]) {
      const r = await exchange({ subject_token: erin, subject_token_type: TX.jwt, audience: RP, requested_token_type: requested }, DEMO, f);
      expect([r.status, r.json.error], requested).toEqual([400, "invalid_request"]);
      expect(r.json.error_description).toContain("may_act");
    }
    const obo = await trustWith(f, { ...GATEWAY, appliesTo: RP, extra: `<wst:OnBehalfOf>${jwtBst(erin)}</wst:OnBehalfOf>` });
    expect(obo.fault).toBe("wst:InvalidRequest");
  });

  it("no claim of a person becomes a may_act: a partner's claim under the attribute's name is neither written nor read as one", async () => {
    const erin = await idpToken({ sub: "erin", [MAY_ACT]: "dave" });
    const s = await exchange({ subject_token: erin, subject_token_type: TX.jwt, audience: RP, requested_token_type: TX.saml2 }, DEMO, f);
    expect(s.status).toBe(200);
    expect(unb64url(s.json.access_token as string)).not.toContain(MAY_ACT);
    const back = await exchange({ subject_token: s.json.access_token as string, subject_token_type: TX.saml2, audience: API }, DEMO, f);
    expect(jwtParts(back.json.access_token as string).payload.may_act).toBeUndefined();
    expect((await withActor(back.json.access_token as string, TX.jwt, await jwtVia(f, "bob", "builder"))).status).toBe(200);
  });
});

// Defect: revoking a party's tokens (revoke-subject, revokeTokens) left every token in which it
// acts for someone else valid: introspection active, exchangeable, renewable.
describe("a delegated token is its actor's too", () => {
  const ADMIN = { authorization: USER_ADMIN, "content-type": "application/json" };
  const REVOKER = { authorization: STS_ADMIN, "content-type": "application/json" };
  const STATUS = `${NS.t13}/RSTR/Status`;
  const validates = async (target: string) =>
    (await trustWith(f, { user: "alice", password: "wonderland", requestType: "Validate", tokenType: STATUS, extra: `<wst:ValidateTarget>${target}</wst:ValidateTarget>` })).text.includes("/status/valid<");

  it("revoking the actor's tokens revokes the tokens it acts in, in every door; the subject's own tokens stay good", async () => {
    const eve = `eve-${crypto.randomUUID().slice(0, 8)}`;
    const made = await f("/admin/users", { method: "POST", headers: ADMIN, body: JSON.stringify({ username: eve, password: "correct-horse-1" }) });
    expect(made.status).toBe(201);
    const alice = await jwtVia(f, "alice", "wonderland");
    const actor = await jwtVia(f, eve, "correct-horse-1");
    const jwt = (await exchange({ subject_token: alice, subject_token_type: TX.jwt, actor_token: actor, actor_token_type: TX.jwt, audience: API }, DEMO, f)).json.access_token as string;
    expect(jwtParts(jwt).payload.act).toEqual({ sub: eve });
    const samlX = await exchange({ subject_token: alice, subject_token_type: TX.jwt, actor_token: actor, actor_token_type: TX.jwt, audience: RP, requested_token_type: TX.saml2 }, DEMO, f);
    const saml = unb64url(samlX.json.access_token as string);
    expect(actorValues(saml, "saml2")).toEqual([eve]);
    // ActAs: the service account that asks is the actor.
    const actAs = assertionIn((await trustWith(f, { ...GATEWAY, appliesTo: RP, extra: `<wst14:ActAs xmlns:wst14="${WST14}">${jwtBst(alice)}</wst14:ActAs>` })).text)!;
    expect(actorValues(actAs, "saml2")).toEqual(["gateway"]);
    for (const t of [jwtBst(jwt), saml, actAs]) expect(await validates(t)).toBe(true);
    expect((await post("/oauth2/introspect", { token: jwt }, DEMO, f)).json.active).toBe(true);

    const patched = await f(`/admin/users/${eve}`, { method: "PATCH", headers: ADMIN, body: JSON.stringify({ revokeTokens: true }) });
    expect(patched.status).toBe(200);
    const revoked = await f("/admin/revoke-subject", { method: "POST", headers: REVOKER, body: JSON.stringify({ subject: "gateway" }) });
    expect(revoked.status).toBe(200);

    for (const [what, t] of [["JWT", jwtBst(jwt)], ["SAML", saml], ["ActAs", actAs]] as const) expect(await validates(t), what).toBe(false);
    expect((await post("/oauth2/introspect", { token: jwt }, DEMO, f)).json.active).toBe(false);
    expect((await post("/oauth2/introspect", { token: b64url(saml) }, DEMO, f)).json.active).toBe(false);
    const again = await exchange({ subject_token: jwt, subject_token_type: TX.jwt, audience: API }, DEMO, f);
    expect([again.status, again.json.error]).toEqual([400, "invalid_grant"]);
    const renewed = await trustWith(f, { ...VALIDATOR, requestType: "Renew", extra: `<wst:RenewTarget>${jwtBst(jwt)}</wst:RenewTarget>` });
    expect(renewed.fault).toBe("wst:UnableToRenew");
    // The subject's own token, and a token naming no revoked party, are as good as before.
    expect(await validates(jwtBst(alice))).toBe(true);
    const plain = (await exchange({ subject_token: alice, subject_token_type: TX.jwt, audience: API }, DEMO, f)).json.access_token as string;
    expect(await validates(jwtBst(plain))).toBe(true);
  });
});

// Defect: a disabled user got no token from a token of theirs, yet every token in which they
// acted for someone else still yielded new ones (exchange, OnBehalfOf, transformation, Renew).
describe("a delegated token whose actor is disabled", () => {
  const ADMIN = { authorization: USER_ADMIN, "content-type": "application/json" };

  it("yields no new token by any route, though it stays valid until revoked; with the actor enabled again it does", async () => {
    const eve = `eve-${crypto.randomUUID().slice(0, 8)}`;
    expect((await f("/admin/users", { method: "POST", headers: ADMIN, body: JSON.stringify({ username: eve, password: "correct-horse-1" }) })).status).toBe(201);
    const alice = await jwtVia(f, "alice", "wonderland");
    const actor = await jwtVia(f, eve, "correct-horse-1");
    const jwt = (await exchange({ subject_token: alice, subject_token_type: TX.jwt, actor_token: actor, actor_token_type: TX.jwt, audience: API }, DEMO, f)).json.access_token as string;
    const setEnabled = async (enabled: boolean) =>
      expect((await f(`/admin/users/${eve}`, { method: "PATCH", headers: ADMIN, body: JSON.stringify(enabled ? { enabled: true } : { enabled: false }) })).status).toBe(200);
    const routes = async () => ({
      exchange: (await exchange({ subject_token: jwt, subject_token_type: TX.jwt, audience: API }, DEMO, f)).text,
      onBehalfOf: (await trustWith(f, { ...GATEWAY, appliesTo: API, tokenType: TT.jwt, extra: `<wst:OnBehalfOf>${jwtBst(jwt)}</wst:OnBehalfOf>` })).text,
      transform: (await trustWith(f, { user: "alice", password: "wonderland", requestType: "Validate", tokenType: TT.jwt, appliesTo: API, extra: `<wst:ValidateTarget>${jwtBst(jwt)}</wst:ValidateTarget>` })).text,
      renew: (await trustWith(f, { ...VALIDATOR, requestType: "Renew", extra: `<wst:RenewTarget>${jwtBst(jwt)}</wst:RenewTarget>` })).text,
    });
    await setEnabled(false);
    for (const [route, text] of Object.entries(await routes())) {
      expect(text, route).toContain("The account of a party acting in the token is disabled.");
      expect(text, route).not.toMatch(/access_token|RequestedSecurityToken>/);
    }
    const status = await trustWith(f, { user: "alice", password: "wonderland", requestType: "Validate", tokenType: `${NS.t13}/RSTR/Status`, extra: `<wst:ValidateTarget>${jwtBst(jwt)}</wst:ValidateTarget>` });
    expect(status.text).toContain("/status/valid<");
    await setEnabled(true);
    const r = await routes();
    expect(r.exchange).toContain("access_token");
    for (const route of ["onBehalfOf", "transform", "renew"] as const) expect(r[route], route).toContain("RequestedSecurityToken>");
  });
});
