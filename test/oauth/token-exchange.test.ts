import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { DOMParser } from "@xmldom/xmldom";
import type { Element } from "@xmldom/xmldom";
import { NS, envelope } from "../helpers/soap.ts";
import { partnerAssertion } from "../helpers/partner.ts";
import { ORIGIN, call, trust } from "../helpers/worker.ts";
import { app } from "../../src/http/app.ts";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { createStateClient } from "../../src/state/client.ts";
import { KeyRing } from "../../src/keys/keyring.ts";
import { derToPem, fromBase64, toBase64Url } from "../../src/keys/pem.ts";
import { verifyEnveloped } from "../../src/xmldsig/verify.ts";
import { API, RP, TX, b64url, exchange, forgeJwt, hs256, jwtFromTrust, jwtParts, post, samlFromTrust, unb64url, verifyWithJwks, type Fetcher } from "./helpers.ts";
import { basic, DEMO } from "../helpers/credentials.ts";

/** Discovers everything from the metadata, as a new client would. */
async function discover() {
  const res = await call("/.well-known/oauth-authorization-server");
  expect(res.status).toBe(200);
  const meta = (await res.json()) as Record<string, string>;
  const jwksRes = await call(new URL(meta.jwks_uri!).pathname);
  expect(jwksRes.status).toBe(200);
  const jwks = (await jwksRes.json()) as { keys: (JsonWebKey & { kid: string; x5c: string[] })[] };
  return { meta, jwks };
}

describe("RFC 8414 metadata and JWKS", () => {
  it("names the issuer of our tokens and absolute endpoints on the origin", async () => {
    const { meta, jwks } = await discover();
    expect(meta.issuer).toBe(ORIGIN);
    expect(meta.token_endpoint).toBe(`${ORIGIN}/oauth2/token`);
    expect(meta.introspection_endpoint).toBe(`${ORIGIN}/oauth2/introspect`);
    expect(meta.revocation_endpoint).toBe(`${ORIGIN}/oauth2/revoke`);
    expect(meta.jwks_uri).toBe(`${ORIGIN}/oauth2/jwks`);
    expect(meta.grant_types_supported).toEqual([TX.grant]);
    expect(meta.token_endpoint_auth_methods_supported).toEqual(["client_secret_basic", "client_secret_post", "private_key_jwt"]);
    expect(meta.token_endpoint_auth_signing_alg_values_supported).not.toContain("none");
    expect(meta.token_endpoint_auth_signing_alg_values_supported).not.toContain("HS256");
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const k of jwks.keys) {
      expect(typeof k.kid).toBe("string");
      expect(k.x5c).toHaveLength(1);
      expect(k.d).toBeUndefined(); // never a private member
      // RFC 7517 §4.9: the SHA-256 thumbprint of the certificate in x5c.
      const der = Uint8Array.from(atob(k.x5c[0]!), (c) => c.charCodeAt(0));
      expect((k as { "x5t#S256"?: string })["x5t#S256"]).toBe(toBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", der))));
    }
  });

  it("answers at RFC 8414 §3.1's address for an issuer with a path, and only that path", async () => {
    const { workerWith } = await import("../hostile/configured.ts");
    const issuer = `${ORIGIN}/adfs/services/trust`;
    const f = workerWith({ ...DEV_CONFIG, issuer: `${issuer}/` });
    const res = await f("/.well-known/oauth-authorization-server/adfs/services/trust");
    expect(res.status).toBe(200);
    // The address is a resource: another method there is its 405, not a 404.
    const posted = await f("/.well-known/oauth-authorization-server/adfs/services/trust", { method: "POST" });
    expect([posted.status, posted.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
    expect((await f("/.well-known/oauth-authorization-server/other", { method: "POST" })).status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    const meta = (await res.json()) as Record<string, string>;
    // §3.3: the issuer the address was built from.
    expect(meta.issuer).toBe(`${issuer}/`);
    expect(meta).toEqual(await (await f("/.well-known/oauth-authorization-server")).json());
    for (const other of ["/.well-known/oauth-authorization-server/adfs", "/.well-known/oauth-authorization-server/adfs/services/trust/x", "/.well-known/oauth-authorization-server/other", "/.well-known/oauth%2Dauthorization-server/adfs/services/trust"]) {
      expect((await f(other)).status, other).toBe(404);
    }
    // An issuer without a path has only the one address.
    expect((await call("/.well-known/oauth-authorization-server/adfs/services/trust")).status).toBe(404);
  });
});

describe("RFC 8693 token exchange (dev configuration, black box)", () => {
  it("exchanges alice's WS-Trust SAML 2.0 assertion for a JWT that verifies with the published JWKS", async () => {
    const { meta, jwks } = await discover();
    const saml = await samlFromTrust();
    const r = await exchange({ subject_token: b64url(saml), subject_token_type: TX.saml2, audience: API });
    expect(r.status).toBe(200);
    expect(r.res.headers.get("cache-control")).toBe("no-store");
    expect(r.res.headers.get("pragma")).toBe("no-cache");
    expect(r.json.issued_token_type).toBe(TX.jwt);
    expect(r.json.token_type).toBe("N_A");
    expect(r.json.expires_in).toBeGreaterThan(3590);
    expect(r.json.expires_in).toBeLessThanOrEqual(3600);
    const jwt = r.json.access_token as string;
    expect(await verifyWithJwks(jwt, jwks)).toBe(true);
    expect(await verifyWithJwks(jwt.slice(0, -3) + (jwt.endsWith("AAA") ? "BBB" : "AAA"), jwks)).toBe(false);
    const { header, payload } = jwtParts(jwt);
    expect(header.typ).toBe("JWT");
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);
    expect(payload.iss).toBe(meta.issuer);
    expect(payload.sub).toBe("alice");
    expect(payload.aud).toBe(API);
    expect(payload.client_id).toBe("demo-client");
    expect(payload.email).toBe("alice@example.com");
    expect(payload.act).toBeUndefined();
  });

  it("issues an RFC 9068 access token (typ at+jwt, token_type Bearer) when asked", async () => {
    const saml = await samlFromTrust();
    const r = await exchange({ subject_token: b64url(saml), subject_token_type: TX.saml2, resource: API, requested_token_type: TX.at });
    expect(r.status).toBe(200);
    expect(r.json.issued_token_type).toBe(TX.at);
    expect(r.json.token_type).toBe("Bearer");
    expect(jwtParts(r.json.access_token as string).header.typ).toBe("at+jwt");
  });

  it("puts bob as act.sub when bob's token is the actor_token; introspection shows it; a second hop nests it", async () => {
    const saml = await samlFromTrust();
    const bob = await jwtFromTrust("bob", "builder");
    const r = await exchange({ subject_token: b64url(saml), subject_token_type: TX.saml2, audience: API, actor_token: bob, actor_token_type: TX.jwt });
    expect(r.status).toBe(200);
    const jwt = r.json.access_token as string;
    expect(jwtParts(jwt).payload.act).toEqual({ sub: "bob" });
    expect(jwtParts(jwt).payload.sub).toBe("alice");

    const i = await post("/oauth2/introspect", { token: jwt, token_type_hint: "refresh_token" });
    expect(i.status).toBe(200);
    expect(i.res.headers.get("cache-control")).toBe("no-store");
    expect(i.json).toMatchObject({ active: true, sub: "alice", aud: API, iss: ORIGIN, client_id: "demo-client", act: { sub: "bob" }, token_type: "N_A", issued_token_type: TX.jwt });
    for (const k of ["exp", "iat", "nbf"]) expect(typeof i.json[k]).toBe("number");
    expect(i.json.jti).toBe(jwtParts(jwt).payload.jti);

    // RFC 8693 §4.1: a new actor wraps the earlier chain.
    const carolish = await jwtFromTrust("alice", "wonderland");
    const r2 = await exchange({ subject_token: jwt, subject_token_type: TX.jwt, audience: API, actor_token: carolish, actor_token_type: TX.jwt });
    expect(r2.status).toBe(200);
    expect(jwtParts(r2.json.access_token as string).payload.act).toEqual({ sub: "alice", act: { sub: "bob" } });
    // Without a new actor, the chain is kept as is.
    const r3 = await exchange({ subject_token: jwt, subject_token_type: TX.jwt, audience: API });
    expect(jwtParts(r3.json.access_token as string).payload.act).toEqual({ sub: "bob" });
  });

  it("takes a subject_token and actor_token with a final newline (curl --data-urlencode name@file), as introspection does", async () => {
    const alice = await jwtFromTrust("alice", "wonderland");
    const bob = await jwtFromTrust("bob", "builder");
    const r = await exchange({ subject_token: `${alice}\n`, subject_token_type: TX.jwt, audience: API, actor_token: ` ${bob}\r\n`, actor_token_type: TX.jwt });
    expect(r.status).toBe(200);
    expect(jwtParts(r.json.access_token as string).payload).toMatchObject({ sub: "alice", act: { sub: "bob" } });
    const i = await post("/oauth2/introspect", { token: `${r.json.access_token as string}\n` });
    expect(i.json).toMatchObject({ active: true, sub: "alice" });
  });

  it("refuses a delegated token as the actor_token: the party acting through it would vanish from the chain", async () => {
    const alice = await jwtFromTrust("alice", "wonderland");
    const bob = await jwtFromTrust("bob", "builder");
    // bob acting for alice: sub alice, act bob.
    const delegated = (await exchange({ subject_token: alice, subject_token_type: TX.jwt, audience: API, actor_token: bob, actor_token_type: TX.jwt })).json.access_token as string;
    expect(jwtParts(delegated).payload).toMatchObject({ sub: "alice", act: { sub: "bob" } });
    const r = await exchange({ subject_token: alice, subject_token_type: TX.jwt, audience: API, actor_token: delegated, actor_token_type: TX.jwt });
    expect(r.status).toBe(400);
    expect(r.json.error).toBe("invalid_grant");
    expect(String(r.json.error_description)).toContain("itself a delegated token");
  });

  it("bridges JWT → SAML 2.0: token_type N_A, base64url assertion signed by a key from the JWKS", async () => {
    const { jwks } = await discover();
    const jwt = await jwtFromTrust("alice", "wonderland");
    const r = await exchange({ subject_token: jwt, subject_token_type: TX.jwt, audience: RP, requested_token_type: TX.saml2 });
    expect(r.status).toBe(200);
    expect(r.json.token_type).toBe("N_A");
    expect(r.json.issued_token_type).toBe(TX.saml2);
    const token = r.json.access_token as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
    const xml = unb64url(token);
    const el = new DOMParser().parseFromString(xml, "text/xml").documentElement as unknown as Element;
    expect(el.namespaceURI).toBe(NS.saml2);
    expect(el.getElementsByTagNameNS(NS.saml2, "NameID")[0]!.textContent).toBe("alice");
    expect(el.getElementsByTagNameNS(NS.saml2, "Audience")[0]!.textContent).toBe(RP);
    expect(el.getElementsByTagNameNS(NS.saml2, "Issuer")[0]!.textContent).toBe(ORIGIN);
    // Pinned keys built from the published certificates only (as a relying party would).
    const ring = await KeyRing.load(jwks.keys.map((k) => ({ status: "previous" as const, certificatePem: derToPem(fromBase64(k.x5c[0]!), "CERTIFICATE") })));
    const v = await verifyEnveloped(el, { keys: ring.all() });
    expect(v).toMatchObject({ ok: true });
    const tampered = new DOMParser().parseFromString(xml.replace(">alice<", ">alicf<"), "text/xml").documentElement as unknown as Element;
    expect((await verifyEnveloped(tampered, { keys: ring.all() })).ok).toBe(false);
    // And the bridge back: that SAML token exchanges for a JWT again.
    const back = await exchange({ subject_token: token, subject_token_type: TX.saml2, audience: API });
    expect(back.status).toBe(200);
    expect(jwtParts(back.json.access_token as string).payload.sub).toBe("alice");
  });

  it("exchanges SAML 1.1 subject tokens and issues SAML 1.1", async () => {
    const saml1 = await samlFromTrust("alice", "wonderland", "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1");
    const r = await exchange({ subject_token: b64url(saml1), subject_token_type: TX.saml1, audience: RP, requested_token_type: TX.saml1 });
    expect(r.status).toBe(200);
    expect(r.json.issued_token_type).toBe(TX.saml1);
    expect(unb64url(r.json.access_token as string)).toContain(`xmlns:saml="${NS.saml1}"`);
    // A SAML 1.1 assertion labelled saml2 is refused.
    const wrong = await exchange({ subject_token: b64url(saml1), subject_token_type: TX.saml2, audience: API });
    expect([wrong.status, wrong.json.error]).toEqual([400, "invalid_grant"]);
  });

  it("a partner's attribute named __proto__ or constructor is a claim of the JWT, as of the SAML token", async () => {
    // JSON.parse, not an object literal: a literal's __proto__ would set the prototype.
    const claims = JSON.parse('{"__proto__":["p"],"constructor":["c"]}') as Record<string, string[]>;
    for (const kind of ["jwt", "saml2"] as const) {
      const r = await exchange({ subject_token: b64url(await partnerAssertion({ claims })), subject_token_type: TX.saml2, audience: API, requested_token_type: TX[kind] });
      expect(r.status, r.text).toBe(200);
      const token = r.json.access_token as string;
      if (kind === "jwt") {
        const payload = unb64url(token.split(".")[1]!);
        expect(payload).toContain('"__proto__":["p"]');
        expect(payload).toContain('"constructor":["c"]');
      } else {
        expect(unb64url(token)).toContain('<saml:Attribute Name="__proto__" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic"><saml:AttributeValue>p<');
      }
    }
  });

  it("accepts client_secret_post", async () => {
    const jwt = await jwtFromTrust("alice", "wonderland");
    const r = await exchange({ subject_token: jwt, subject_token_type: TX.jwt, audience: API, client_id: "demo-client", client_secret: "demo-secret" }, null);
    expect(r.status).toBe(200);
  });
});

describe("one revocation model across RFC 7009 and WS-Trust", () => {
  it("a token revoked via RFC 7009 is inactive and can no longer be exchanged", async () => {
    const saml = await samlFromTrust();
    const r = await exchange({ subject_token: b64url(saml), subject_token_type: TX.saml2, audience: API });
    const jwt = r.json.access_token as string;
    expect((await post("/oauth2/introspect", { token: jwt })).json.active).toBe(true);
    const rv = await post("/oauth2/revoke", { token: jwt, token_type_hint: "access_token" });
    expect(rv.status).toBe(200);
    expect(rv.text).toBe("");
    expect(rv.res.headers.get("cache-control")).toBe("no-store");
    const i = await post("/oauth2/introspect", { token: jwt });
    expect(i.text).toBe('{"active":false}');
    const again = await exchange({ subject_token: jwt, subject_token_type: TX.jwt, audience: RP });
    expect(again.status).toBe(400);
    expect(again.json.error).toBe("invalid_grant");
    // Revoking twice is fine (idempotent).
    expect((await post("/oauth2/revoke", { token: jwt })).status).toBe(200);
  });

  it("a SAML assertion cancelled via WS-Trust Cancel cannot be exchanged", async () => {
    const saml = await samlFromTrust();
    expect((await exchange({ subject_token: b64url(saml), subject_token_type: TX.saml2, audience: API })).status).toBe(200);
    const c = await trust({
      user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978", requestType: "Cancel",
      extra: `<wst:CancelTarget>${saml}</wst:CancelTarget>`,
    });
    expect(c.status).toBe(200);
    expect(c.text).toContain("RequestedTokenCancelled");
    const r = await exchange({ subject_token: b64url(saml), subject_token_type: TX.saml2, audience: API });
    expect(r.status).toBe(400);
    expect(r.json.error).toBe("invalid_grant");
    expect(r.json.error_description).toContain("revoked");
  });

  it("a SAML assertion revoked via RFC 7009 is invalid for WS-Trust Validate", async () => {
    // A client revokes what was issued to it: a SAML assertion it obtained by exchange.
    const r = await exchange({ subject_token: b64url(await samlFromTrust()), subject_token_type: TX.saml2, audience: RP, requested_token_type: TX.saml2 });
    const token = r.json.access_token as string;
    const saml = unb64url(token);
    expect((await post("/oauth2/introspect", { token })).json).toMatchObject({ active: true, sub: "alice", aud: RP, client_id: "demo-client", token_type: "N_A", issued_token_type: TX.saml2 });
    expect((await post("/oauth2/revoke", { token })).status).toBe(200);
    const v = await trust({
      user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978", requestType: "Validate",
      tokenType: `${NS.t13}/RSTR/Status`, extra: `<wst:ValidateTarget>${saml}</wst:ValidateTarget>`,
    });
    expect(/<wst:Code>([^<]+)<\/wst:Code>/.exec(v.text)?.[1]).toBe(`${NS.t13}/status/invalid`);
  });

  it("a token issued to the client that has not started yet (a postdated renewal) is revoked at once", async () => {
    const config = { ...DEV_CONFIG, relyingParties: DEV_CONFIG.relyingParties!.map((rp) => (rp.identifier === API ? { ...rp, renewal: { allowPostdating: true } } : rp)) };
    const e2 = { ...env, ...DEV_SECRETS, STS_CONFIG: JSON.stringify(config) };
    const exec = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    const f: Fetcher = async (path, init) => app.fetch(new Request(ORIGIN + path, init), e2, exec);
    const issued = (await exchange({ subject_token: await jwtFromTrust("alice", "wonderland"), subject_token_type: TX.jwt, audience: API }, DEMO, f)).json.access_token as string;
    const start = Date.now() + 3600_000;
    const bst = `<wsse:BinarySecurityToken ValueType="${TX.jwt}">${btoa(issued)}</wsse:BinarySecurityToken>`;
    const m = envelope({
      user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978", requestType: "Renew",
      lifetime: { created: new Date(start).toISOString(), expires: new Date(start + 600_000).toISOString() }, extra: `<wst:RenewTarget>${bst}</wst:RenewTarget>`,
    });
    const renewed = await (await f("/trust/13/usernamemixed", { method: "POST", headers: m.headers, body: m.body })).text();
    const postdated = atob(/<wsse:BinarySecurityToken[^>]*>([^<]+)</.exec(renewed)![1]!);
    const p = jwtParts(postdated).payload as { jti: string; iat: number; nbf: number; exp: number; client_id: string };
    expect([p.client_id, p.nbf * 1000 >= start - 1000]).toEqual(["demo-client", true]);
    expect((await post("/oauth2/revoke", { token: postdated }, DEMO, f)).status).toBe(200);
    const state = createStateClient(env as unknown as Parameters<typeof createStateClient>[0], { cache: null });
    expect((await state.status({ subject: "alice" }, { id: p.jti, issuedAt: p.iat * 1000, expiresAt: p.exp * 1000 })).state).toBe("revoked");
  });

  it("revocation answers 200 for unknown tokens; introspection answers exactly {active:false}", async () => {
    for (const token of ["not-a-token", "a.b.c", b64url("<x/>")]) {
      const rv = await post("/oauth2/revoke", { token });
      expect([rv.status, rv.text]).toEqual([200, ""]);
      const i = await post("/oauth2/introspect", { token });
      expect([i.status, i.text]).toEqual([200, '{"active":false}']);
    }
  });
});

describe("token endpoint errors", () => {
  const err = async (p: Promise<{ status: number; json: Record<string, unknown>; res: Response }>, status: number, code: string) => {
    const r = await p;
    expect([r.status, r.json.error]).toEqual([status, code]);
    expect(typeof r.json.error_description).toBe("string");
    expect(r.res.headers.get("cache-control")).toBe("no-store");
    expect(r.res.headers.get("pragma")).toBe("no-cache");
    return r;
  };

  it("missing subject_token → 400 invalid_request", async () => {
    await err(exchange({ subject_token_type: TX.jwt, audience: API }), 400, "invalid_request");
  });
  it("unknown grant → 400 unsupported_grant_type", async () => {
    await err(post("/oauth2/token", { grant_type: "client_credentials" }), 400, "unsupported_grant_type");
  });
  it("wrong secret (Basic) → 401 invalid_client with a Basic challenge", async () => {
    const r = await err(exchange({ subject_token: "x", subject_token_type: TX.jwt }, basic("demo-client", "wrong")), 401, "invalid_client");
    expect(r.res.headers.get("www-authenticate")).toMatch(/^Basic realm="sts"/);
  });
  it("unknown client and wrong secret (post) → 401 invalid_client, each with a challenge (RFC 9110 §15.5.2)", async () => {
    const unknown = await err(exchange({ subject_token: "x", subject_token_type: TX.jwt }, basic("nobody", "demo-secret")), 401, "invalid_client");
    expect(unknown.res.headers.get("www-authenticate")).toBe('Basic realm="sts", charset="UTF-8"');
    const secretPost = await err(exchange({ subject_token: "x", subject_token_type: TX.jwt, client_id: "demo-client", client_secret: "nope" }, null), 401, "invalid_client");
    expect(secretPost.res.headers.get("www-authenticate")).toBe('Basic realm="sts", charset="UTF-8"');
    // Other names each, so as not to add to demo-client's failure count.
    for (const path of ["/oauth2/introspect", "/oauth2/revoke"]) {
      const r = await err(post(path, { token: "x", client_id: `nobody${path.replace(/\W/g, "-")}`, client_secret: "nope" }, null), 401, "invalid_client");
      expect(r.res.headers.get("www-authenticate"), path).toBe('Basic realm="sts", charset="UTF-8"');
    }
  });
  it("no client authentication → 401; two methods at once → 400 invalid_request", async () => {
    await err(exchange({ subject_token: "x", subject_token_type: TX.jwt }, null), 401, "invalid_client");
    await err(exchange({ subject_token: "x", subject_token_type: TX.jwt, client_id: "demo-client", client_secret: "demo-secret" }), 400, "invalid_request");
  });
  it("unknown audience → 400 invalid_target; bad resource → invalid_target; two different targets → invalid_target", async () => {
    const jwt = await jwtFromTrust("alice", "wonderland");
    await err(exchange({ subject_token: jwt, subject_token_type: TX.jwt, audience: "https://evil.example/" }), 400, "invalid_target");
    await err(exchange({ subject_token: jwt, subject_token_type: TX.jwt, resource: "relative/path" }), 400, "invalid_target");
    await err(exchange({ subject_token: jwt, subject_token_type: TX.jwt, audience: [API, RP] }), 400, "invalid_target");
    await err(exchange({ subject_token: jwt, subject_token_type: TX.jwt }), 400, "invalid_target");
  });
  it("actor_token without actor_token_type (and vice versa) → invalid_request", async () => {
    const jwt = await jwtFromTrust("alice", "wonderland");
    await err(exchange({ subject_token: jwt, subject_token_type: TX.jwt, audience: API, actor_token: jwt }), 400, "invalid_request");
    await err(exchange({ subject_token: jwt, subject_token_type: TX.jwt, audience: API, actor_token_type: TX.jwt }), 400, "invalid_request");
  });
  it("refuses repeated parameters, wrong content type, unknown token types", async () => {
    const jwt = await jwtFromTrust("alice", "wonderland");
    await err(exchange({ subject_token: [jwt, jwt], subject_token_type: TX.jwt, audience: API }), 400, "invalid_request");
    await err(exchange({ subject_token: jwt, subject_token_type: "urn:example:weird", audience: API }), 400, "invalid_request");
    await err(exchange({ subject_token: jwt, subject_token_type: TX.jwt, audience: API, requested_token_type: TX.idt }), 400, "invalid_request");
    const res = await call("/oauth2/token", { method: "POST", headers: { "content-type": "application/json", authorization: DEMO }, body: "{}" });
    expect([res.status, ((await res.json()) as { error: string }).error]).toEqual([400, "invalid_request"]);
  });
  it("a SAML token that is not base64url, or not XML, is refused naming the parameter it came in", async () => {
    const jwt = await jwtFromTrust("alice", "wonderland");
    const saml = b64url(await samlFromTrust());
    const notB64 = "<saml:Assertion/>";
    const subject = await err(exchange({ subject_token: notB64, subject_token_type: TX.saml2, audience: API }), 400, "invalid_grant");
    expect(subject.json.error_description).toBe("The subject_token is not base64url-encoded, as a SAML token must be (RFC 8693 section 3).");
    const actor = await err(exchange({ subject_token: jwt, subject_token_type: TX.jwt, audience: API, actor_token: notB64, actor_token_type: TX.saml2 }), 400, "invalid_grant");
    expect(actor.json.error_description).toBe("The actor_token is not base64url-encoded, as a SAML token must be (RFC 8693 section 3).");
    const notXml = await err(exchange({ subject_token: saml, subject_token_type: TX.saml2, audience: API, actor_token: b64url("not xml"), actor_token_type: TX.saml1 }), 400, "invalid_grant");
    expect(notXml.json.error_description).toMatch(/^The actor_token is not acceptable XML: /);
  });
  it("carries a delegation into SAML as the actor claim", async () => {
    const jwt = await jwtFromTrust("alice", "wonderland");
    const bob = await jwtFromTrust("bob", "builder");
    const res = await exchange({ subject_token: jwt, subject_token_type: TX.jwt, audience: RP, requested_token_type: TX.saml2, actor_token: bob, actor_token_type: TX.jwt });
    expect(res.status).toBe(200);
    const token = res.json.access_token as string;
    const xml = unb64url(token);
    expect(xml).toContain('Name="http://schemas.xmlsoap.org/ws/2009/09/identity/claims/actor"');
    expect(xml).toMatch(/claims\/actor"[^>]*><saml:AttributeValue>bob</);
    // Introspection of the SAML result reports the actor.
    const intro = await post("/oauth2/introspect", { token }, DEMO);
    expect(intro.json.act).toEqual({ sub: "bob" });
  });
  it("refuses alg none, HMAC and re-signed tokens that claim our issuer → invalid_grant", async () => {
    const real = await jwtFromTrust("alice", "wonderland");
    const { header, payload } = jwtParts(real);
    const none = forgeJwt({ alg: "none", typ: "JWT" }, payload);
    await err(exchange({ subject_token: none, subject_token_type: TX.jwt, audience: API }), 400, "invalid_grant");
    const hmac = await hs256({ ...header, alg: "HS256" }, payload, "demo-secret");
    await err(exchange({ subject_token: hmac, subject_token_type: TX.jwt, audience: API }), 400, "invalid_grant");
    const swapped = `${real.split(".")[0]}.${b64url(JSON.stringify({ ...payload, sub: "bob" }))}.${real.split(".")[2]}`;
    await err(exchange({ subject_token: swapped, subject_token_type: TX.jwt, audience: API }), 400, "invalid_grant");
    await err(exchange({ subject_token: "%%%", subject_token_type: TX.saml2, audience: API }), 400, "invalid_grant");
    await err(exchange({ subject_token: b64url("<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>"), subject_token_type: TX.saml2, audience: API }), 400, "invalid_grant");
  });
  it("introspection and revocation need client authentication", async () => {
    await err(post("/oauth2/introspect", { token: "x" }, basic("demo-client", "nope")), 401, "invalid_client");
    await err(post("/oauth2/revoke", { token: "x" }, null), 401, "invalid_client");
    await err(post("/oauth2/introspect", {}), 400, "invalid_request");
  });
});
