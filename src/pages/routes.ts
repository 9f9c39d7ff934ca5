/**
 * The pages a person opens in a browser: the home page (what this STS offers and where), the
 * token inspector, and the script and stylesheet they load. Links are relative to the page, so
 * they work wherever the STS is mounted.
 */
import type { Context, Env as HonoEnv, Hono } from "hono";
import type { RequestServices } from "../engine/types.ts";
import { OAUTH_PATHS } from "../oauth/metadata.ts";
import { type TrustEndpoint, servedEndpoints } from "../wstrust/endpoints.ts";
import { MEX_PATH } from "../wstrust/metadata-exchange.ts";
import { FEDERATION_METADATA_PATH, PASSIVE_REQUESTOR_PATH } from "../wstrust/federation-metadata.ts";
import { ASSET_CACHE, escapeHtml, page, PAGE_HEADERS, STYLESHEET_PATH } from "./html.ts";
import { INSPECTOR_SCRIPT } from "./inspector-script.generated.ts";
import { STYLESHEET } from "./style.ts";
import { unservedPage } from "./unserved.ts";
import { answersHead, handleWsFed } from "./wsfed.ts";
import { AUTOPOST_SCRIPT, AUTOPOST_SCRIPT_PATH } from "./wsfed-html.ts";

/** Where AD FS serves WS-Federation passive sign-in. */
const ADFS_PASSIVE_PATH = "/adfs/ls";

/**
 * Files served as they are: under their plain names revalidated by clients (they change with a
 * deployment), under their content-hashed names (html.ts, `assetPath`) kept for good.
 */
const ASSET_HEADERS = (type: string, cache = "no-cache"): Record<string, string> => ({ "Content-Type": type, "Cache-Control": cache, "X-Content-Type-Options": "nosniff" });

function link(path: string, text = path): string {
  return `<a href=".${escapeHtml(path)}"><code>${escapeHtml(text)}</code></a>`;
}

/**
 * An endpoint a client POSTs to: its address, not a link — followed in a browser (a GET) it
 * could only answer 405, and the home page links only to what a browser can open.
 */
function postAddress(path: string): string {
  return `<code>${escapeHtml(path)}</code>`;
}

const AUTHENTICATION: Record<TrustEndpoint["authentication"], string> = {
  username: "username and password (UsernameToken)",
  certificate: "X.509 certificate (signed message)",
  "issued-token": "an issued SAML token",
};

function trustEndpoint(e: TrustEndpoint): string {
  const key = e.issuedKey ? `, ${e.issuedKey === "symmetric" ? "symmetric" : "asymmetric"} key` : "";
  return `<li>${postAddress(e.path)}: WS-Trust ${e.version === "13" ? "1.3" : "February 2005"}, ${AUTHENTICATION[e.authentication]}${key}</li>`;
}

function homePage(issuer: string, endpoints: readonly TrustEndpoint[], browserSignIn: boolean): string {
  return page(
    "Security Token Service",
    "./",
    `<h1>Security Token Service</h1>` +
      `<p>Issuer: <code>${escapeHtml(issuer)}</code></p>` +
      `<h2>Metadata</h2><ul class="endpoints">` +
      `<li>${link(FEDERATION_METADATA_PATH)}: WS-Federation metadata (signing certificates, token types, claims)</li>` +
      `<li>${link(MEX_PATH)}: WS-MetadataExchange (WSDL with each endpoint's policy; also SOAP <code>Get</code>)</li>` +
      `<li>${link("/.well-known/oauth-authorization-server")}: OAuth 2.0 authorization server metadata (RFC 8414)</li>` +
      `<li>${link(OAUTH_PATHS.jwks)}: signing keys (JWKS)</li></ul>` +
      `<h2>WS-Trust endpoints (SOAP 1.1 and 1.2, POST)</h2><ul class="endpoints">${endpoints.map(trustEndpoint).join("")}</ul>` +
      `<h2>OAuth 2.0 endpoints (POST)</h2><ul class="endpoints">` +
      `<li>${postAddress(OAUTH_PATHS.token)}: token exchange (RFC 8693)</li>` +
      `<li>${postAddress(OAUTH_PATHS.introspect)}: introspection (RFC 7662)</li>` +
      `<li>${postAddress(OAUTH_PATHS.revoke)}: revocation (RFC 7009)</li></ul>` +
      (browserSignIn
        ? `<h2>Browser sign-in</h2><ul class="endpoints">` +
          `<li>${link(PASSIVE_REQUESTOR_PATH)}: WS-Federation passive requestor (<code>wa=wsignin1.0</code>, <code>wa=wsignout1.0</code>)</li></ul>`
        : "") +
      `<h2>Tools</h2><ul class="endpoints">` +
      `<li>${link("/inspect", "Token inspector")}: read a SAML assertion or JWT and check its signature, in your browser</li>` +
      `<li>${link("/healthz")}: health check</li></ul>`,
  );
}

const INSPECTOR_PAGE = page(
  "Token inspector",
  "./",
  `<h1>Token inspector</h1>` +
    `<p>Paste a SAML 2.0 or 1.1 assertion (XML, base64 or base64url) or a JWT. It is read, its signature checked against this STS's published keys and its issuer against the issuer at this address, <strong>in this browser</strong>: the token never leaves the page.</p>` +
    `<form id="inspect-form"><label for="token">Token</label>` +
    `<textarea id="token" name="token" rows="10" spellcheck="false" autocomplete="off" autocapitalize="off" required aria-describedby="token-help"></textarea>` +
    `<p id="token-help" class="muted">An encrypted token can only be read by the relying party it was encrypted for.</p>` +
    // Disabled until inspect.js takes the form over: without it (scripts off, or pressed before
    // the module has loaded) the form would submit as a GET, putting the token in the URL — the
    // browser's history and the server's logs — which the page promises it never leaves.
    `<button id="inspect-button" type="submit" disabled>Inspect</button></form>` +
    `<noscript><p class="error">The inspector reads the token in this browser, with JavaScript: turn scripts on for this page to use it.</p></noscript>` +
    `<section id="result" aria-live="polite"></section>`,
  "inspect.js",
);

export function registerPageRoutes<E extends HonoEnv>(app: Hono<E>, services: (c: Context<E>) => RequestServices): void {
  // Every page is its realm's: building the context refuses a realm this STS does not serve.
  const serve = (body: BodyInit | null, headers: Record<string, string>) => async (c: Context<E>) => {
    await services(c).context();
    return new Response(body, { headers });
  };
  // A page a person opened says in a page that it cannot be served here (its assets do not).
  const browser = (handle: (c: Context<E>) => Promise<Response>) => async (c: Context<E>) => {
    try {
      return await handle(c);
    } catch (e) {
      const refused = unservedPage(e);
      if (refused === undefined) throw e;
      return refused;
    }
  };
  app.get("/", browser(async (c) => {
    const ctx = await services(c).context();
    // A realm's root without its slash would resolve the page's relative links outside it.
    const url = new URL(c.req.url);
    if (!url.pathname.endsWith("/")) return c.redirect(`${url.pathname}/${url.search}`, 308);
    return new Response(homePage(ctx.issuer, servedEndpoints(ctx.config, ctx.issuer), ctx.config.webSessionSecret !== undefined), { headers: PAGE_HEADERS });
  }));
  app.get("/inspect", browser(serve(INSPECTOR_PAGE, PAGE_HEADERS)));
  app.get("/inspect.js", serve(INSPECTOR_SCRIPT, ASSET_HEADERS("text/javascript; charset=utf-8")));
  // Browsers ask for it on every page; there is none, and a 404 would show as a page error.
  app.get("/favicon.ico", () => new Response(null, { status: 204, headers: { "Cache-Control": "max-age=86400" } }));
  // Hono answers HEAD with the GET route; a sign-in or sign-out must not run for one (answersHead).
  app.get(PASSIVE_REQUESTOR_PATH, browser(async (c) => (c.req.method === "HEAD" && !answersHead(c.req.url) ? c.notFound() : handleWsFed(c.req.raw, services(c)))));
  app.post(PASSIVE_REQUESTOR_PATH, browser((c) => handleWsFed(c.req.raw, services(c))));
  // AD FS's passive endpoint: a relying party that still sends browsers to /adfs/ls/ (this STS
  // took over the AD FS host name) reaches /wsfed, with the same query (and, for a POST, the
  // same method and body: 307). The pages, their cookies and their relative links stay /wsfed's.
  // Only for a realm served here: an unknown one gets its error page, not a redirect to it.
  for (const path of [ADFS_PASSIVE_PATH, `${ADFS_PASSIVE_PATH}/`]) {
    app.on(["GET", "POST"], path, browser(async (c) => {
      await services(c).context();
      const url = new URL(c.req.url);
      const to = url.pathname.replace(/\/adfs\/ls\/?$/, PASSIVE_REQUESTOR_PATH) + url.search;
      return new Response(null, { status: 307, headers: { Location: to, "Cache-Control": "no-store" } });
    }));
  }
  // Under the names the pages link (their content's hash: html.ts, assetPath), kept for good.
  app.get(`/${AUTOPOST_SCRIPT_PATH}`, serve(AUTOPOST_SCRIPT, ASSET_HEADERS("text/javascript; charset=utf-8", ASSET_CACHE)));
  app.get(`/${STYLESHEET_PATH}`, serve(STYLESHEET, ASSET_HEADERS("text/css; charset=utf-8", ASSET_CACHE)));
  // The plain names, for a page an earlier version served (a deployment in progress, a saved page).
  app.get("/assets/autopost.js", serve(AUTOPOST_SCRIPT, ASSET_HEADERS("text/javascript; charset=utf-8")));
  app.get("/assets/sts.css", serve(STYLESHEET, ASSET_HEADERS("text/css; charset=utf-8")));
}
