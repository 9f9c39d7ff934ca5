/**
 * Pairwise subjects, black box over HTTP with the development configuration: the two pairwise
 * relying parties (each its own sector) see stable pseudonyms that differ from each other and
 * from the user's name, on every path that mints for them, and the tokens keep their lifecycle.
 */
import { describe, expect, it } from "vitest";
import { NS, TT, soapHeaders } from "../helpers/soap.ts";
import { ORIGIN, call, faultCode, postSoap, trust } from "../helpers/worker.ts";
import { signedEnvelope } from "../helpers/wss-sign.ts";
import ALICE_CERT from "../fixtures/dev-credentials/alice-client.cert.pem?raw";
import ALICE_KEY from "../fixtures/dev-credentials/alice-client.key.pem?raw";
import { API, RP, TX, b64url, exchange, jwtParts, post, unb64url } from "../oauth/helpers.ts";
import { DEV_CONFIG } from "../../src/config/dev.ts";
import { assertionIn as assertionOf, jwtBst as asBst, jwtIn, trustWith, workerWith } from "../hostile/configured.ts";
import { DEMO, STS_ADMIN, USER_ADMIN } from "../helpers/credentials.ts";

const PW_SAML = "urn:example:pairwise-rp";
const PW_SAML_SECTOR = "urn:example:sector:pairwise-rp";
const PW_API = "https://pairwise-api.example.com/";
const PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
const alice = { user: "alice", password: "wonderland" };
const bob = { user: "bob", password: "builder" };
const validator = { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" };
const STATUS_VALID = `${NS.t13}/status/valid`;
const STATUS_INVALID = `${NS.t13}/status/invalid`;
const COMBOS = [["1.1", "13"], ["1.2", "13"], ["1.1", "2005"], ["1.2", "2005"]] as const;

const jwtOf = (text: string) => jwtIn(text)!;
const nameIdOf = (xml: string) => /<saml:NameID ([^>]*)>([^<]*)<\/saml:NameID>/.exec(xml);
const statusCode = (text: string) => /<wst:Code>([^<]+)<\/wst:Code>/.exec(text)?.[1];

async function samlFor(who = alice, appliesTo = PW_SAML, tokenType = TT.saml2, soap: "1.1" | "1.2" = "1.2", version: "13" | "2005" = "13"): Promise<string> {
  const r = await trust({ ...who, appliesTo, tokenType, soap, trust: version });
  expect(r.status, r.text).toBe(200);
  return assertionOf(r.text)!;
}

async function jwtFor(who = alice, appliesTo = PW_API): Promise<string> {
  const r = await trust({ ...who, appliesTo, tokenType: TT.jwt });
  expect(r.status, r.text).toBe(200);
  return jwtOf(r.text);
}

const validate = (token: string, who: { user: string; password: string } = validator) =>
  trust({ ...who, requestType: "Validate", tokenType: `${NS.t13}/RSTR/Status`, extra: `<wst:ValidateTarget>${token}</wst:ValidateTarget>` });

describe("pairwise subjects over WS-Trust Issue", () => {
  it("SAML 2.0: a persistent NameID qualified by issuer and sector, the same over SOAP 1.1/1.2 and both WS-Trust versions", async () => {
    const seen = new Set<string>();
    for (const [soap, version] of COMBOS) {
      const tok = await samlFor(alice, PW_SAML, TT.saml2, soap, version);
      const m = nameIdOf(tok)!;
      expect(m[1]).toContain(`Format="${PERSISTENT}"`);
      expect(m[1]).toContain(`NameQualifier="${ORIGIN}"`);
      expect(m[1]).toContain(`SPNameQualifier="${PW_SAML_SECTOR}"`);
      expect(m[2]).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // The user's name appears nowhere: not as subject, not in the ID, not in a claim.
      expect(tok.toLowerCase()).not.toContain("alice");
      // Only the released claim (role): no e-mail address naming her.
      expect(tok).toContain("claims/role");
      expect(tok).not.toContain("emailaddress");
      seen.add(m[2]!);
    }
    expect(seen.size).toBe(1);
  });

  it("SAML 1.1 states the same pseudonym for the same sector, as a persistent NameIdentifier", async () => {
    const v2 = nameIdOf(await samlFor())![2];
    const v1 = await samlFor(alice, PW_SAML, TT.saml1);
    const m = /<saml:NameIdentifier ([^>]*)>([^<]*)</.exec(v1)!;
    expect(m[1]).toContain(`Format="${PERSISTENT}"`);
    expect(m[1]).toContain(`NameQualifier="${ORIGIN}"`);
    expect(m[2]).toBe(v2);
    expect(v1.toLowerCase()).not.toContain("alice");
  });

  it("JWT: another sector, another pseudonym; stable across requests; differs per user", async () => {
    const a1 = jwtParts(await jwtFor()).payload;
    const a2 = jwtParts(await jwtFor()).payload;
    const b = jwtParts(await jwtFor(bob)).payload;
    const samlPseudonym = nameIdOf(await samlFor())![2];
    expect(a1.sub).toBe(a2.sub);
    expect(a1.jti).not.toBe(a2.jti);
    expect(a1.sub).not.toBe(samlPseudonym);
    expect(b.sub).not.toBe(a1.sub);
    expect(JSON.stringify(a1).toLowerCase()).not.toContain("alice");
    expect(a1.role).toEqual(["admin", "user"]);
    expect(a1.email).toBeUndefined();
  });

  it("a requestor signing with a certificate (certificatemixed) gets the same pseudonym", async () => {
    const path = "/trust/13/certificatemixed";
    const action = `${NS.t13}/RST/Issue`;
    const payload =
      `<t:RequestSecurityToken xmlns:t="${NS.t13}"><t:TokenType>${TT.saml2}</t:TokenType><t:RequestType>${NS.t13}/Issue</t:RequestType>` +
      `<wsp:AppliesTo xmlns:wsp="${NS.wsp}"><a:EndpointReference xmlns:a="${NS.wsa}"><a:Address>${PW_SAML}</a:Address></a:EndpointReference></wsp:AppliesTo></t:RequestSecurityToken>`;
    const body = await signedEnvelope({ keyPem: ALICE_KEY, certPem: ALICE_CERT, soap: "1.2", payload, action, to: ORIGIN + path });
    const r = await postSoap({ path, headers: soapHeaders("1.2", action), body });
    expect(r.status, r.text).toBe(200);
    expect(nameIdOf(assertionOf(r.text)!)![2]).toBe(nameIdOf(await samlFor())![2]);
  });

  it("relying parties with public subjects still see the name", async () => {
    expect(nameIdOf(await samlFor(alice, RP))![2]).toBe("alice");
    expect(jwtParts(await jwtFor(alice, API)).payload.sub).toBe("alice");
  });
});

describe("pairwise subjects on derived tokens", () => {
  it("token exchange: a public token for a pairwise audience gives the sector's pseudonym", async () => {
    const direct = jwtParts(await jwtFor()).payload.sub;
    const fromSaml = await exchange({ subject_token: b64url(await samlFor(alice, RP)), subject_token_type: TX.saml2, audience: PW_API });
    expect(fromSaml.status, fromSaml.text).toBe(200);
    expect(jwtParts(fromSaml.json.access_token as string).payload.sub).toBe(direct);
  });

  it("token exchange: a pairwise token is not turned into the name it hides, nor into another sector's pseudonym (invalid_target)", async () => {
    const pw = await jwtFor();
    const toPublic = await exchange({ subject_token: pw, subject_token_type: TX.jwt, audience: API });
    expect(toPublic.status).toBe(400);
    expect(toPublic.json.error).toBe("invalid_target");
    expect(toPublic.json.error_description).toContain("subject_token");
    expect(toPublic.json.error_description).toContain("public subjects");
    expect(toPublic.text.toLowerCase()).not.toContain("alice");
    const toOtherSector = await exchange({ subject_token: b64url(await samlFor()), subject_token_type: TX.saml2, audience: PW_API });
    expect(toOtherSector.status).toBe(400);
    expect(toOtherSector.json.error).toBe("invalid_target");
    expect(toOtherSector.json.error_description).toContain("another sector");
    // Its own relying party, or its sector, is what a pairwise token serves.
    const same = await exchange({ subject_token: pw, subject_token_type: TX.jwt, audience: PW_API });
    expect(same.status, same.text).toBe(200);
    expect(jwtParts(same.json.access_token as string).payload.sub).toBe(jwtParts(pw).payload.sub);
  });

  it("token exchange: a pairwise actor_token acts only in its sector, named by its pseudonym there", async () => {
    const subject = await jwtFor(bob, API);
    const actorTok = await jwtFor();
    const there = await exchange({ subject_token: subject, subject_token_type: TX.jwt, actor_token: actorTok, actor_token_type: TX.jwt, audience: PW_API });
    expect(there.status, there.text).toBe(200);
    const payload = jwtParts(there.json.access_token as string).payload;
    expect(payload.act).toEqual({ sub: jwtParts(actorTok).payload.sub });
    expect(JSON.stringify(payload).toLowerCase()).not.toContain("alice");
    for (const audience of [API, PW_SAML]) {
      const r = await exchange({ subject_token: subject, subject_token_type: TX.jwt, actor_token: actorTok, actor_token_type: TX.jwt, audience });
      expect(r.status, audience).toBe(400);
      expect(r.json.error).toBe("invalid_target");
      expect(r.json.error_description).toContain("actor_token");
    }
  });

  for (const version of ["13", "2005"] as const) {
    it(`Validate-transformation (WS-Trust ${version}) of a pairwise token stays in its sector (wst:InvalidScope elsewhere)`, async () => {
      const tok = await samlFor();
      const ns = version === "13" ? NS.t13 : NS.t05;
      const transform = (appliesTo: string, tokenType: string) =>
        trust({ ...alice, trust: version, requestType: "Validate", tokenType, appliesTo, extra: `<wst:ValidateTarget xmlns:wst="${ns}">${tok}</wst:ValidateTarget>` });
      for (const [appliesTo, tokenType] of [[PW_API, TT.jwt], [RP, TT.saml2]] as const) {
        const r = await transform(appliesTo, tokenType);
        expect(faultCode(r.text), appliesTo).toMatch(/:InvalidScope$/);
        expect(r.text).toContain("The ValidateTarget token names its subject by a pairwise pseudonym");
        expect(r.text.toLowerCase()).not.toContain(">alice<");
      }
      const same = await transform(PW_SAML, TT.saml1);
      expect(same.status, same.text).toBe(200);
      expect(same.text).toContain(`>${nameIdOf(tok)![2]}<`);
    });
  }

  it("a batch Issue mints pairwise tokens too", async () => {
    const item = (appliesTo: string, tt: string, ctx: string) =>
      `<wst:RequestSecurityToken Context="${ctx}"><wst:TokenType>${tt}</wst:TokenType><wst:RequestType>${NS.t13}/BatchIssue</wst:RequestType>` +
      `<wsp:AppliesTo xmlns:wsp="${NS.wsp}"><wsa:EndpointReference><wsa:Address>${appliesTo}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo></wst:RequestSecurityToken>`;
    const body = `<wst:RequestSecurityTokenCollection xmlns:wst="${NS.t13}">${item(PW_SAML, TT.saml2, "a")}${item(PW_API, TT.jwt, "b")}</wst:RequestSecurityTokenCollection>`;
    const r = await trust({ ...alice, requestType: "Issue", body });
    expect(r.status, r.text).toBe(200);
    expect(nameIdOf(assertionOf(r.text)!)![2]).toBe(nameIdOf(await samlFor())![2]);
    expect(jwtParts(jwtOf(r.text)).payload.sub).toBe(jwtParts(await jwtFor()).payload.sub);
  });
});

describe("pairwise tokens derived within one sector", () => {
  const SECTOR = "urn:example:sector:shared";
  /** The two pairwise parties in one sector (a front end and its API), and a service account that may issue for both. */
  const f = workerWith({
    ...DEV_CONFIG,
    relyingParties: DEV_CONFIG.relyingParties.map((rp) => (rp.identifier === PW_SAML || rp.identifier === PW_API ? { ...rp, sectorIdentifier: SECTOR } : rp)),
    serviceAccounts: [
      ...(DEV_CONFIG.serviceAccounts ?? []),
      { username: "gateway", secretHashSecret: "DEV_RP_VALIDATOR_SECRET_HASH", allowedRelyingParties: [PW_SAML, PW_API, RP], operations: ["issue"] },
    ],
  });
  const gateway = { user: "gateway", password: "rp-validator-secret-0f1e2d3c4b5a6978" };
  const WST14 = "http://docs.oasis-open.org/ws-sx/ws-trust/200802";

  it("exchange, OnBehalfOf, ActAs and Validate-transformation give the same pseudonym to the other party of the sector", async () => {
    const saml = assertionOf((await trustWith(f, { ...alice, appliesTo: PW_SAML })).text)!;
    const pseudonym = nameIdOf(saml)![2]!;
    const x = await exchange({ subject_token: b64url(saml), subject_token_type: TX.saml2, audience: PW_API }, DEMO, f);
    expect(x.status, x.text).toBe(200);
    expect(jwtParts(x.json.access_token as string).payload.sub).toBe(pseudonym);
    const obo = await trustWith(f, { ...gateway, appliesTo: PW_API, tokenType: TT.jwt, extra: `<wst:OnBehalfOf>${saml}</wst:OnBehalfOf>` });
    expect(obo.status, obo.text).toBe(200);
    expect(jwtParts(jwtOf(obo.text)).payload.sub).toBe(pseudonym);
    const actAs = await trustWith(f, { ...gateway, appliesTo: PW_API, tokenType: TT.jwt, extra: `<wst14:ActAs xmlns:wst14="${WST14}">${saml}</wst14:ActAs>` });
    expect(actAs.status, actAs.text).toBe(200);
    expect(jwtParts(jwtOf(actAs.text)).payload).toMatchObject({ sub: pseudonym, act: { sub: "gateway" } });
    const v = await trustWith(f, { ...alice, requestType: "Validate", tokenType: TT.jwt, appliesTo: PW_API, extra: `<wst:ValidateTarget>${saml}</wst:ValidateTarget>` });
    expect(v.status, v.text).toBe(200);
    expect(jwtParts(jwtOf(v.text)).payload.sub).toBe(pseudonym);
  });

  it("OnBehalfOf and ActAs of a pairwise token for a public party are refused (wst:InvalidScope), over both WS-Trust versions", async () => {
    const saml = assertionOf((await trustWith(f, { ...alice, appliesTo: PW_SAML })).text)!;
    for (const version of ["13", "2005"] as const) {
      const ns = version === "13" ? NS.t13 : NS.t05;
      const obo = await trustWith(f, { ...gateway, trust: version, appliesTo: RP, extra: `<wst:OnBehalfOf xmlns:wst="${ns}">${saml}</wst:OnBehalfOf>` });
      expect(obo.fault).toMatch(/:InvalidScope$/);
      expect(obo.text).toContain("OnBehalfOf token names its subject by a pairwise pseudonym");
      expect(obo.text.toLowerCase()).not.toContain(">alice<");
    }
    const actAs = await trustWith(f, { ...gateway, appliesTo: RP, extra: `<wst14:ActAs xmlns:wst14="${WST14}">${saml}</wst14:ActAs>` });
    expect(actAs.fault).toBe("wst:InvalidScope");
    expect(actAs.text).toContain("ActAs token");
  });
});

describe("pairwise subjects on OnBehalfOf and ActAs", () => {
  const WST14 = "http://docs.oasis-open.org/ws-sx/ws-trust/200802";
  const gateway = { user: "gateway", password: "rp-validator-secret-0f1e2d3c4b5a6978" };

  /** The worker with the dev configuration plus a service account that may issue for the pairwise SAML party and urn:example:rp. */
  function withGateway() {
    const f = workerWith({
      ...DEV_CONFIG,
      serviceAccounts: [
        ...(DEV_CONFIG.serviceAccounts ?? []),
        { username: "gateway", secretHashSecret: "DEV_RP_VALIDATOR_SECRET_HASH", allowedRelyingParties: [PW_SAML, RP], operations: ["issue"] },
      ],
    });
    return async (o: Parameters<typeof trustWith>[1]) => (await trustWith(f, o)).text;
  }

  it("OnBehalfOf (both WS-Trust versions): alice's public token yields the sector's pseudonym; her pairwise token yields the same pseudonym, and not her name", async () => {
    const send = withGateway();
    const expected = nameIdOf(await samlFor())![2];
    for (const version of ["13", "2005"] as const) {
      const ns = version === "13" ? NS.t13 : NS.t05;
      const publicTok = assertionOf(await send({ ...alice, appliesTo: RP }))!;
      const r = assertionOf(await send({ ...gateway, trust: version, appliesTo: PW_SAML, extra: `<wst:OnBehalfOf xmlns:wst="${ns}">${publicTok}</wst:OnBehalfOf>` }))!;
      expect(nameIdOf(r)![2]).toBe(expected);
      expect(r.toLowerCase()).not.toContain("alice");
      const pairwiseTok = assertionOf(await send({ ...alice, appliesTo: PW_SAML }))!;
      const again = assertionOf(await send({ ...gateway, trust: version, appliesTo: PW_SAML, extra: `<wst:OnBehalfOf xmlns:wst="${ns}">${pairwiseTok}</wst:OnBehalfOf>` }))!;
      expect(nameIdOf(again)![2]).toBe(expected);
      const back = await send({ ...gateway, trust: version, appliesTo: RP, extra: `<wst:OnBehalfOf xmlns:wst="${ns}">${pairwiseTok}</wst:OnBehalfOf>` });
      expect(faultCode(back)).toMatch(/:InvalidScope$/);
    }
  });

  it("ActAs: the subject is the pseudonym, the actor keeps its name (actors are not pseudonymised)", async () => {
    const send = withGateway();
    const publicTok = assertionOf(await send({ ...alice, appliesTo: RP }))!;
    const r = assertionOf(await send({ ...gateway, appliesTo: PW_SAML, extra: `<wst14:ActAs xmlns:wst14="${WST14}">${publicTok}</wst14:ActAs>` }))!;
    expect(nameIdOf(r)![2]).toBe(nameIdOf(await samlFor())![2]);
    expect(r).toMatch(/claims\/actor"[^>]*><saml:AttributeValue>gateway</);
    expect(r.toLowerCase()).not.toContain("alice");
  });
});

describe("pairwise token lifecycle", () => {
  it("Validate, Renew (same pseudonym, new ID), Cancel of a pairwise SAML token, over both SOAP versions", async () => {
    for (const soap of ["1.1", "1.2"] as const) {
      const tok = await samlFor(alice, PW_SAML, TT.saml2, soap);
      expect(statusCode((await validate(tok)).text)).toBe(STATUS_VALID);
      // Alice manages her own pairwise token: it resolves to her.
      expect(statusCode((await validate(tok, alice)).text)).toBe(STATUS_VALID);
      expect(faultCode((await validate(tok, bob)).text)).toBe("wst:RequestFailed");
      const renewed = assertionOf((await trust({ ...validator, soap, requestType: "Renew", extra: `<wst:RenewTarget>${tok}</wst:RenewTarget>` })).text)!;
      expect(nameIdOf(renewed)![2]).toBe(nameIdOf(tok)![2]);
      expect(/ID="([^"]+)"/.exec(renewed)![1]).not.toBe(/ID="([^"]+)"/.exec(tok)![1]);
      expect(statusCode((await validate(renewed)).text)).toBe(STATUS_VALID);
      const c = await trust({ ...validator, soap, requestType: "Cancel", extra: `<wst:CancelTarget>${renewed}</wst:CancelTarget>` });
      expect(c.status, c.text).toBe(200);
      const v = await validate(renewed);
      expect(statusCode(v.text)).toBe(STATUS_INVALID);
      expect(v.text).toContain("revoked");
    }
  });

  it("a pairwise JWT validates, renews and cancels as a BinarySecurityToken", async () => {
    const jwt = await jwtFor();
    expect(statusCode((await validate(asBst(jwt))).text)).toBe(STATUS_VALID);
    const r = await trust({ ...validator, requestType: "Renew", extra: `<wst:RenewTarget>${asBst(jwt)}</wst:RenewTarget>` });
    expect(r.status, r.text).toBe(200);
    const renewed = jwtOf(r.text);
    expect(jwtParts(renewed).payload.sub).toBe(jwtParts(jwt).payload.sub);
    await trust({ ...validator, requestType: "Cancel", extra: `<wst:CancelTarget>${asBst(renewed)}</wst:CancelTarget>` });
    expect(statusCode((await validate(asBst(renewed))).text)).toBe(STATUS_INVALID);
  });

  it("introspection shows the pseudonym as sub; revocation of the single token makes it inactive", async () => {
    const x = await exchange({ subject_token: b64url(await samlFor(alice, RP)), subject_token_type: TX.saml2, audience: PW_API });
    const at = x.json.access_token as string;
    const i = await post("/oauth2/introspect", { token: at });
    expect(i.json.active).toBe(true);
    expect(i.json.sub).toBe(jwtParts(at).payload.sub);
    expect(i.text.toLowerCase()).not.toContain("alice");
    expect((await post("/oauth2/revoke", { token: at })).status).toBe(200);
    expect((await post("/oauth2/introspect", { token: at })).json).toEqual({ active: false });
  });

  it("revoking the subject alice revokes her pairwise tokens of both sectors; bob's stay valid", async () => {
    const saml = await samlFor();
    const jwt = await jwtFor();
    const bobs = await samlFor(bob);
    await new Promise((r) => setTimeout(r, 5));
    const res = await call("/admin/revoke-subject", { method: "POST", headers: { authorization: STS_ADMIN, "content-type": "application/json" }, body: JSON.stringify({ subject: "alice" }) });
    expect(res.status).toBe(200);
    expect(statusCode((await validate(saml)).text)).toBe(STATUS_INVALID);
    expect(statusCode((await validate(asBst(jwt))).text)).toBe(STATUS_INVALID);
    expect(statusCode((await validate(bobs)).text)).toBe(STATUS_VALID);
  });
});

describe("an actor named by its pairwise pseudonym", () => {
  const WST14 = "http://docs.oasis-open.org/ws-sx/ws-trust/200802";
  const gateway = { user: "gateway", password: "rp-validator-secret-0f1e2d3c4b5a6978" };
  /** The dev configuration plus a service account that may issue for the pairwise SAML party (ActAs). */
  const f = workerWith({
    ...DEV_CONFIG,
    serviceAccounts: [
      ...(DEV_CONFIG.serviceAccounts ?? []),
      { username: "gateway", secretHashSecret: "DEV_RP_VALIDATOR_SECRET_HASH", allowedRelyingParties: [PW_SAML], operations: ["issue"] },
    ],
  });

  it("is revoked with its real subject: revoke-subject of the actor ends the tokens it acts in, and its name is in none of them", async () => {
    // A directory user of its own, so that revoking it touches no other test's tokens.
    const name = `pw-actor-${crypto.randomUUID().slice(0, 8)}`;
    const created = await call("/admin/users", { method: "POST", headers: { authorization: USER_ADMIN, "content-type": "application/json" }, body: JSON.stringify({ username: name, password: "correct-horse-7" }) });
    expect(created.status).toBe(201);
    const actor = { user: name, password: "correct-horse-7" };
    // Token exchange: alice's public token, the actor's pairwise JWT as actor_token.
    const actorJwt = await jwtFor(actor, PW_API);
    const x = await exchange({ subject_token: await jwtFor(alice, API), subject_token_type: TX.jwt, actor_token: actorJwt, actor_token_type: TX.jwt, audience: PW_API });
    expect(x.status, x.text).toBe(200);
    const delegated = x.json.access_token as string;
    expect(jwtParts(delegated).payload.act).toEqual({ sub: jwtParts(actorJwt).payload.sub });
    // The same in the SAML sector, then that token presented as ActAs: the pseudonymous actor is
    // the earlier link of the new chain.
    const actorSaml = await samlFor(actor, PW_SAML);
    const xs = await exchange({ subject_token: b64url(await samlFor(alice, RP)), subject_token_type: TX.saml2, actor_token: b64url(actorSaml), actor_token_type: TX.saml2, audience: PW_SAML, requested_token_type: TX.saml2 });
    expect(xs.status, xs.text).toBe(200);
    const delegatedSaml = unb64url(xs.json.access_token as string);
    const actAs = await trustWith(f, { ...gateway, appliesTo: PW_SAML, extra: `<wst14:ActAs xmlns:wst14="${WST14}">${delegatedSaml}</wst14:ActAs>` });
    expect(actAs.status, actAs.text).toBe(200);
    const chained = assertionOf(actAs.text)!;
    expect(chained).toMatch(new RegExp(`claims/actor"[^>]*><saml:AttributeValue>gateway</saml:AttributeValue><saml:AttributeValue>${nameIdOf(actorSaml)![2]}<`));
    // Renewed before the revocation, a token keeps its actor's real subject.
    const renewed = await trust({ ...validator, requestType: "Renew", extra: `<wst:RenewTarget>${asBst(delegated)}</wst:RenewTarget>` });
    expect(renewed.status, renewed.text).toBe(200);
    const renewedJwt = jwtOf(renewed.text);
    // Nothing shows the actor's name: not the tokens, not introspection.
    const intro = await post("/oauth2/introspect", { token: delegated });
    expect(intro.json).toMatchObject({ active: true, act: { sub: jwtParts(actorJwt).payload.sub } });
    for (const shown of [JSON.stringify(jwtParts(delegated).payload), JSON.stringify(jwtParts(renewedJwt).payload), delegatedSaml, chained, intro.text]) {
      expect(shown).not.toContain(name);
    }
    for (const t of [asBst(delegated), asBst(renewedJwt), delegatedSaml, chained]) expect(statusCode((await validate(t)).text)).toBe(STATUS_VALID);
    const kept = await jwtFor(alice, PW_API);

    await new Promise((r) => setTimeout(r, 5));
    const revoked = await call("/admin/revoke-subject", { method: "POST", headers: { authorization: STS_ADMIN, "content-type": "application/json" }, body: JSON.stringify({ subject: name }) });
    expect(revoked.status).toBe(200);
    for (const t of [asBst(delegated), asBst(renewedJwt), delegatedSaml, chained]) expect(statusCode((await validate(t)).text)).toBe(STATUS_INVALID);
    expect((await post("/oauth2/introspect", { token: delegated })).json).toEqual({ active: false });
    // alice's own token, in which the actor does not act, stays valid.
    expect(statusCode((await validate(asBst(kept))).text)).toBe(STATUS_VALID);
  });

  it("a disabled actor is looked up by its real subject: no new token is made from a token it acts in under its pseudonym", async () => {
    const name = `pw-actor-${crypto.randomUUID().slice(0, 8)}`;
    const admin = (path: string, method: string, body: unknown) =>
      call(path, { method, headers: { authorization: USER_ADMIN, "content-type": "application/json" }, body: JSON.stringify(body) });
    expect((await admin("/admin/users", "POST", { username: name, password: "correct-horse-7" })).status).toBe(201);
    const actorJwt = await jwtFor({ user: name, password: "correct-horse-7" }, PW_API);
    const x = await exchange({ subject_token: await jwtFor(alice, API), subject_token_type: TX.jwt, actor_token: actorJwt, actor_token_type: TX.jwt, audience: PW_API });
    expect(x.status, x.text).toBe(200);
    const again = () => exchange({ subject_token: x.json.access_token as string, subject_token_type: TX.jwt, audience: PW_API });
    expect((await again()).status).toBe(200);
    expect((await admin(`/admin/users/${name}`, "PATCH", { enabled: false })).status).toBe(200);
    const refused = await again();
    expect(refused.status, refused.text).not.toBe(200);
    expect(refused.json.error_description).toBe("The account of a party acting in the token is disabled.");
  });
});

describe("revoking the subject a pseudonym stands for", () => {
  const PW_API_SECTOR = "https://pairwise-api.example.com/sector";
  const revoke = async (body: unknown) => {
    const res = await call("/admin/revoke-subject", { method: "POST", headers: { authorization: STS_ADMIN, "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: res.status, text: await res.text() };
  };

  it("a pseudonym with its relying party revokes the real subject everywhere; a user named like the pseudonym is someone else", async () => {
    const pairwiseJwt = await jwtFor();
    const pseudonym = jwtParts(pairwiseJwt).payload.sub as string;
    const otherSector = await samlFor();
    const publicTok = await samlFor(alice, RP);
    // A directory user whose name is alice's pseudonym: the name is a name, not alice.
    const created = await call("/admin/users", {
      method: "POST",
      headers: { authorization: USER_ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ username: pseudonym, password: "pseudo-pass-123" }),
    });
    expect(created.status).toBe(201);
    const impostor = await jwtFor({ user: pseudonym, password: "pseudo-pass-123" }, API);
    expect(jwtParts(impostor).payload.sub).toBe(pseudonym);
    await new Promise((r) => setTimeout(r, 5));

    const r = await revoke({ pseudonym, relying_party: PW_API });
    expect(r.status, r.text).toBe(200);
    const answer = JSON.parse(r.text) as Record<string, string>;
    expect(answer).toMatchObject({ pseudonym, sector: PW_API_SECTOR });
    expect(Date.parse(answer.revoked_before!)).toBeGreaterThan(0);
    // The answer does not say whom the pseudonym stands for.
    expect(r.text.toLowerCase()).not.toContain("alice");
    for (const tok of [asBst(pairwiseJwt), otherSector, publicTok]) expect(statusCode((await validate(tok)).text)).toBe(STATUS_INVALID);
    expect(statusCode((await validate(asBst(impostor))).text)).toBe(STATUS_VALID);

    // The name itself, as 'subject', is the user of that name: the impostor, not alice.
    const later = await jwtFor();
    await new Promise((r) => setTimeout(r, 5));
    expect((await revoke({ subject: pseudonym })).status).toBe(200);
    expect(statusCode((await validate(asBst(impostor))).text)).toBe(STATUS_INVALID);
    expect(statusCode((await validate(asBst(later))).text)).toBe(STATUS_VALID);
  });

  it("a pseudonym with its sector (a SAML token's SPNameQualifier) finds a directory user too", async () => {
    const dave = { user: "dave", password: "directory-pass-1" };
    const tok = await samlFor(dave);
    const m = nameIdOf(tok)!;
    await new Promise((r) => setTimeout(r, 5));
    const r = await revoke({ pseudonym: m[2], sector: PW_SAML_SECTOR });
    expect(r.status, r.text).toBe(200);
    expect(r.text).not.toContain("dave");
    expect(statusCode((await validate(tok)).text)).toBe(STATUS_INVALID);
  });

  it("a pseudonym nobody has is 404; a public relying party or an unknown sector is 400; nothing is revoked", async () => {
    const tok = await jwtFor(bob);
    const nobody = "A".repeat(43);
    const missing = await revoke({ pseudonym: nobody, relying_party: PW_API });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text).error).toBe("subject_not_found");
    // A pseudonym is someone only in its sector: bob's, asked for in the other sector, is nobody.
    expect((await revoke({ pseudonym: jwtParts(tok).payload.sub, sector: PW_SAML_SECTOR })).status).toBe(404);
    const publicParty = await revoke({ pseudonym: nobody, relying_party: API });
    expect(publicParty.status).toBe(400);
    expect(JSON.parse(publicParty.text).error_description).toContain("'relying_party'");
    expect((await revoke({ pseudonym: nobody, sector: "urn:example:sector:none" })).status).toBe(400);
    expect(statusCode((await validate(asBst(tok))).text)).toBe(STATUS_VALID);
  });
});

describe("a pairwise token under a changed configuration", () => {
  it("is invalid once its relying party's sector changed (never resolved to someone else, never a 500)", async () => {
    const tok = await samlFor();
    const moved = workerWith({
      ...DEV_CONFIG,
      relyingParties: DEV_CONFIG.relyingParties.map((rp) => (rp.identifier === PW_SAML ? { ...rp, sectorIdentifier: "urn:example:sector:moved" } : rp)),
    });
    const v = await trustWith(moved, { ...validator, requestType: "Validate", tokenType: `${NS.t13}/RSTR/Status`, extra: `<wst:ValidateTarget>${tok}</wst:ValidateTarget>` });
    expect(v.status).toBe(200);
    expect(statusCode(v.text)).toBe(STATUS_INVALID);
    expect(v.text).toContain("pairwise subject");
    const r = await trustWith(moved, { ...validator, requestType: "Renew", extra: `<wst:RenewTarget>${tok}</wst:RenewTarget>` });
    expect(r.fault).toBe("wst:InvalidSecurityToken");
    // Under the configuration it was issued in, it is valid.
    expect(statusCode((await validate(tok)).text)).toBe(STATUS_VALID);
  });

  it("does not renew into the name once its relying party (sector: its identifier) is made public", async () => {
    const withParty = (change: (rp: Record<string, unknown>) => Record<string, unknown>) =>
      workerWith({ ...DEV_CONFIG, relyingParties: DEV_CONFIG.relyingParties.map((rp) => (rp.identifier === PW_API ? change({ ...rp }) : rp)) });
    const before = withParty(({ sectorIdentifier: _, ...rp }) => rp);
    const after = withParty(({ sectorIdentifier: _, subjectType: __, ...rp }) => rp);
    const tok = jwtOf((await trustWith(before, { ...alice, appliesTo: PW_API, tokenType: TT.jwt })).text);
    const r = await trustWith(after, { ...validator, requestType: "Renew", extra: `<wst:RenewTarget>${asBst(tok)}</wst:RenewTarget>` });
    expect(r.fault).toBe("wst:UnableToRenew");
    expect(r.text).toContain("public subjects");
    expect(r.text.toLowerCase()).not.toContain(">alice<");
    const kept = await trustWith(before, { ...validator, requestType: "Renew", extra: `<wst:RenewTarget>${asBst(tok)}</wst:RenewTarget>` });
    expect(kept.status, kept.text).toBe(200);
  });
});
