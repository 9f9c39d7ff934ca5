/**
 * Cross-origin reads (CORS): a page on another origin reads the public documents — RFC 8414
 * metadata, the JWKS, WS-Federation metadata, the WSDL, the health check — in every realm
 * selector, and nothing else: the doors that authenticate with secrets or cookies send no CORS
 * header and refuse a preflight.
 */
import { describe, expect, it } from "vitest";
import { exports } from "cloudflare:workers";
import { app } from "../../src/http/app.ts";
import { servesPublicDocument } from "../../src/web/cors.ts";
import { ADFS_ENDPOINT_ALIASES, TRUST_ENDPOINT_LIST } from "../../src/wstrust/endpoints.ts";
import { DEMO, USER_ADMIN } from "../helpers/credentials.ts";
import { envelope } from "../helpers/soap.ts";
import { TX, b64url, samlFromTrust } from "../oauth/helpers.ts";

const PAGE = "https://spa.example.net";

function at(base: string, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has("origin")) headers.set("origin", PAGE);
  return (exports as unknown as { default: { fetch(r: Request): Promise<Response> } }).default.fetch(new Request(base + path, { ...init, headers }));
}

function preflight(base: string, path: string, method = "GET", requestHeaders?: string): Promise<Response> {
  return at(base, path, { method: "OPTIONS", headers: { "access-control-request-method": method, ...(requestHeaders ? { "access-control-request-headers": requestHeaders } : {}) } });
}

/** The first realm; realm2 by its host, by its path prefix, and by both. */
const SELECTORS = ["http://127.0.0.1:8787", "http://realm2.localhost:8787", "http://127.0.0.1:8787/realms/realm2", "http://realm2.localhost:8787/realms/realm2"];

const DOCUMENTS = [
  "/.well-known/oauth-authorization-server",
  "/oauth2/jwks",
  "/FederationMetadata/2007-06/FederationMetadata.xml",
  "/federationmetadata/2007-06/federationmetadata.xml",
  "/trust/mex",
  "/adfs/services/trust/mex",
  ...[...TRUST_ENDPOINT_LIST, ...ADFS_ENDPOINT_ALIASES].map((e) => `${e.path}?wsdl`),
  "/trust/2005/usernamemixed?singleWsdl",
  "/healthz",
];

/** RFC 8414 §3.1: realm2's metadata at the well-known name followed by its issuer's path. */
const PATH_FORM = ["http://127.0.0.1:8787", "/.well-known/oauth-authorization-server/realms/realm2"] as const;

function expectNoCors(res: Response, what: string): void {
  for (const h of ["access-control-allow-origin", "access-control-allow-credentials", "access-control-allow-methods", "access-control-allow-headers", "access-control-max-age"]) {
    expect(res.headers.get(h), `${what}: ${h}`).toBeNull();
  }
}

describe("public documents, read from another origin", () => {
  for (const base of SELECTORS) {
    it(`${base}: every public document answers GET and HEAD with Access-Control-Allow-Origin: *, never with credentials`, async () => {
      for (const path of DOCUMENTS) {
        for (const method of ["GET", "HEAD"]) {
          const res = await at(base, path, { method });
          expect(res.status, `${method} ${base}${path}`).toBe(200);
          expect(res.headers.get("access-control-allow-origin"), `${method} ${base}${path}`).toBe("*");
          expect(res.headers.get("access-control-allow-credentials"), `${method} ${base}${path}`).toBeNull();
          expect(res.headers.get("x-content-type-options"), `${method} ${base}${path}`).toBe("nosniff");
        }
      }
    });

    it(`${base}: a preflight for GET or HEAD at each is granted (204, the methods, a Max-Age); for another method it is refused`, async () => {
      for (const path of DOCUMENTS) {
        for (const method of ["GET", "HEAD"]) {
          const res = await preflight(base, path, method, "if-none-match, x-requested-with");
          expect(res.status, `${method} ${base}${path}`).toBe(204);
          expect(res.headers.get("access-control-allow-origin"), path).toBe("*");
          expect(res.headers.get("access-control-allow-methods"), path).toBe("GET, HEAD");
          expect(res.headers.get("access-control-allow-headers"), path).toBe("*");
          expect(res.headers.get("access-control-max-age"), path).toBe("86400");
          expect(res.headers.get("access-control-allow-credentials"), path).toBeNull();
        }
        for (const method of ["POST", "PUT", "DELETE"]) {
          const res = await preflight(base, path, method);
          expect(res.status, `${method} ${base}${path}`).toBe(405);
          expectNoCors(res, `preflight ${method} ${base}${path}`);
        }
      }
    });
  }

  it("RFC 8414 §3.1: realm2's metadata at the well-known name followed by its issuer's path is readable too, and its preflight granted", async () => {
    const [base, path] = PATH_FORM;
    const res = await at(base, path);
    expect([res.status, res.headers.get("access-control-allow-origin")]).toEqual([200, "*"]);
    expect(((await res.json()) as { issuer: string }).issuer).toBe(`${base}/realms/realm2`);
    expect((await preflight(base, path)).status).toBe(204);
  });

  it("an address under a public document's route that serves nothing gets no CORS header and no preflight: another issuer path, an endpoint without ?wsdl, a realm not served", async () => {
    const base = SELECTORS[0]!;
    for (const path of [
      "/.well-known/oauth-authorization-server/realms/nowhere",
      "/.well-known/oauth-authorization-server/realms/realm2/more",
      "/trust/13/usernamemixed",
      "/trust/13/usernamemixed?xsd=xsd0",
      "/realms/nowhere/oauth2/jwks",
      "/realms/nowhere/.well-known/oauth-authorization-server",
      "/realms/nowhere/healthz",
    ]) {
      const get = await at(base, path);
      expect(get.status, path).toBeGreaterThanOrEqual(400);
      if (!path.endsWith("/healthz")) expectNoCors(get, `GET ${path}`);
      const pre = await preflight(base, path);
      expect(pre.status, `preflight ${path}`).toBeGreaterThanOrEqual(400);
      expectNoCors(pre, `preflight ${path}`);
    }
    // realm2's host with another realm's prefix is no realm served either.
    const mixed = await preflight("http://realm2.localhost:8787", "/realms/nowhere/oauth2/jwks");
    expect(mixed.status).toBeGreaterThanOrEqual(400);
    expectNoCors(mixed, "preflight at realm2's host under an unknown prefix");
  });

  it("an OPTIONS that is no preflight (no Access-Control-Request-Method) is the 405 it always was", async () => {
    const res = await at(SELECTORS[0]!, "/oauth2/jwks", { method: "OPTIONS" });
    expect([res.status, res.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
    expectNoCors(res, "OPTIONS without Access-Control-Request-Method");
  });
});

describe("the doors that authenticate are not readable from another origin", () => {
  it("a successful token exchange, introspection and revocation carry no CORS header, and a preflight to them is refused", async () => {
    const subject = b64url(await samlFromTrust());
    const form = (p: Record<string, string>) => ({ method: "POST", headers: { authorization: DEMO, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(p).toString() });
    for (const base of SELECTORS.slice(0, 1)) {
      const issued = await at(base, "/oauth2/token", form({ grant_type: TX.grant, subject_token: subject, subject_token_type: TX.saml2, audience: "https://api.example.com/" }));
      expect(issued.status, await issued.clone().text()).toBe(200);
      expectNoCors(issued, "token");
      const token = ((await issued.json()) as { access_token: string }).access_token;
      const introspected = await at(base, "/oauth2/introspect", form({ token }));
      expect(introspected.status).toBe(200);
      expectNoCors(introspected, "introspect");
      const revoked = await at(base, "/oauth2/revoke", form({ token }));
      expect(revoked.status).toBe(200);
      expectNoCors(revoked, "revoke");
    }
  });

  it("every protected route, in every realm selector: no CORS header on its answer, and its preflight refused plainly", async () => {
    const soap = envelope({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp" });
    const requests: [string, RequestInit][] = [
      ["/oauth2/token", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "grant_type=x" }],
      ["/oauth2/introspect", { method: "POST", headers: { authorization: DEMO, "content-type": "application/x-www-form-urlencoded" }, body: "token=x" }],
      ["/oauth2/revoke", { method: "POST", headers: { authorization: DEMO, "content-type": "application/x-www-form-urlencoded" }, body: "token=x" }],
      ["/admin/users", { headers: { authorization: USER_ADMIN } }],
      ["/admin/users", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }],
      ["/admin/revoke-subject", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }],
      ["/trust/13/usernamemixed", { method: "POST", headers: soap.headers, body: soap.body }],
      ["/trust/mex", { method: "POST", headers: soap.headers, body: soap.body }],
      ["/adfs/services/trust/2005/usernamemixed", { method: "POST", headers: soap.headers, body: soap.body }],
      ["/wsfed?wa=wsignin1.0&wtrealm=urn%3Aexample%3Arp", {}],
      ["/wsfed", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "wa=wsignin1.0" }],
      ["/adfs/ls/", {}],
      ["/", {}],
      ["/inspect", {}],
      ["/inspect.js", {}],
    ];
    for (const base of SELECTORS) {
      for (const [path, init] of requests) {
        const res = await at(base, path, init);
        // The first realm serves every one of these doors (realm2 has no browser sign-in).
        if (base === SELECTORS[0]) expect(res.status, `${init.method ?? "GET"} ${base}${path}`).not.toBe(404);
        expectNoCors(res, `${init.method ?? "GET"} ${base}${path}`);
        // The method the door answers, and POST (how every secret reaches a door).
        for (const method of new Set([init.method ?? "GET", "POST"])) {
          const pre = await preflight(base, path, method, "authorization, content-type");
          expect(pre.status, `preflight ${method} ${base}${path}`).toBeGreaterThanOrEqual(400);
          expectNoCors(pre, `preflight ${method} ${base}${path}`);
        }
      }
    }
  });

  it("the routes serving public documents are exactly the published documents and the health check", () => {
    const marked = app.routes.filter((r) => servesPublicDocument(r.handler)).map((r) => `${r.method} ${r.path}`);
    expect([...new Set(marked)].sort()).toEqual(
      [
        "/.well-known/oauth-authorization-server",
        "/.well-known/oauth-authorization-server/*",
        "/oauth2/jwks",
        "/FederationMetadata/2007-06/FederationMetadata.xml",
        "/federationmetadata/2007-06/federationmetadata.xml",
        "/trust/mex",
        "/adfs/services/trust/mex",
        ...[...TRUST_ENDPOINT_LIST, ...ADFS_ENDPOINT_ALIASES].map((e) => e.path),
        "/healthz",
      ].map((p) => `GET ${p}`).sort(),
    );
  });
});
