import { describe, expect, it } from "vitest";
import { noStoreHeaders } from "../../src/web/headers.ts";
import { envelope } from "../helpers/soap.ts";
import { call } from "../helpers/worker.ts";

describe("prebuilt response headers", () => {
  it("are copied into each Response: changing one response's headers changes neither the shared set nor another response", () => {
    const shared = noStoreHeaders("application/json", true);
    expect(noStoreHeaders("application/json", true)).toBe(shared);
    const a = new Response("{}", { headers: shared });
    const b = new Response("{}", { headers: shared });
    a.headers.set("Cache-Control", "public");
    a.headers.set("X-Extra", "1");
    expect(b.headers.get("cache-control")).toBe("no-store");
    expect(shared.get("cache-control")).toBe("no-store");
    expect(shared.has("x-extra")).toBe(false);
    expect([...b.headers]).toEqual([["cache-control", "no-store"], ["content-type", "application/json"], ["pragma", "no-cache"], ["x-content-type-options", "nosniff"]]);
  });

  it("add Pragma only where asked (OAuth, RFC 6749 §5.1), not to SOAP replies", () => {
    expect(noStoreHeaders("text/xml; charset=utf-8").has("pragma")).toBe(false);
    expect(noStoreHeaders("text/xml; charset=utf-8").get("cache-control")).toBe("no-store");
    expect(noStoreHeaders("text/xml; charset=utf-8", true).get("pragma")).toBe("no-cache");
  });
});

describe("every answer", () => {
  it("says its Content-Type is the truth (nosniff): tokens, faults, JSON errors, metadata, 404s", async () => {
    const bad = envelope({ user: "alice", password: "wrong", appliesTo: "urn:example:rp" });
    const answers: [string, Response][] = [
      ["fault", await call("/trust/13/usernamemixed", { method: "POST", headers: bad.headers, body: bad.body })],
      ["oauth error", await call("/oauth2/token", { method: "POST", body: "grant_type=x", headers: { "content-type": "application/x-www-form-urlencoded" } })],
      ["jwks", await call("/oauth2/jwks")],
      ["rfc 8414", await call("/.well-known/oauth-authorization-server")],
      ["wsdl", await call("/trust/mex")],
      ["federation metadata", await call("/FederationMetadata/2007-06/FederationMetadata.xml")],
      ["admin error", await call("/admin/users", { method: "POST" })],
      ["not found", await call("/nothing-here")],
      ["health", await call("/healthz")],
    ];
    for (const [what, res] of answers) expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
  });

  it("every published document (metadata, WSDL, keys) may be cached a few minutes, as a key rotation allows for, and the same way", async () => {
    for (const path of ["/oauth2/jwks", "/.well-known/oauth-authorization-server", "/trust/mex", "/trust/13/usernamemixed?wsdl", "/FederationMetadata/2007-06/FederationMetadata.xml", "/realms/realm2/FederationMetadata/2007-06/FederationMetadata.xml"]) {
      const res = await call(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("cache-control"), path).toBe("public, max-age=300");
    }
  });

  it("a method a resource does not answer is 405 with Allow (RFC 9110 §15.5.6) and a registered OAuth error code; a path nothing serves is 404", async () => {
    for (const [path, method, allow] of [
      ["/oauth2/revoke", "PUT", "POST"],
      ["/oauth2/jwks", "POST", "GET, HEAD"],
      ["/.well-known/oauth-authorization-server", "DELETE", "GET, HEAD"],
      ["/trust/13/usernamemixed", "PUT", "GET, HEAD, POST"],
      ["/trust/mex", "DELETE", "GET, HEAD, POST"],
      ["/FederationMetadata/2007-06/FederationMetadata.xml", "POST", "GET, HEAD"],
      ["/admin/revoke-subject", "GET", "POST"],
      ["/admin/users/alice", "POST", "GET, HEAD, PATCH, DELETE"],
      ["/oauth2/token", "OPTIONS", "POST"],
      ["/oauth2/introspect", "GET", "POST"],
      ["/healthz", "POST", "GET, HEAD"],
      ["/realms/realm2/oauth2/jwks", "POST", "GET, HEAD"],
    ] as const) {
      const res = await call(path, { method });
      expect([res.status, res.headers.get("allow")], `${method} ${path}`).toEqual([405, allow]);
      // RFC 6749 §5.2: "method_not_allowed" is no OAuth error code; clients read `error` as one.
      expect(await res.json(), `${method} ${path}`).toEqual({ error: "invalid_request", error_description: `${method} is not allowed here: use ${allow.split(", ").join(" or ")}.` });
    }
    expect((await call("/trust/13/nothing", { method: "PUT" })).status).toBe(404);
  });

  it("an address nothing answers is a page for a browser's navigation, linking to its realm's home, and JSON for a program", async () => {
    const browser = { headers: { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" } };
    for (const [path, home] of [["/wsfed/", "/"], ["/realms/realm2/wsfed/", "/realms/realm2/"], ["/nothing/here?x=<b>", "/"]] as const) {
      const res = await call(path, browser);
      expect([res.status, res.headers.get("content-type")], path).toEqual([404, "text/html; charset=utf-8"]);
      expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
      const html = await res.text();
      expect(html).toContain(`<a href="${home}">home page</a>`);
      expect(html).not.toContain("<b>");
    }
    const program = await call("/wsfed/");
    expect([program.status, await program.json()]).toEqual([404, { error: "not_found" }]);
  });
});
