/**
 * A percent-encoded value that is not UTF-8 is refused wherever a form or query is read (one
 * parser, src/web/form-urlencoded.ts), as a body that is not UTF-8 is, each door in its own
 * error shape: never read as U+FFFD and carried on changed (a `wctx` handed back altered).
 */
import { describe, expect, it } from "vitest";
import { call } from "../helpers/worker.ts";
import { DEMO, USER_ADMIN as USERS } from "../helpers/credentials.ts";

const FORM = { "content-type": "application/x-www-form-urlencoded" };

describe("percent-encoded bytes that are not UTF-8", () => {
  it("browser sign-in: a 400 page for the query (GET) and the form (POST), in a value or a name; the same request in UTF-8 is served", async () => {
    const ok = await call("/wsfed?wa=wsignin1.0&wtrealm=urn:example:rp&wctx=%C3%A9");
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('name="wctx" value="é"');
    for (const q of ["wa=wsignin1.0&wtrealm=urn:example:rp&wctx=%FF", "wa=wsignin1.0&wtrealm=urn:example:rp&wctx=%E2%82", "wa=wsignin1.0&wtrealm=urn:example:rp&%C0%AF=1", "wa=wsignout1.0&wreply=%FF"]) {
      const got = await call(`/wsfed?${q}`);
      expect(got.status, q).toBe(400);
      expect(got.headers.get("content-type"), q).toMatch(/^text\/html/);
      expect(await got.text(), q).not.toContain("\uFFFD");
      const posted = await call("/wsfed", { method: "POST", headers: FORM, body: q });
      expect(posted.status, q).toBe(400);
      expect(posted.headers.get("content-type"), q).toMatch(/^text\/html/);
      expect(posted.headers.get("location"), q).toBeNull();
    }
  });

  it("OAuth: invalid_request JSON, as for a body that is not UTF-8", async () => {
    for (const path of ["/oauth2/token", "/oauth2/introspect", "/oauth2/revoke"]) {
      const res = await call(path, { method: "POST", headers: { ...FORM, authorization: DEMO }, body: "token=%FF&subject_token=%FF&grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token_type=urn:ietf:params:oauth:token-type:jwt" });
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { error: string }).error, path).toBe("invalid_request");
    }
  });

  it("admin list: invalid_request JSON for its query; the same query in UTF-8 is served", async () => {
    expect((await call("/admin/users?limit=1&note=%C3%A9", { headers: { authorization: USERS } })).status).toBe(200);
    const res = await call("/admin/users?limit=1&note=%FF", { headers: { authorization: USERS } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "invalid_request", error_description: expect.stringContaining("UTF-8") });
  });

  it("the WSDL of an endpoint: invalid_request JSON for its query", async () => {
    expect((await call("/trust/13/usernamemixed?wsdl&x=%C3%A9")).status).toBe(200);
    const res = await call("/trust/13/usernamemixed?wsdl&x=%FF");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "invalid_request", error_description: expect.stringContaining("UTF-8") });
  });
});
