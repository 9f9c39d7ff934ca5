/** The pages a person opens: the home page, the token inspector and their assets. */
import { describe, expect, it } from "vitest";
import { call } from "../helpers/worker.ts";

describe("pages", () => {
  it("the home page lists the endpoints and metadata, under a strict CSP", async () => {
    const r = await call("/");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = r.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await r.text();
    for (const path of ["/trust/13/usernamemixed", "/trust/2005/certificatemixed", "/trust/mex", "/FederationMetadata/2007-06/FederationMetadata.xml", "/oauth2/token", "/oauth2/jwks", "/inspect"]) {
      expect(html).toContain(`href=".${path}"`);
    }
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/\sstyle=/);
  });

  it("the inspector page loads its script and style from this origin only", async () => {
    const r = await call("/inspect");
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain(`<script type="module" src="./inspect.js"></script>`);
    expect(html).toContain(`href="./assets/sts.css"`);
    expect(html).toContain(`<label for="token">`);
    const js = await call("/inspect.js");
    expect(js.headers.get("content-type")).toMatch(/^text\/javascript/);
    const code = await js.text();
    // The bundle carries the worker's own strict signature check, not a stand-in.
    expect(code).toContain("oauth2/jwks");
    expect(code.length).toBeGreaterThan(20_000);
    const css = await call("/assets/sts.css");
    expect(css.headers.get("content-type")).toMatch(/^text\/css/);
  });

  it("pages are their realm's: under a realm's prefix, links stay inside it; an unknown realm is a 404", async () => {
    const root = await call("/realms/realm2", { redirect: "manual" });
    expect(root.status).toBe(308);
    expect(root.headers.get("location")).toBe("/realms/realm2/");
    const home = await call("/realms/realm2/");
    expect(home.status).toBe(200);
    expect(await home.text()).toContain(`href="./inspect"`);
    expect((await call("/realms/realm2/inspect")).status).toBe(200);
    for (const path of ["/realms/nowhere/", "/realms/nowhere/inspect", "/realms/nowhere/inspect.js", "/realms/nowhere/assets/sts.css"]) {
      expect((await call(path)).status).toBe(404);
    }
  });
});
