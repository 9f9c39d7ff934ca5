/**
 * External identities never become local ones. A trusted issuer's `sub: "alice"` is that
 * issuer's alice, not ours: the tokens we issue name it `<issuer>#alice`, its state (revocation)
 * is its own, our alice cannot manage its tokens, and its `may_act` does not let a local party
 * act for anyone — unless the configuration maps the issuer's subjects to ours, and lets it
 * grant delegation, explicitly. A claim named like our delegation attribute (`actor`) or an
 * `act` chain in a token that is not ours is never read back as our delegation.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DEV_CONFIG } from "../../src/config/dev.ts";
import { buildSaml2Assertion } from "../../src/saml/saml2.ts";
import type { KeyRing } from "../../src/keys/keyring.ts";
import { AC_X509 } from "../../src/saml/ns.ts";
import { assertionInput } from "../helpers/assertion-input.ts";
import { ORIGIN } from "../helpers/worker.ts";
import { API, RP, TX, b64url, es256, exchange, jwtParts, post, unb64url, type Fetcher } from "../oauth/helpers.ts";
import { STATUS_INVALID, STATUS_VALID, VALIDATOR, statusCode } from "./helpers.ts";
import { assertionIn, ecIssuerKey, jwtBst, samlIssuerKey, samlVia, trustWith, workerWith } from "./configured.ts";
import { DEMO, STS_ADMIN } from "../helpers/credentials.ts";

const IDP = "https://idp.example.org";
const SAML_IDP = "https://saml-idp.example.org";
const WST14 = "http://docs.oasis-open.org/ws-sx/ws-trust/200802";
const GATEWAY = { user: "gateway", password: "rp-validator-secret-0f1e2d3c4b5a6978" };
const ACTOR_CLAIM = "http://schemas.xmlsoap.org/ws/2009/09/identity/claims/actor";

let idpKey: CryptoKey;
let samlRing: KeyRing;
let f: Fetcher;
let idpJwk: JsonWebKey;

const base = () => ({
  keys: DEV_CONFIG.keys,
  users: DEV_CONFIG.users,
  relyingParties: [
    { identifier: RP, defaultTokenType: "saml2" },
    { identifier: API, defaultTokenType: "jwt" },
    // The development clients and service accounts also name the other development relying
    // parties (the encrypting one, the pairwise ones).
    ...DEV_CONFIG.relyingParties.filter((r) => r.identifier !== RP && r.identifier !== API),
  ],
  pairwiseSubjectSecret: DEV_CONFIG.pairwiseSubjectSecret,
  oauthClients: DEV_CONFIG.oauthClients,
  serviceAccounts: [
    ...(DEV_CONFIG.serviceAccounts ?? []),
    { username: "gateway", secretHashSecret: "DEV_RP_VALIDATOR_SECRET_HASH", allowedRelyingParties: [RP, API], operations: ["issue"] },
  ],
});

beforeAll(async () => {
  const i = await ecIssuerKey("idp-key-1");
  idpKey = i.priv;
  idpJwk = i.jwk;
  const s = await samlIssuerKey();
  samlRing = s.ring;
  f = workerWith({
    ...base(),
    trustedIssuers: [
      { issuer: IDP, kind: "jwt", jwks: { keys: [i.jwk] }, algorithms: ["ES256"] },
      { issuer: SAML_IDP, kind: "saml", certificates: [s.certPem] },
    ],
  });
});

const now = () => Math.floor(Date.now() / 1000);
const idpToken = (claims: Record<string, unknown>) =>
  es256({ alg: "ES256", typ: "JWT", kid: "idp-key-1" }, { iss: IDP, aud: ORIGIN, sub: "alice", iat: now(), exp: now() + 300, ...claims }, idpKey);
const samlIdpToken = (subject: string, claims: Record<string, string[]> = {}) => {
  const t0 = new Date(Date.now() - 1000);
  return buildSaml2Assertion(assertionInput({
    at: t0, id: `_ext${crypto.randomUUID().replace(/-/g, "")}`, issuer: SAML_IDP, subject, audience: ORIGIN,
    expires: new Date(Date.now() + 300_000), authnMethod: AC_X509, claims,
  }), samlRing);
};

async function exchangeJwt(subject_token: string, subject_token_type: string, extra: Record<string, string> = {}, g: Fetcher = f) {
  const r = await exchange({ subject_token, subject_token_type, audience: API, ...extra }, DEMO, g);
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json.access_token as string;
}

describe("a trusted issuer's subjects live in its namespace", () => {
  it("its `sub: alice` is issued as `<issuer>#alice` (JWT and SAML, exchange and OnBehalfOf), never as our alice", async () => {
    const jwt = await exchangeJwt(await idpToken({}), TX.jwt);
    expect(jwtParts(jwt).payload.sub).toBe(`${IDP}#alice`);
    const saml = await exchange({ subject_token: await idpToken({}), subject_token_type: TX.jwt, audience: RP }, DEMO, f);
    expect(unb64url(saml.json.access_token as string)).toContain(`>${IDP}#alice</saml:NameID>`);
    const fromSaml = await exchangeJwt(b64url(await samlIdpToken("alice")), TX.saml2);
    expect(jwtParts(fromSaml).payload.sub).toBe(`${SAML_IDP}#alice`);
    const obo = await trustWith(f, { ...GATEWAY, appliesTo: RP, extra: `<wst:OnBehalfOf>${jwtBst(await idpToken({}))}</wst:OnBehalfOf>` });
    expect(assertionIn(obo.text)).toContain(`>${IDP}#alice</saml:NameID>`);
  });

  it("our alice can neither validate nor cancel the token issued for the issuer's alice", async () => {
    const jwt = await exchangeJwt(await idpToken({}), TX.jwt);
    for (const requestType of ["Validate", "Cancel"] as const) {
      const r = await trustWith(f, {
        user: "alice", password: "wonderland", requestType,
        ...(requestType === "Validate" ? { tokenType: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/Status" } : {}),
        extra: `<wst:${requestType}Target>${jwtBst(jwt)}</wst:${requestType}Target>`,
      });
      expect(r.fault, requestType).toBe("wst:RequestFailed");
    }
    expect((await post("/oauth2/introspect", { token: jwt }, DEMO, f)).json.active).toBe(true);
  });

  it("revoking our alice's tokens leaves the issuer's alice's tokens alone", async () => {
    const ours = await samlVia(f, "alice", "wonderland");
    const theirs = await exchangeJwt(await idpToken({}), TX.jwt);
    const res = await f("/admin/revoke-subject", {
      method: "POST",
      headers: { authorization: STS_ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ subject: "alice" }),
    });
    expect(res.status).toBe(200);
    const status = async (t: string) =>
      statusCode((await trustWith(f, { ...VALIDATOR, requestType: "Validate", tokenType: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/Status", extra: `<wst:ValidateTarget>${t}</wst:ValidateTarget>` })).text);
    expect(await status(ours)).toBe(STATUS_INVALID);
    expect(await status(jwtBst(theirs))).toBe(STATUS_VALID);
    // Waited out, so that the tests below sign alice in after the cut-off: a token of an earlier
    // sign-in of alice's, from an issuer whose subjects are ours, is revoked too, and theirs are
    // dated up to a second back.
    const cutoff = Date.parse(((await res.json()) as { revoked_before: string }).revoked_before);
    await new Promise((r) => setTimeout(r, Math.max(0, cutoff + 1000 - Date.now() + 5)));
  });
});

describe("delegation grants come only from sources allowed to grant them", () => {
  it("the issuer's may_act naming bob does not let our bob act for its subject (ActAs, OnBehalfOf)", async () => {
    const erin = await idpToken({ sub: "erin", may_act: { sub: "bob" } });
    const actAs = await trustWith(f, { user: "bob", password: "builder", appliesTo: RP, extra: `<wst14:ActAs xmlns:wst14="${WST14}">${jwtBst(erin)}</wst14:ActAs>` });
    expect(actAs.fault).toBe("wst:RequestFailed");
    const obo = await trustWith(f, { user: "bob", password: "builder", appliesTo: RP, extra: `<wst:OnBehalfOf>${jwtBst(erin)}</wst:OnBehalfOf>` });
    expect(obo.fault).toBe("wst:RequestFailed");
    // Naming our issuer explicitly changes nothing: the issuer speaks only for its own namespace.
    const explicit = await idpToken({ sub: "erin", may_act: { sub: "bob", iss: ORIGIN } });
    expect((await trustWith(f, { user: "bob", password: "builder", appliesTo: RP, extra: `<wst:OnBehalfOf>${jwtBst(explicit)}</wst:OnBehalfOf>` })).fault).toBe("wst:RequestFailed");
  });

  it("a claim named `actor` in a token that is not ours never becomes our delegation chain (JWT and SAML sources)", async () => {
    // An external JWT with `actor`, exchanged for one of our SAML tokens, then that SAML token
    // exchanged again: no actor attribute, no `act`.
    const viaJwt = await exchange({ subject_token: await idpToken({ sub: "erin", actor: "bob" }), subject_token_type: TX.jwt, audience: RP }, DEMO, f);
    expect(viaJwt.status).toBe(200);
    const samlFromJwt = viaJwt.json.access_token as string;
    expect(unb64url(samlFromJwt)).not.toContain(ACTOR_CLAIM);
    expect(jwtParts(await exchangeJwt(samlFromJwt, TX.saml2)).payload.act).toBeUndefined();
    // A trusted SAML issuer's assertion with our actor attribute.
    const ext = b64url(await samlIdpToken("erin", { actor: ["bob"], email: ["erin@saml-idp.example.org"] }));
    const direct = jwtParts(await exchangeJwt(ext, TX.saml2)).payload;
    expect([direct.act, direct.actor, direct.email]).toEqual([undefined, undefined, "erin@saml-idp.example.org"]);
    const viaSaml = await exchange({ subject_token: ext, subject_token_type: TX.saml2, audience: RP }, DEMO, f);
    expect(viaSaml.status).toBe(200);
    expect(unb64url(viaSaml.json.access_token as string)).not.toContain(ACTOR_CLAIM);
    expect(jwtParts(await exchangeJwt(viaSaml.json.access_token as string, TX.saml2)).payload.act).toBeUndefined();
  });

  it("a trusted issuer's attributes named like protocol facts in another letter case are not the person's claims", async () => {
    const forged = {
      "HTTP://SCHEMAS.XMLSOAP.ORG/ws/2005/05/identity/claims/nameidentifier": ["bob"],
      "http://schemas.microsoft.com/ws/2008/06/identity/claims/AuthenticationMethod": ["urn:oasis:names:tc:SAML:2.0:ac:classes:X509"],
      "http://schemas.xmlsoap.org/ws/2009/09/identity/claims/Actor": ["bob"],
      "HTTP://schemas.microsoft.com/identity/claims/scope": ["admin.all"],
      email: ["erin@saml-idp.example.org"],
    };
    const ext = b64url(await samlIdpToken("erin", forged));
    const jwt = jwtParts(await exchangeJwt(ext, TX.saml2)).payload;
    // (A trusted issuer's scope is a ceiling, never a claim of the person: RP has no scopes of
    // its own, so the token states the ceiling as its scope.)
    expect(Object.keys(jwt).filter((k) => /identity|^act/i.test(k))).toEqual([]);
    expect(jwt.email).toBe("erin@saml-idp.example.org");
    const saml = await exchange({ subject_token: ext, subject_token_type: TX.saml2, audience: RP }, DEMO, f);
    expect(saml.status).toBe(200);
    const names = [...unb64url(saml.json.access_token as string).matchAll(/<saml:Attribute Name="([^"]*)"/g)].map((m) => m[1]!.toLowerCase());
    expect(names.filter((n) => /nameidentifier|authenticationmethod|actor/.test(n))).toEqual([]);
  });

  it("a trusted issuer's JWT stating a claim by a blank name is refused, as a SAML attribute so named is (exchange and OnBehalfOf)", async () => {
    for (const name of ["", " ", "\t\n"]) {
      const jwt = await idpToken({ [name]: "x", email: "alice@idp.example.org" });
      for (const audience of [API, RP]) {
        const r = await exchange({ subject_token: jwt, subject_token_type: TX.jwt, audience }, DEMO, f);
        expect(r.status, JSON.stringify(r.json)).toBe(400);
        expect(r.json.error).toBe("invalid_grant");
        expect(String(r.json.error_description)).toMatch(/empty name/);
      }
      const obo = await trustWith(f, { ...GATEWAY, appliesTo: RP, extra: `<wst:OnBehalfOf>${jwtBst(jwt)}</wst:OnBehalfOf>` });
      expect(obo.fault, obo.text).toBe("wst:InvalidSecurityToken");
      expect(obo.text).toMatch(/empty name/);
    }
    // A name is only blank for XML white space: a no-break space is a character of it.
    const nbsp = await exchange({ subject_token: await idpToken({ "\u00a0": "x" }), subject_token_type: TX.jwt, audience: API }, DEMO, f);
    expect(nbsp.status, JSON.stringify(nbsp.json)).toBe(200);
  });

  // RFC 8693 §4.1, §4.4: each `act` link and a `may_act` are claim sets too, at any depth.
  it("a blank claim name nested in a trusted issuer's `act` (at any depth) or `may_act` is refused as a top-level one is", async () => {
    const deep = (n: number, last: Record<string, unknown>): Record<string, unknown> => (n === 0 ? last : { sub: `actor${n}`, act: deep(n - 1, last) });
    for (const name of ["", " ", "\t\n"]) {
      for (const claims of [
        { act: { sub: "bob", [name]: "x" } },
        { act: deep(3, { sub: "carol", [name]: "x" }) },
        { may_act: { sub: "bob", [name]: "x" } },
        { may_act: { sub: "bob", act: { sub: "carol", [name]: "x" } } },
      ]) {
        const jwt = await idpToken(claims);
        const r = await exchange({ subject_token: jwt, subject_token_type: TX.jwt, audience: API }, DEMO, f);
        expect(r.json.error, JSON.stringify(claims)).toBe("invalid_grant");
        expect(String(r.json.error_description)).toMatch(/empty name/);
        const obo = await trustWith(f, { ...GATEWAY, appliesTo: RP, extra: `<wst:OnBehalfOf>${jwtBst(jwt)}</wst:OnBehalfOf>` });
        expect(obo.fault, obo.text).toBe("wst:InvalidSecurityToken");
        expect(obo.text).toMatch(/empty name/);
      }
    }
    // A no-break space is a character of a name, nested as at the top.
    const nbsp = await exchange({ subject_token: await idpToken({ act: { sub: "bob", act: { sub: "carol", "\u00a0": "x" } } }), subject_token_type: TX.jwt, audience: API }, DEMO, f);
    expect(nbsp.status, JSON.stringify(nbsp.json)).toBe(200);
  });

  it("an external `act` chain keeps its issuer: its `bob` is not our bob", async () => {
    const jwt = await exchangeJwt(await idpToken({ sub: "erin", act: { sub: "bob", act: { sub: "carol", iss: "https://third.example" } } }), TX.jwt);
    expect(jwtParts(jwt).payload.act).toEqual({ sub: "bob", iss: IDP, act: { sub: "carol", iss: "https://third.example" } });
    // Carried into SAML, the actor is named in its issuer's namespace too.
    const saml = await exchange({ subject_token: jwt, subject_token_type: TX.jwt, audience: RP }, DEMO, f);
    expect(unb64url(saml.json.access_token as string)).toMatch(new RegExp(`claims/actor"[^>]*><saml:AttributeValue>${IDP}#bob<`));
  });
});

describe("mapping an issuer's subjects to ours, and letting it grant delegation, is explicit configuration", () => {
  // Defect: a disabled user was refused every token made from a token of ours, yet got fresh
  // ones from a trusted issuer whose subjects are ours (exchange, OnBehalfOf, issued-token sign-in).
  it("localSubjects: a disabled user of ours gets no token from the issuer's tokens, JWT or SAML; an issuer in its own namespace is not ours to refuse", async () => {
    const users = DEV_CONFIG.users!.map((u) => (u.username === "bob" ? { ...u, enabled: false } : u));
    const s = await samlIssuerKey();
    const ours = workerWith({
      ...base(),
      users,
      trustedIssuers: [
        { issuer: IDP, kind: "jwt", jwks: { keys: [idpJwk] }, algorithms: ["ES256"], localSubjects: true },
        { issuer: SAML_IDP, kind: "saml", certificates: [s.certPem], localSubjects: true },
      ],
    });
    const samlFor = (subject: string) => {
      const t0 = new Date(Date.now() - 1000);
      return buildSaml2Assertion(assertionInput({
        at: t0, id: `_ext${crypto.randomUUID().replace(/-/g, "")}`, issuer: SAML_IDP, subject, audience: ORIGIN,
        expires: new Date(Date.now() + 300_000), authnMethod: AC_X509, claims: {},
      }), s.ring);
    };
    // Its BOB, Bob or decomposed spelling is our bob too (AD FS states the name as the user typed
    // it; Active Directory ignores case): no re-spelling reaches a disabled account.
    const presented: [string, () => Promise<string>, string][] = [
      ["JWT", () => idpToken({ sub: "bob" }), TX.jwt],
      ["SAML", async () => b64url(await samlFor("bob")), TX.saml2],
      ["JWT BOB", () => idpToken({ sub: "BOB" }), TX.jwt],
      ["SAML Bob", async () => b64url(await samlFor("Bob")), TX.saml2],
    ];
    for (const [what, token, type] of presented) {
      const x = await exchange({ subject_token: await token(), subject_token_type: type, audience: API }, DEMO, ours);
      expect(x.status, what).toBe(400);
      expect(String(x.json.error_description), what).toContain("disabled");
    }
    const obo = await trustWith(ours, { ...GATEWAY, appliesTo: RP, extra: `<wst:OnBehalfOf>${jwtBst(await idpToken({ sub: "bob" }))}</wst:OnBehalfOf>` });
    expect(obo.fault).toBe("wst:RequestFailed");
    expect(obo.text).toContain("disabled");
    // The control: an enabled user through the same issuers, named as she is stored however spelled.
    expect(jwtParts(await exchangeJwt(await idpToken({}), TX.jwt, {}, ours)).payload.sub).toBe("alice");
    expect(jwtParts(await exchangeJwt(b64url(await samlFor("alice")), TX.saml2, {}, ours)).payload.sub).toBe("alice");
    expect(jwtParts(await exchangeJwt(await idpToken({ sub: "ALICE" }), TX.jwt, {}, ours)).payload.sub).toBe("alice");
    expect(jwtParts(await exchangeJwt(b64url(await samlFor("Alice")), TX.saml2, {}, ours)).payload.sub).toBe("alice");
    // A name that looks like no user of ours stays as the issuer wrote it.
    expect(jwtParts(await exchangeJwt(await idpToken({ sub: "Zed" }), TX.jwt, {}, ours)).payload.sub).toBe("Zed");
    // Without localSubjects the issuer's bob is its own, whatever our bob's state.
    const own = workerWith({ ...base(), users, trustedIssuers: [{ issuer: IDP, kind: "jwt", jwks: { keys: [idpJwk] }, algorithms: ["ES256"] }] });
    expect(jwtParts(await exchangeJwt(await idpToken({ sub: "bob" }), TX.jwt, {}, own)).payload.sub).toBe(`${IDP}#bob`);
  });

  // Defect: the parties of ours an issuer names in its `act` chain and `may_act` were taken as
  // written — `BOB` a second name for bob — and a disabled or revoked user acting in its token
  // was not refused, as one acting in a token of ours is (currentIdentity, revocationOf).
  it("localSubjects: the parties of ours in its act chain are named as stored and answer to their disabled account and revocation", async () => {
    const bob = DEV_CONFIG.users!.find((u) => u.username === "bob")!;
    const dora = `dora-${crypto.randomUUID().slice(0, 8)}`;
    const users = [...DEV_CONFIG.users!, { ...bob, username: dora }, { ...bob, username: "cleo", enabled: false }];
    const g = workerWith({ ...base(), users, trustedIssuers: [{ issuer: IDP, kind: "jwt", jwks: { keys: [idpJwk] }, algorithms: ["ES256"], localSubjects: true, grantsDelegation: true }] });
    // Named as stored, however the issuer spells them; a name like no user of ours stays as written.
    const named = await exchangeJwt(await idpToken({ act: { sub: "BOB", act: { sub: ` ${dora.toUpperCase()}`, act: { sub: "Zed" } } } }), TX.jwt, {}, g);
    expect(jwtParts(named).payload.act).toEqual({ sub: "bob", act: { sub: dora, act: { sub: "Zed" } } });
    // A disabled user acting, however spelled (configured users are matched ignoring case).
    for (const sub of ["cleo", "CLEO"]) {
      const x = await exchange({ subject_token: await idpToken({ act: { sub: "bob", act: { sub } } }), subject_token_type: TX.jwt, audience: API }, DEMO, g);
      expect(x.status, sub).toBe(400);
      expect(String(x.json.error_description), sub).toContain("disabled");
    }
    // dora's tokens revoked from 20 s ago: a token she acted in before then is refused, however
    // spelled; one issued since is good.
    const before = new Date(Date.now() - 20_000).toISOString();
    const revoked = await g("/admin/revoke-subject", { method: "POST", headers: { authorization: STS_ADMIN, "content-type": "application/json" }, body: JSON.stringify({ subject: dora, before }) });
    expect(revoked.status).toBe(200);
    for (const sub of [dora, dora.toUpperCase()]) {
      const x = await exchange({ subject_token: await idpToken({ iat: now() - 60, act: { sub } }), subject_token_type: TX.jwt, audience: API }, DEMO, g);
      expect(x.status, sub).toBe(400);
      expect(x.json.error, sub).toBe("invalid_grant");
      expect(String(x.json.error_description), sub).toContain("revoked");
    }
    expect(jwtParts(await exchangeJwt(await idpToken({ act: { sub: dora.toUpperCase() } }), TX.jwt, {}, g)).payload.act).toEqual({ sub: dora });
    // Its `may_act` naming `BOB` lets our bob act (ActAs), as one naming `bob` does.
    const granted = await trustWith(g, { user: "bob", password: "builder", appliesTo: RP, extra: `<wst14:ActAs xmlns:wst14="${WST14}">${jwtBst(await idpToken({ may_act: { sub: "BOB" } }))}</wst14:ActAs>` });
    expect(granted.fault, granted.text).toBeUndefined();
    expect(assertionIn(granted.text)).toMatch(/claims\/actor"[^>]*><saml:AttributeValue>bob</);
  });

  it("localSubjects: its alice is our alice; its may_act grants only with grantsDelegation", async () => {
    const mapped = (grantsDelegation: boolean) =>
      workerWith({ ...base(), trustedIssuers: [{ issuer: IDP, kind: "jwt", jwks: { keys: [idpJwk] }, algorithms: ["ES256"], localSubjects: true, grantsDelegation }] });
    const g = mapped(false);
    expect(jwtParts(await exchangeJwt(await idpToken({}), TX.jwt, {}, g)).payload.sub).toBe("alice");
    const alice = await idpToken({ may_act: { sub: "bob" } });
    const refused = await trustWith(g, { user: "bob", password: "builder", appliesTo: RP, extra: `<wst14:ActAs xmlns:wst14="${WST14}">${jwtBst(alice)}</wst14:ActAs>` });
    expect(refused.fault).toBe("wst:RequestFailed");
    const granted = await trustWith(mapped(true), { user: "bob", password: "builder", appliesTo: RP, extra: `<wst14:ActAs xmlns:wst14="${WST14}">${jwtBst(alice)}</wst14:ActAs>` });
    const tok = assertionIn(granted.text)!;
    expect(tok).toContain(">alice</saml:NameID>");
    expect(tok).toMatch(/claims\/actor"[^>]*><saml:AttributeValue>bob</);
  });
});
