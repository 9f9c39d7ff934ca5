/** The pages a person opens: the home page, the token inspector and their assets. */
import { describe, expect, it } from "vitest";
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { app } from "../../src/http/app.ts";
import { STYLESHEET_PATH } from "../../src/pages/html.ts";
import { ORIGIN, call } from "../helpers/worker.ts";
import { formFields } from "../helpers/wsfed.ts";

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
    for (const path of ["/trust/mex", "/FederationMetadata/2007-06/FederationMetadata.xml", "/oauth2/jwks", "/inspect", "/wsfed"]) {
      expect(html).toContain(`href=".${path}"`);
    }
    // Endpoints a client POSTs to are listed by address; a browser following a link there
    // could only get a 405.
    for (const path of ["/trust/13/usernamemixed", "/trust/2005/certificatemixed", "/oauth2/token", "/oauth2/introspect"]) {
      expect(html).toContain(`<code>${path}</code>`);
      expect(html).not.toContain(`href=".${path}"`);
    }
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/\sstyle=/);
  });

  it("every link on the home page opens in a browser: a GET answers 200, never an error", async () => {
    const html = await (await call("/")).text();
    const links = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&"));
    expect(links.length).toBeGreaterThan(5);
    for (const href of links) {
      const r = await call(new URL(href, `${ORIGIN}/`).pathname, { headers: { accept: "text/html" } });
      expect(r.status, href).toBe(200);
    }
  });

  it("the passive requestor address opened by itself says what it is for, with the pages' headers; with parameters it is the endpoint", async () => {
    for (const path of ["/wsfed", "/wsfed?"]) {
      const r = await call(path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(r.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(r.headers.get("x-frame-options")).toBe("DENY");
      const html = await r.text();
      expect(html).toContain("<h1>Browser sign-in</h1>");
      expect(html).toContain("<code>?wa=wsignin1.0&amp;wtrealm=</code>");
      expect(html).toContain(`<a href="./">Back to the home page</a>`);
      expect(html).not.toContain(`role="alert"`);
    }
    // Parameters without a wa are still refused, and a POST without one too.
    expect((await call("/wsfed?wtrealm=urn%3Aexample%3Arp")).status).toBe(400);
    expect((await call("/wsfed", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "" })).status).toBe(400);
  });

  it("the inspector page loads its script and style from this origin only", async () => {
    const r = await call("/inspect");
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain(`<script type="module" src="./inspect.js"></script>`);
    // The form has no action: submitted without its script it would GET /inspect?token=… and
    // put the token in the URL. Its one button stays disabled until the script enables it.
    expect(html).toContain(`<button id="inspect-button" type="submit" disabled>Inspect</button>`);
    expect(html.match(/<button\b/g)).toHaveLength(1);
    expect(html).toMatch(/<noscript><p class="error">[^<]*JavaScript[^<]*<\/p><\/noscript>/);
    expect(html).toContain(`href="./${STYLESHEET_PATH}"`);
    expect(html).toContain(`<label for="token">`);
    const js = await call("/inspect.js");
    expect(js.headers.get("content-type")).toMatch(/^text\/javascript/);
    const code = await js.text();
    // The bundle carries the worker's own strict signature check, not a stand-in.
    expect(code).toContain(".well-known/oauth-authorization-server");
    expect(code.length).toBeGreaterThan(20_000);
    const css = await call(`/${STYLESHEET_PATH}`);
    expect(css.headers.get("content-type")).toMatch(/^text\/css/);
  });

  it("no page can be framed: every page says so in its CSP and in X-Frame-Options (browsers without CSP 2)", async () => {
    const signIn = "/wsfed?wa=wsignin1.0&wtrealm=urn%3Aexample%3Arp";
    const f = await call(signIn);
    const fields = formFields(await f.text());
    const binding = f.headers.get("set-cookie")!.split(";")[0]!;
    const posted = await call("/wsfed", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: binding },
      body: new URLSearchParams({ ...fields, username: "alice", password: "wonderland" }),
    });
    const pages: [string, Response][] = [
      ["home", await call("/")],
      ["inspector", await call("/inspect")],
      ["sign-in form", await call(signIn)],
      ["auto-post page", posted],
      ["sign-in refusal", await call("/wsfed?wa=wsignin1.0&wtrealm=urn%3Aexample%3Anobody")],
      ["signed out", await call("/wsfed?wa=wsignout1.0")],
      ["browser sign-in address", await call("/wsfed")],
      ["no such page", await call("/nowhere", { headers: { accept: "text/html" } })],
      ["no such realm", await call("/realms/nosuch/inspect")],
    ];
    expect(await pages[3]![1].text()).toContain(`id="wsfed-post"`);
    for (const [what, r] of pages) {
      expect(r.headers.get("content-type"), what).toBe("text/html; charset=utf-8");
      expect(r.headers.get("content-security-policy"), what).toContain("frame-ancestors 'none'");
      expect(r.headers.get("x-frame-options"), what).toBe("DENY");
    }
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

  it("a page a browser opens where no realm is served, or while the STS is not configured, is an error page, not JSON", async () => {
    const bare = { TOKEN_STATE: env.TOKEN_STATE, REPLAY_CACHE: env.REPLAY_CACHE };
    const unconfigured = async (path: string, init?: RequestInit) => {
      const ctx = createExecutionContext();
      const res = await app.fetch(new Request(ORIGIN + path, init), bare, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    const signIn = "/wsfed?wa=wsignin1.0&wtrealm=urn%3Aexample%3Arp";
    const form = { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "wa=wsignin1.0&wtrealm=urn%3Aexample%3Arp" };
    const cases: [Promise<Response>, number, RegExp][] = [
      ...["/realms/nosuch/", "/realms/nosuch/inspect", `/realms/nosuch${signIn}`].map((p): [Promise<Response>, number, RegExp] => [call(p), 404, /<h1>Not found<\/h1><p class="error" role="alert">No realm is served at this host and path\.<\/p>/]),
      [call("/realms/nosuch/wsfed", form), 404, /No realm is served/],
      ...["/", "/inspect", signIn].map((p): [Promise<Response>, number, RegExp] => [unconfigured(p), 503, /<h1>Service unavailable<\/h1><p class="error" role="alert">This STS is not configured and refuses to issue tokens\. The operator must set STS_CONFIG\.<\/p>/]),
      [unconfigured("/wsfed", form), 503, /Service unavailable/],
    ];
    for (const [reply, status, text] of cases) {
      const r = await reply;
      expect(r.status).toBe(status);
      expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(r.headers.get("cache-control")).toBe("no-store");
      expect(r.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(await r.text()).toMatch(text);
    }
    // Under a realm path no realm is served at, the page's links go to the host's root, whose
    // realm serves them, not back to the same 404.
    const lost = await (await call("/realms/nosuch/inspect")).text();
    expect(lost).toContain(`<link rel="stylesheet" href="/${STYLESHEET_PATH}">`);
    expect(lost).toContain(`<header><a href="/">`);
    expect((await call(`/${STYLESHEET_PATH}`)).status).toBe(200);
    expect((await call("/")).status).toBe(200);
    // The other doors keep their own formats; a script or stylesheet is no page.
    expect((await call("/realms/nosuch/oauth2/jwks")).headers.get("content-type")).toMatch(/^application\/json/);
    expect((await unconfigured("/inspect.js")).headers.get("content-type")).toMatch(/^application\/json/);
    expect(await (await unconfigured("/healthz")).text()).toMatch(/^This STS is not configured/);
  });
});
