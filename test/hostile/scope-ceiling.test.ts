/**
 * A presented token's scope is a ceiling: whatever route turns it into a new token (RFC 8693
 * exchange, WS-Trust OnBehalfOf / ActAs, Validate-transformation), the new token's scope stays
 * within it, also for a relying party that offers no scopes (its token keeps the ceiling: a
 * token stating no scope could be exchanged back for everything, laundering the scope away). A subject token that carries no scope (a SAML
 * assertion from WS-Trust, an ID token) is evidence of who the subject is, not a scoped grant:
 * the relying party's scopes and the request decide, as before.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DEV_CONFIG } from "../../src/config/dev.ts";
import { ORIGIN } from "../helpers/worker.ts";
import { TT } from "../helpers/soap.ts";
import { API, RP, TX, b64url, es256, exchange, jwtParts, type Fetcher } from "../oauth/helpers.ts";
import { PARTNER, partnerAssertion } from "../helpers/partner.ts";
import { ecIssuerKey, jwtBst, jwtIn, samlVia, trustWith, workerWith } from "./configured.ts";
import { DEMO } from "../helpers/credentials.ts";

const IDP = "https://idp.example.org";
const WST14 = "http://docs.oasis-open.org/ws-sx/ws-trust/200802";
const GATEWAY = { user: "gateway", password: "rp-validator-secret-0f1e2d3c4b5a6978" };

let f: Fetcher;
let idpKey: CryptoKey;

beforeAll(async () => {
  const i = await ecIssuerKey("idp-key-1");
  idpKey = i.priv;
  f = workerWith({
    keys: DEV_CONFIG.keys,
    users: DEV_CONFIG.users,
    relyingParties: [
      { identifier: RP, defaultTokenType: "saml2" },
      { identifier: API, defaultTokenType: "jwt", scopes: ["read", "write"] },
      // The development clients and service accounts also name the other development relying
      // parties (the encrypting one, the pairwise ones).
      ...DEV_CONFIG.relyingParties.filter((r) => r.identifier !== RP && r.identifier !== API),
    ],
    pairwiseSubjectSecret: DEV_CONFIG.pairwiseSubjectSecret,
    oauthClients: DEV_CONFIG.oauthClients,
    serviceAccounts: [
      { username: "gateway", secretHashSecret: "DEV_RP_VALIDATOR_SECRET_HASH", allowedRelyingParties: [RP, API], operations: ["issue"] },
    ],
    trustedIssuers: [
      { issuer: IDP, kind: "jwt", jwks: { keys: [i.jwk] }, algorithms: ["ES256"] },
      { issuer: PARTNER, kind: "saml", certificates: DEV_CONFIG.trustedIssuers!.find((t) => t.issuer === PARTNER)!.certificates! },
    ],
  });
});

/** alice's SAML assertion from WS-Trust: carries no scope. */
const aliceSaml = () => samlVia(f, "alice", "wonderland");

/** An access token for alice at the API, scoped `read` by the client that asked for it. */
async function readOnlyToken(): Promise<string> {
  const r = await exchange({ subject_token: b64url(await aliceSaml()), subject_token_type: TX.saml2, audience: API, scope: "read" }, DEMO, f);
  expect(r.json.scope).toBe("read");
  return r.json.access_token as string;
}

const scopeOf = (jwt: string) => jwtParts(jwt).payload.scope;

describe("token exchange keeps the subject token's scope as a ceiling", () => {
  it("`read` exchanged with no scope stays `read`; `read write` is narrowed to `read`; `write` is refused", async () => {
    const read = await readOnlyToken();
    const none = await exchange({ subject_token: read, subject_token_type: TX.jwt, audience: API }, DEMO, f);
    expect([none.status, none.json.scope, scopeOf(none.json.access_token as string)]).toEqual([200, "read", "read"]);
    const both = await exchange({ subject_token: read, subject_token_type: TX.jwt, audience: API, scope: "read write" }, DEMO, f);
    expect([both.status, both.json.scope]).toEqual([200, "read"]);
    const write = await exchange({ subject_token: read, subject_token_type: TX.jwt, audience: API, scope: "write" }, DEMO, f);
    expect([write.status, write.json.error]).toEqual([400, "invalid_scope"]);
    expect(write.json.access_token).toBeUndefined();
  });

  it("the ceiling survives a detour through SAML and through a relying party that offers no scopes", async () => {
    const read = await readOnlyToken();
    const saml = await exchange({ subject_token: read, subject_token_type: TX.jwt, audience: API, requested_token_type: TX.saml2 }, DEMO, f);
    expect(saml.status).toBe(200);
    const back = await exchange({ subject_token: saml.json.access_token as string, subject_token_type: TX.saml2, audience: API }, DEMO, f);
    expect([back.status, scopeOf(back.json.access_token as string)]).toEqual([200, "read"]);
    // The SAML relying party offers no scopes: its token keeps the ceiling (were it to state no
    // scope, it could be exchanged back for every scope the API offers).
    const rp = await exchange({ subject_token: read, subject_token_type: TX.jwt, audience: RP, requested_token_type: TX.jwt }, DEMO, f);
    expect([rp.status, scopeOf(rp.json.access_token as string)]).toEqual([200, "read"]);
    const rpSaml = await exchange({ subject_token: read, subject_token_type: TX.jwt, audience: RP }, DEMO, f);
    expect(rpSaml.status).toBe(200);
    for (const [token, type] of [[rp.json.access_token, TX.jwt], [rpSaml.json.access_token, TX.saml2]] as const) {
      const again = await exchange({ subject_token: token as string, subject_token_type: type, audience: API }, DEMO, f);
      expect([again.status, scopeOf(again.json.access_token as string)], type).toEqual([200, "read"]);
    }
  });

  it("a trusted issuer's scope is a ceiling as well", async () => {
    const t = await es256({ alg: "ES256", typ: "JWT", kid: "idp-key-1" }, { iss: IDP, aud: ORIGIN, sub: "erin", exp: Math.floor(Date.now() / 1000) + 300, scope: "read" }, idpKey);
    const r = await exchange({ subject_token: t, subject_token_type: TX.jwt, audience: API }, DEMO, f);
    expect([r.status, r.json.scope]).toEqual([200, "read"]);
  });

  it("a trusted issuer's scope never sets one: a party without scopes gets only scopes some party here offers", async () => {
    const idp = (scope: string) => es256({ alg: "ES256", typ: "JWT", kid: "idp-key-1" }, { iss: IDP, aud: ORIGIN, sub: "erin", exp: Math.floor(Date.now() / 1000) + 300, scope }, idpKey);
    const narrowed = await exchange({ subject_token: await idp("read admin"), subject_token_type: TX.jwt, audience: RP, requested_token_type: TX.jwt }, DEMO, f);
    expect([narrowed.status, narrowed.json.scope, scopeOf(narrowed.json.access_token as string)]).toEqual([200, "read", "read"]);
    const foreign = await exchange({ subject_token: await idp("admin"), subject_token_type: TX.jwt, audience: RP, requested_token_type: TX.jwt }, DEMO, f);
    expect([foreign.status, foreign.json.error]).toEqual([400, "invalid_scope"]);
  });

  it("a SAML partner's scope attribute is neither a grant nor a ceiling", async () => {
    const assertion = await partnerAssertion({ claims: { email: ["carol@partner.example"], scope: ["admin", "read"] } });
    for (const audience of [RP, API]) {
      const r = await exchange({ subject_token: b64url(assertion), subject_token_type: TX.saml2, audience, requested_token_type: TX.jwt }, DEMO, f);
      expect([r.status, r.json.scope, scopeOf(r.json.access_token as string)], audience).toEqual(
        audience === API ? [200, "read write", "read write"] : [200, undefined, undefined],
      );
    }
  });

  it("a subject token without scope is not a scoped grant: the relying party's scopes apply", async () => {
    const r = await exchange({ subject_token: b64url(await aliceSaml()), subject_token_type: TX.saml2, audience: API }, DEMO, f);
    expect([r.status, r.json.scope]).toEqual([200, "read write"]);
  });
});

describe("the WS-Trust routes from a presented token keep the ceiling too", () => {
  it("OnBehalfOf and ActAs with a `read` token give `read`", async () => {
    const read = await readOnlyToken();
    for (const extra of [`<wst:OnBehalfOf>${jwtBst(read)}</wst:OnBehalfOf>`, `<wst14:ActAs xmlns:wst14="${WST14}">${jwtBst(read)}</wst14:ActAs>`]) {
      const r = await trustWith(f, { ...GATEWAY, appliesTo: API, tokenType: TT.jwt, extra });
      expect(r.fault, extra.slice(0, 20)).toBeUndefined();
      expect(scopeOf(jwtIn(r.text)!)).toBe("read");
    }
  });

  it("Validate-transformation of a `read` token gives `read`", async () => {
    const read = await readOnlyToken();
    const r = await trustWith(f, {
      user: "alice", password: "wonderland", requestType: "Validate", tokenType: TT.jwt, appliesTo: API,
      extra: `<wst:ValidateTarget>${jwtBst(read)}</wst:ValidateTarget>`,
    });
    expect(r.fault).toBeUndefined();
    expect(scopeOf(jwtIn(r.text)!)).toBe("read");
  });
});
