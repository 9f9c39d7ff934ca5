/**
 * Who may see and revoke whose token over OAuth (RFC 7662, RFC 7009), with a second client that
 * may obtain tokens for the very same audiences as demo-client. A client revokes only tokens
 * issued to it (RFC 7009 §2.1), and any other token is answered exactly as an unknown one;
 * it introspects tokens issued to it, and others only where the configuration names it the
 * resource server of their relying party. WS-Trust tokens were issued to no client.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DEV_CONFIG } from "../../src/config/dev.ts";
import { TT } from "../helpers/soap.ts";
import { API, RP, TX, b64url, exchange, jwtParts, post, type Fetcher } from "../oauth/helpers.ts";
import { STATUS_INVALID, STATUS_VALID, VALIDATOR, statusCode } from "./helpers.ts";
import { assertionIn, jwtBst, jwtIn, samlVia, trustWith, workerWith } from "./configured.ts";
import { basic, DEMO } from "../helpers/credentials.ts";

const OTHER = basic("other-client", "demo-secret");
const RS = basic("api-gateway", "demo-secret");

/** The dev configuration plus a second client with demo-client's audiences. */
const config = {
  ...DEV_CONFIG,
  oauthClients: [
    ...(DEV_CONFIG.oauthClients ?? []),
    { clientId: "other-client", secretHashSecret: "DEV_DEMO_CLIENT_SECRET_HASH", allowedAudiences: [RP, API] },
  ],
};

let f: Fetcher;
beforeAll(() => {
  f = workerWith(config);
});
afterEach(() => vi.restoreAllMocks());

/** alice's token from WS-Trust (issued to no OAuth client). */
async function wsTrustToken(tokenType: string, appliesTo: string): Promise<string> {
  const r = await trustWith(f, { user: "alice", password: "wonderland", appliesTo, tokenType });
  expect(r.status).toBe(200);
  return tokenType === TT.jwt ? jwtIn(r.text)! : assertionIn(r.text)!;
}

/** alice's token, exchanged by demo-client: issued to demo-client. */
async function demoClientToken(requested: string, audience: string): Promise<string> {
  const saml = await wsTrustToken(TT.saml2, RP);
  const r = await exchange({ subject_token: b64url(saml), subject_token_type: TX.saml2, audience, requested_token_type: requested }, DEMO, f);
  expect(r.status).toBe(200);
  return r.json.access_token as string;
}

/** WS-Trust Validate (status) by the validator service account: the wst:Code. */
async function wsStatus(token: string): Promise<string | undefined> {
  const r = await trustWith(f, {
    ...VALIDATOR, requestType: "Validate", tokenType: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/Status",
    extra: `<wst:ValidateTarget>${token}</wst:ValidateTarget>`,
  });
  return statusCode(r.text);
}

/** What the revocation endpoint answers for a token it does not know, to compare with. */
async function unknownTokenAnswer(auth: string) {
  const r = await post("/oauth2/revoke", { token: "not-a-token-at-all" }, auth, f);
  return { status: r.status, text: r.text, type: r.res.headers.get("content-type"), cache: r.res.headers.get("cache-control") };
}

describe("introspection: a client sees the tokens issued to it, not another client's", () => {
  it("another client with the same audiences gets exactly {\"active\":false}", async () => {
    const jwt = await demoClientToken(TX.jwt, API);
    const mine = await post("/oauth2/introspect", { token: jwt }, DEMO, f);
    expect(mine.json).toMatchObject({ active: true, client_id: "demo-client", aud: API });
    const theirs = await post("/oauth2/introspect", { token: jwt }, OTHER, f);
    expect([theirs.status, theirs.text]).toEqual([200, '{"active":false}']);
  });

  it("the same for a SAML token demo-client obtained, and for alice's WS-Trust tokens", async () => {
    const saml = await demoClientToken(TX.saml2, RP);
    expect((await post("/oauth2/introspect", { token: saml }, DEMO, f)).json).toMatchObject({ active: true, client_id: "demo-client", aud: RP });
    expect((await post("/oauth2/introspect", { token: saml }, OTHER, f)).text).toBe('{"active":false}');
    for (const t of [b64url(await wsTrustToken(TT.saml2, RP)), await wsTrustToken(TT.jwt, API)]) {
      expect((await post("/oauth2/introspect", { token: t }, OTHER, f)).text).toBe('{"active":false}');
    }
  });
});

describe("revocation: a client revokes only the tokens issued to it (RFC 7009 §2.1)", () => {
  it("another client's revocation of demo-client's JWT is answered as for an unknown token, and revokes nothing", async () => {
    const jwt = await demoClientToken(TX.jwt, API);
    const unknown = await unknownTokenAnswer(OTHER);
    const r = await post("/oauth2/revoke", { token: jwt }, OTHER, f);
    expect({ status: r.status, text: r.text, type: r.res.headers.get("content-type"), cache: r.res.headers.get("cache-control") }).toEqual(unknown);
    expect((await post("/oauth2/introspect", { token: jwt }, DEMO, f)).json.active).toBe(true);
    expect(await wsStatus(jwtBst(jwt))).toBe(STATUS_VALID);
    // The client the token was issued to can revoke it.
    expect((await post("/oauth2/revoke", { token: jwt }, DEMO, f)).status).toBe(200);
    expect(await wsStatus(jwtBst(jwt))).toBe(STATUS_INVALID);
  });

  it("the audit line tells the operator what the identical 200s did", async () => {
    const jwt = await demoClientToken(TX.jwt, API);
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(" ")));
    await post("/oauth2/revoke", { token: jwt }, OTHER, f);
    await post("/oauth2/revoke", { token: "not-a-token-at-all" }, OTHER, f);
    await post("/oauth2/revoke", { token: jwt }, DEMO, f);
    const outcomes = lines
      .filter((l) => l.includes('"event":"audit"'))
      .map((l) => JSON.parse(l) as { operation: string; outcome: string | null })
      .filter((x) => x.operation === "oauth.revoke")
      .map((x) => x.outcome);
    expect(outcomes).toEqual(["not-revoked:not-issued-to-client", "not-revoked:not-ours", "revoked"]);
  });

  it("a SAML token obtained by exchange is revocable by its client only", async () => {
    const saml = await demoClientToken(TX.saml2, RP);
    const xml = atob(saml.replace(/-/g, "+").replace(/_/g, "/"));
    expect((await post("/oauth2/revoke", { token: saml }, OTHER, f)).status).toBe(200);
    expect(await wsStatus(xml)).toBe(STATUS_VALID);
    expect((await post("/oauth2/revoke", { token: saml }, DEMO, f)).status).toBe(200);
    expect(await wsStatus(xml)).toBe(STATUS_INVALID);
  });

  it("OAuth revocation does not reach tokens issued over WS-Trust (to no client)", async () => {
    const saml = await wsTrustToken(TT.saml2, RP);
    const jwt = await wsTrustToken(TT.jwt, API);
    const unknown = await unknownTokenAnswer(DEMO);
    for (const [token, presented] of [[b64url(saml), saml], [jwt, jwtBst(jwt)]] as const) {
      const r = await post("/oauth2/revoke", { token }, DEMO, f);
      expect({ status: r.status, text: r.text, type: r.res.headers.get("content-type"), cache: r.res.headers.get("cache-control") }).toEqual(unknown);
      expect(await wsStatus(presented)).toBe(STATUS_VALID);
    }
  });
});

describe("a client named as the resource server of a relying party", () => {
  const rsConfig = {
    ...config,
    oauthClients: [
      ...config.oauthClients,
      { clientId: "api-gateway", secretHashSecret: "DEV_DEMO_CLIENT_SECRET_HASH", allowedAudiences: [], resourceServerFor: [API] },
    ],
  };

  it("introspects every token for that relying party, nothing for another, and revokes none", async () => {
    const g = workerWith(rsConfig);
    const saml = await samlVia(g, "alice", "wonderland");
    const forApi = await exchange({ subject_token: b64url(saml), subject_token_type: TX.saml2, audience: API }, DEMO, g);
    const forRp = await exchange({ subject_token: b64url(saml), subject_token_type: TX.saml2, audience: RP, requested_token_type: TX.jwt }, DEMO, g);
    const apiJwt = forApi.json.access_token as string;
    const seen = await post("/oauth2/introspect", { token: apiJwt }, RS, g);
    expect(seen.json).toMatchObject({ active: true, aud: API, client_id: "demo-client", sub: "alice" });
    expect((await post("/oauth2/introspect", { token: forRp.json.access_token as string }, RS, g)).text).toBe('{"active":false}');
    expect((await post("/oauth2/revoke", { token: apiJwt }, RS, g)).status).toBe(200);
    expect((await post("/oauth2/introspect", { token: apiJwt }, DEMO, g)).json.active).toBe(true);
    expect(jwtParts(apiJwt).payload.client_id).toBe("demo-client");
  });
});
