/**
 * The host: one Hono app that composes the routes each front door exports (WS-Trust, OAuth,
 * the admin API, the browser pages), gives every request its context and state, and maps what no door answered.
 */
import { Hono } from "hono";
import { getPath } from "hono/utils/url";
import type { Context } from "hono";
import { registerAdminRoutes } from "../admin/routes.ts";
import type { RequestServices } from "../engine/types.ts";
import { StsError } from "../errors.ts";
import { isIssuerMetadataAddress, registerOAuthRoutes } from "../oauth/routes.ts";
import { METADATA_PATH } from "../oauth/metadata.ts";
import { registerPageRoutes } from "../pages/routes.ts";
import { notFoundPage } from "../pages/unserved.ts";
import { answersHead } from "../pages/wsfed.ts";
import { PASSIVE_REQUESTOR_PATH } from "../wstrust/federation-metadata.ts";
import { clientAddressKey } from "../web/client-address.ts";
import { grantPreflight, isPreflight, publicDocument, servesPublicDocument } from "../web/cors.ts";
import { ANY_ORIGIN, NO_STORE } from "../web/headers.ts";
import { logError } from "../web/log.ts";
import { TRUST_ENDPOINT_PATHS, asksForWsdl, registerTrustRoutes } from "../wstrust/routes.ts";
import { getContext } from "./context.ts";
import type { Env } from "./env.ts";
import { routingPath } from "./realm.ts";
import { stateFor } from "./state.ts";

type App = { Bindings: Env };

/** A realm reached by its path prefix has every route under it (see realm.ts). */
export const app = new Hono<App>({ getPath: (req) => routingPath(req.url, getPath(req)) });

/** This request's context (configuration, keys, issuer, origin) and state. */
function services(c: Context<App>): RequestServices {
  return {
    context: () => getContext(c.env, c.req.url),
    state: (ctx) => stateFor(c.env, ctx.config),
    // Cloudflare's edge sets CF-Connecting-IP on every request, replacing any value a client
    // sent, and a Worker sees no other peer address. Elsewhere (plain workerd) a client writes it,
    // so only a proxy that overwrites it makes the per-address limits mean anything there
    // (docs/security.md §5); without it only the per-name limits apply.
    clientAddress: clientAddressKey(c.req.header("cf-connecting-ip")),
  };
}

/** The health check is a public document too: a status page on another origin may read it. */
const HEALTH = Object.freeze({ ...NO_STORE, ...ANY_ORIGIN });

app.get("/healthz", publicDocument(async (c) => {
  try {
    await getContext(c.env, c.req.url);
    return c.text("ok", 200, HEALTH);
  } catch (e) {
    if (e instanceof StsError && e.code === "not_configured") return c.text(e.message, 503, HEALTH);
    if (e instanceof StsError && e.code === "unknown_realm") return c.text(e.message, 404, HEALTH);
    throw e;
  }
}));

registerTrustRoutes(app, services);
registerAdminRoutes(app, services);
registerOAuthRoutes(app, services);
registerPageRoutes(app, services);

app.notFound(async (c) => {
  const path = getPath(c.req.raw);
  const routed = routingPath(c.req.url, path);
  // No route answers OPTIONS: a CORS preflight is granted here, at a public document's address
  // only (web/cors.ts); at any other it is refused like any method the address does not answer.
  if (isPreflight(c.req.raw) && (await readableAnywhere(c, routed))) {
    const granted = grantPreflight(c.req.raw);
    if (granted !== undefined) return granted;
  }
  const allow = await allowedMethods(c, routed);
  if (allow.length === 0) {
    // A browser's navigation gets a page; a program, the JSON every other door's errors are in.
    if (c.req.method === "GET" && (c.req.header("accept") ?? "").includes("text/html")) {
      return notFoundPage(`${path.endsWith(routed) ? path.slice(0, path.length - routed.length) : ""}/`);
    }
    return c.json({ error: "not_found" }, 404, NO_STORE);
  }
  // RFC 9110 §15.5.6: the resource is here, the method is not one it answers. The JSON error is
  // in OAuth's form at every door, and its code one OAuth registers (RFC 6749 §5.2,
  // IANA "OAuth Extensions Error Registry"): a client library maps an unregistered code to a
  // generic failure that loses the description (Authlib, MSAL); the status and Allow say the rest.
  return c.json({ error: "invalid_request", error_description: `${c.req.method.slice(0, 16)} is not allowed here: use ${allow.join(" or ")}.` }, 405, { Allow: allow.join(", "), ...NO_STORE });
});

const METHOD_ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
type RoutePattern = { pattern: RegExp; method: string; path: string; handler: unknown };
let routePatterns: RoutePattern[] | undefined;

/** The app's routes, each with its path as a pattern, built once. */
function patterns(): RoutePattern[] {
  routePatterns ??= app.routes.filter((r) => r.method !== "ALL").map((r) => ({ method: r.method, path: r.path, handler: r.handler, pattern: routePattern(r.path) }));
  return routePatterns;
}

/**
 * Routes that answer a method at only some of the addresses their pattern matches: their handler
 * hands the others to notFound (`c.notFound()`), and a 405 there must not list the method. A
 * WS-Trust endpoint answers GET only for its WSDL; the RFC 8414 wildcard only at the issuer's
 * own metadata address; /wsfed answers HEAD only where its GET changes nothing.
 */
const ANSWERS_ONLY: { method: string; path: string; answers: (c: Context<App>) => boolean | Promise<boolean> }[] = [
  ...TRUST_ENDPOINT_PATHS.map((path) => ({ method: "GET", path, answers: (c: Context<App>) => asksForWsdl(c.req.url) })),
  {
    method: "GET",
    path: `${METADATA_PATH}/*`,
    answers: async (c) => isIssuerMetadataAddress(await getContext(c.env, c.req.url), c.req.url),
  },
  // HEAD is answered with a GET route: here, not where the GET would sign in or out.
  { method: "HEAD", path: PASSIVE_REQUESTOR_PATH, answers: (c) => answersHead(c.req.url) },
];

/**
 * A route path as a pattern: literal segments, `:name` segments matching any one segment, and
 * a trailing `*` any rest (Hono's wildcard).
 */
function routePattern(path: string): RegExp {
  const segments = path.split("/").map((seg) => (seg.startsWith(":") ? "[^/]+" : seg === "*" ? ".*" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  return new RegExp(`^${segments.join("/")}$`);
}

/** The methods the registered routes answer at this request's address (HEAD where a GET route answers it). */
async function allowedMethods(c: Context<App>, path: string): Promise<string[]> {
  const methods = new Set<string>();
  for (const r of patterns()) {
    if (methods.has(r.method) || !r.pattern.test(path) || !(await answersHere(c, r.method, r.path))) continue;
    methods.add(r.method);
    // Hono answers HEAD with the GET route, unless that route refuses it here.
    if (r.method === "GET" && (await answersHere(c, "HEAD", r.path))) methods.add("HEAD");
  }
  return METHOD_ORDER.filter((m) => methods.has(m));
}

/**
 * Whether a GET at this request's address serves a public document (web/cors.ts): a route
 * marked so answers it here, for a realm this STS serves.
 */
async function readableAnywhere(c: Context<App>, path: string): Promise<boolean> {
  const route = patterns().find((r) => r.method === "GET" && r.pattern.test(path) && servesPublicDocument(r.handler));
  if (route === undefined || !(await answersHere(c, "GET", route.path))) return false;
  try {
    await getContext(c.env, c.req.url);
    return true;
  } catch {
    // A realm not served (or an STS not configured) publishes nothing a page could read.
    return false;
  }
}

async function answersHere(c: Context<App>, method: string, path: string): Promise<boolean> {
  const only = ANSWERS_ONLY.find((o) => o.method === method && o.path === path);
  if (only === undefined) return true;
  try {
    return await only.answers(c);
  } catch {
    // An address that cannot be read (a realm not served, a query that is not UTF-8) answers nothing.
    return false;
  }
}

/**
 * The one error mapper at the edge: anything that is not a protocol error becomes a generic
 * 500 with no internals; the detail goes to the log.
 */
app.onError((err, c) => {
  if (err instanceof StsError && err.code === "not_configured") {
    return c.json({ error: "temporarily_unavailable", error_description: err.message }, 503, NO_STORE);
  }
  if (err instanceof StsError && err.code === "unknown_realm") {
    return c.json({ error: "not_found", error_description: err.message }, 404, NO_STORE);
  }
  if (err instanceof StsError && (err.code === "bad_request" || err.code === "payload_too_large")) {
    return c.json({ error: "invalid_request", error_description: err.message }, err.code === "bad_request" ? 400 : 413, NO_STORE);
  }
  logError(c.req.method, new URL(c.req.url).pathname, err);
  return c.json({ error: "server_error", error_description: "An internal error occurred." }, 500, NO_STORE);
});
