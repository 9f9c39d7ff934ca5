import { describe, expect, it } from "vitest";
import { noStoreHeaders } from "../../src/web/headers.ts";
import { envelope } from "../helpers/soap.ts";
import { app } from "../../src/http/app.ts";
import { ADFS_ENDPOINT_ALIASES, TRUST_ENDPOINT_LIST } from "../../src/wstrust/endpoints.ts";
import { call } from "../helpers/worker.ts";
import { STYLESHEET_PATH } from "../../src/pages/html.ts";
import { AUTOPOST_SCRIPT_PATH } from "../../src/pages/wsfed-html.ts";

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

  // Every address and a method it does not answer, with the methods it does: each route of the
  // app (the last test checks none is missing), with and without the query that changes what it
  // answers (a WS-Trust endpoint answers GET only for its WSDL).
  const NOT_ANSWERED: readonly (readonly [string, string, string])[] = [
    ...[...TRUST_ENDPOINT_LIST, ...ADFS_ENDPOINT_ALIASES].flatMap(({ path: p }) => [[p, "GET", "POST"], [`${p}?wsdl`, "PUT", "GET, HEAD, POST"]] as const),
    ["/trust/13/usernamemixed", "HEAD", "POST"],
    ["/trust/13/usernamemixed", "PUT", "POST"],
    ["/trust/13/usernamemixed?xsd=xsd0", "GET", "POST"],
    ["/trust/13/usernamemixed?wsdl", "PUT", "GET, HEAD, POST"],
    ["/trust/2005/certificatemixed?singleWsdl", "DELETE", "GET, HEAD, POST"],
    ["/trust/2005/issuedtokenmixedsymmetricbasic256", "GET", "POST"],
    ["/adfs/services/trust/13/usernamemixed", "GET", "POST"],
    ["/adfs/services/trust/13/usernamemixed?WSDL", "PATCH", "GET, HEAD, POST"],
    ["/trust/mex", "DELETE", "GET, HEAD, POST"],
    ["/adfs/services/trust/mex", "PUT", "GET, HEAD, POST"],
    ["/FederationMetadata/2007-06/FederationMetadata.xml", "POST", "GET, HEAD"],
    ["/federationmetadata/2007-06/federationmetadata.xml", "PUT", "GET, HEAD"],
    ["/.well-known/oauth-authorization-server", "DELETE", "GET, HEAD"],
    ["/.well-known/oauth-authorization-server/realms/realm2", "POST", "GET, HEAD"],
    ["/oauth2/token", "GET", "POST"],
    ["/oauth2/token", "OPTIONS", "POST"],
    ["/oauth2/introspect", "GET", "POST"],
    ["/oauth2/revoke", "PUT", "POST"],
    ["/oauth2/jwks", "POST", "GET, HEAD"],
    ["/admin/revoke-subject", "GET", "POST"],
    ["/admin/users", "DELETE", "GET, HEAD, POST"],
    ["/admin/users/import", "PUT", "GET, HEAD, POST, PATCH, DELETE"],
    ["/admin/users/alice", "POST", "GET, HEAD, PATCH, DELETE"],
    ["/admin/users/alice/password", "GET", "PUT"],
    ["/", "POST", "GET, HEAD"],
    ["/inspect", "POST", "GET, HEAD"],
    ["/inspect.js", "PUT", "GET, HEAD"],
    ["/favicon.ico", "POST", "GET, HEAD"],
    ["/assets/autopost.js", "POST", "GET, HEAD"],
    ["/assets/sts.css", "DELETE", "GET, HEAD"],
    [`/${AUTOPOST_SCRIPT_PATH}`, "POST", "GET, HEAD"],
    [`/${STYLESHEET_PATH}`, "PUT", "GET, HEAD"],
    ["/wsfed", "PUT", "GET, HEAD, POST"],
    ["/wsfed?wa=wsignout1.0", "HEAD", "GET, POST"],
    ["/wsfed?wa=wsignin1.0&wtrealm=urn:example:rp", "DELETE", "GET, POST"],
    ["/adfs/ls", "DELETE", "GET, HEAD, POST"],
    ["/adfs/ls/", "PATCH", "GET, HEAD, POST"],
    ["/healthz", "POST", "GET, HEAD"],
    ["/realms/realm2/oauth2/jwks", "POST", "GET, HEAD"],
    ["/realms/realm2/trust/13/usernamemixed", "GET", "POST"],
  ];

  it("a method an address does not answer is 405 with an Allow of exactly what it answers (RFC 9110 §15.5.6), in one shape with a registered OAuth error code; a path nothing serves is 404", async () => {
    for (const [path, method, allow] of NOT_ANSWERED) {
      const res = await call(path, { method });
      expect([res.status, res.headers.get("allow")], `${method} ${path}`).toEqual([405, allow]);
      expect(res.headers.get("content-type"), `${method} ${path}`).toBe("application/json");
      expect(res.headers.get("cache-control"), `${method} ${path}`).toBe("no-store");
      // RFC 6749 §5.2: "method_not_allowed" is no OAuth error code; clients read `error` as one.
      if (method !== "HEAD") expect(await res.json(), `${method} ${path}`).toEqual({ error: "invalid_request", error_description: `${method} is not allowed here: use ${allow.split(", ").join(" or ")}.` });
      // Each method Allow names is answered there with something other than 405 or 404.
      for (const m of allow.split(", ")) {
        const answered = await call(path, { method: m, ...(m === "GET" || m === "HEAD" ? {} : { body: "" }) });
        expect(answered.status, `${m} ${path}`).not.toBe(405);
        expect(answered.status, `${m} ${path}`).not.toBe(404);
      }
    }
    expect((await call("/trust/13/nothing", { method: "PUT" })).status).toBe(404);
  });

  it("the table above reaches every route of the app", () => {
    const patterns = app.routes.filter((r) => r.method !== "ALL").map((r) => r.path);
    const reached = (route: string) => {
      const re = new RegExp(`^${route.split("/").map((s) => (s.startsWith(":") ? "[^/]+" : s === "*" ? ".*" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("/")}$`);
      return NOT_ANSWERED.some(([p]) => re.test(p.split("?")[0]!) || re.test(p.split("?")[0]!.replace(/^\/realms\/realm2/, "")));
    };
    expect(patterns.filter((p) => !reached(p)).filter((p, i, a) => a.indexOf(p) === i)).toEqual([]);
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
