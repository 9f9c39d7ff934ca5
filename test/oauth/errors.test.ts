import { describe, expect, it } from "vitest";
import { StsError, type StsErrorCode } from "../../src/errors.ts";
import { OAuthError, oauthErrorResponse, toOAuthError } from "../../src/oauth/errors.ts";
import { parseForm } from "../../src/oauth/form.ts";
import { call } from "../helpers/worker.ts";
import { TX, post } from "./helpers.ts";
import { DEMO } from "../helpers/credentials.ts";

describe("engine error → OAuth error table", () => {
  const expected: [StsErrorCode, string, number][] = [
    ["invalid_request", "invalid_request", 400],
    ["bad_request", "invalid_request", 400],
    ["authentication_failed", "invalid_grant", 400],
    ["not_authorized", "unauthorized_client", 400],
    ["invalid_scope", "invalid_target", 400],
    ["invalid_time_range", "invalid_request", 400],
    ["invalid_token", "invalid_grant", 400],
    ["unable_to_renew", "invalid_grant", 400],
    ["unsupported_token", "invalid_request", 400],
    ["invalid_dpop_proof", "invalid_dpop_proof", 400],
    ["message_expired", "invalid_grant", 400],
    ["must_understand", "invalid_request", 400],
    ["version_mismatch", "invalid_request", 400],
    ["action_not_supported", "invalid_request", 400],
    ["invalid_addressing_header", "invalid_request", 400],
    ["destination_unreachable", "invalid_request", 400],
    ["rate_limited", "temporarily_unavailable", 429],
    ["not_configured", "temporarily_unavailable", 503],
    ["unknown_realm", "invalid_request", 404],
  ];
  for (const [code, oauth, status] of expected) {
    it(`${code} → ${status} ${oauth}`, () => {
      const o = toOAuthError(new StsError(code, "why"));
      expect([o?.code, o?.status, o?.message]).toEqual([oauth, status, "why"]);
    });
  }
  it("leaves other errors alone (they become a generic 500)", () => {
    expect(toOAuthError(new TypeError("x"))).toBeUndefined();
  });
  it("writes {error, error_description}, no-store, and a Basic challenge on every 401 (RFC 9110 §15.5.2)", async () => {
    const r = oauthErrorResponse(new OAuthError("invalid_client", "nope"));
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ error: "invalid_client", error_description: "nope" });
    expect(r.headers.get("www-authenticate")).toBe('Basic realm="sts", charset="UTF-8"');
    expect([r.headers.get("cache-control"), r.headers.get("pragma")]).toEqual(["no-store", "no-cache"]);
    expect(oauthErrorResponse(new OAuthError("invalid_request", "x")).headers.get("www-authenticate")).toBeNull();
  });
});

describe("error_description characters (RFC 6749 §5.2)", () => {
  const ALLOWED = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/;
  it("writes our messages' section signs, quotes and other characters in ASCII", async () => {
    const r = oauthErrorResponse(new OAuthError("invalid_request", 'Use one (RFC 6749 §2.3), not "two" \\ or §§ \u2014 caf\u00e9\u2026\n'));
    expect(((await r.json()) as { error_description: string }).error_description).toBe("Use one (RFC 6749 section 2.3), not 'two' / or section section - caf?... ");
  });
  it("keeps every description on the wire inside the allowed set, whatever the caller sent", async () => {
    const answers = [
      await post("/oauth2/token", { grant_type: TX.grant, subject_token: "x", subject_token_type: TX.saml2, audience: "https://api.example.com/" }),
      await post("/oauth2/token", { grant_type: TX.grant, subject_token: "x", subject_token_type: TX.jwt, client_id: "demo-client", client_secret: "demo-secret" }),
      await call("/oauth2/token", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", authorization: DEMO }, body: "%C3%A9%22%5C%E2%80%94=1&%C3%A9%22%5C%E2%80%94=2" }).then(async (res) => ({ status: res.status, json: (await res.json()) as Record<string, unknown> })),
    ];
    for (const a of answers) {
      expect(a.status).toBe(400);
      expect(a.json.error_description).toMatch(ALLOWED);
    }
    expect(answers[1]!.json.error_description).toBe("Use exactly one client authentication method (RFC 6749 section 2.3).");
    expect(answers[2]!.json.error_description).toBe("The parameter '?'/-' must not be repeated.");
  });
});

describe("form parameters (RFC 6749 §3.2)", () => {
  it("refuses repeated parameters except audience and resource; empty values count as absent", () => {
    expect(() => parseForm("a=1&a=2")).toThrow(OAuthError);
    const f = parseForm("audience=x&audience=y&resource=z&scope=&e=a+b%20c");
    expect(f.all("audience")).toEqual(["x", "y"]);
    expect(f.get("scope")).toBeUndefined();
    expect(f.has("scope")).toBe(false);
    expect(f.get("e")).toBe("a b c");
  });

  it("reads every body as URLSearchParams (the WHATWG parser) does, a '%' that starts no escape included", () => {
    const bodies = [
      "a=1&&b=2", "=x", "a", "a=b=c", "&a=1&", "a=1&b", "k+1=v+2", "a=%2B+%2b", "a=%C3%A9&b=%E2%9C%93",
      "ü=ö&x=\u{1D11E}", "x=%00", "%zz=1", "a=%", "a=%2", "a=%%41", "",
      "subject_token=eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt",
    ];
    for (const body of bodies) {
      const want = new Map<string, string>();
      for (const [k, v] of new URLSearchParams(body)) if (!want.has(k)) want.set(k, v);
      const f = parseForm(body);
      for (const [k, v] of want) expect([body, k, f.get(k) ?? ""]).toEqual([body, k, v]);
      expect(f.has("never-sent")).toBe(false);
    }
    // Escapes that are not UTF-8, which URLSearchParams reads as U+FFFD, are refused.
    for (const body of ["a=%FF", "a=%E2%82", "b=%C3%A9&a=%FF"]) expect(() => parseForm(body), body).toThrow(expect.objectContaining({ code: "bad_request" }));
  });
});

describe("client_secret_basic encoding (RFC 6749 §2.3.1)", () => {
  it("form-decodes the id and secret inside Basic", async () => {
    const r = await post("/oauth2/introspect", { token: "x" }, "Basic " + btoa("demo%2Dclient:demo%2Dsecret"));
    expect([r.status, r.text]).toEqual([200, '{"active":false}']);
    const bad = await post("/oauth2/introspect", { token: "x" }, "Basic !!!");
    expect([bad.status, bad.json.error]).toEqual([401, "invalid_client"]);
  });
});

describe("hostile input never yields a 500", () => {
  const junk = ["", "=", "%", "a.b", "....", "e30.e30.", "e30.e30.e30", "PD94bWw", "PHg-PC94Pg", "\u0000", "x".repeat(5000)];
  it("token, introspection and revocation answer 4xx/200 JSON for junk", async () => {
    for (const j of junk) {
      for (const t of [TX.jwt, TX.saml2, TX.saml1, TX.idt]) {
        const r = await post("/oauth2/token", { grant_type: TX.grant, subject_token: j, subject_token_type: t, audience: "https://api.example.com/", actor_token: j, actor_token_type: t });
        expect(r.status).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
      }
      expect((await post("/oauth2/introspect", { token: j })).status).toBeLessThan(500);
      expect((await post("/oauth2/revoke", { token: j })).status).toBeLessThan(500);
    }
    const r = await call("/oauth2/token", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new Uint8Array([0xff, 0xfe]) });
    expect(r.status).toBe(400);
    expect((await call("/oauth2/token")).status).toBe(405);
  });
});
