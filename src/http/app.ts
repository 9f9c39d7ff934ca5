import { Hono } from "hono";
import type { Context } from "hono";
import { StsError } from "../engine/errors.ts";
import type { StsContext } from "../engine/types.ts";
import type { Env } from "../env.ts";
import { buildFederationMetadata } from "../metadata/federation.ts";
import { buildFault } from "../soap/fault.ts";
import { soapContentType } from "../soap/ns.ts";
import { handleTrustRequest } from "../wstrust/endpoint.ts";
import { TRUST_ENDPOINTS, buildWsdl } from "../wstrust/mex.ts";
import { TRUST13, TRUST2005, type TrustVersion } from "../wstrust/ns.ts";
import { readBodyLimited } from "./body.ts";
import { getContext } from "./context.ts";
import { trustDeps } from "./deps.ts";
import { NO_STORE, noStoreHeaders } from "./headers.ts";
import { logError } from "./log.ts";
import { registerOAuthRoutes } from "../oauth/routes.ts";
import { writeAudit } from "./audit.ts";
import { registerAdminRoutes } from "./admin.ts";

type App = { Bindings: Env };

export const app = new Hono<App>();

app.get("/healthz", async (c) => {
  try {
    await getContext(c.env, c.req.url);
    return c.text("ok", 200, NO_STORE);
  } catch (e) {
    if (e instanceof StsError && e.code === "not_configured") return c.text(e.message, 503, NO_STORE);
    throw e;
  }
});

function wsdl(c: Context<App>, ctx: StsContext) {
  return c.body(buildWsdl(ctx.origin), 200, { "Content-Type": "text/xml; charset=utf-8" });
}

app.get("/trust/mex", async (c) => wsdl(c, await getContext(c.env, c.req.url)));
// One static route per version (no pattern parameter), so Hono's SmartRouter can pick its
// RegExpRouter: a pattern like :v{13|2005} sends every request through the slower TrieRouter.
for (const v of ["13", "2005"] as const satisfies readonly TrustVersion[]) {
  const path = TRUST_ENDPOINTS[v];
  app.get(path, async (c) => {
    // `?wsdl` on an endpoint answers the same WSDL, as WCF services do.
    if (c.req.query("wsdl") === undefined) return c.text("Send WS-Trust requests with POST.", 405, { Allow: "POST" });
    return wsdl(c, await getContext(c.env, c.req.url));
  });
  app.post(path, (c) => trustEndpoint(c, v));
}

async function trustEndpoint(c: Context<App>, v: TrustVersion): Promise<Response> {
  const started = Date.now();
  const contentType = c.req.header("content-type") ?? null;
  let ctx: StsContext;
  try {
    ctx = await getContext(c.env, c.req.url);
  } catch (e) {
    if (!(e instanceof StsError)) throw e;
    const version = (contentType ?? "").includes("soap+xml") ? "1.2" : "1.1";
    const f = buildFault(version, { code: e.code, reason: e.message, trustNs: (v === "13" ? TRUST13 : TRUST2005).ns });
    return c.body(f.xml, f.status as 500, { "Content-Type": soapContentType(version), ...NO_STORE });
  }
  const reply = await handleTrustRequest(
    ctx,
    // Cloudflare sets CF-Connecting-IP on every request; without it only per-subject limits apply.
    trustDeps(c.env, ctx.config, c.req.header("cf-connecting-ip") ?? undefined),
    () => readBodyLimited(c.req.raw, ctx.config.limits.maxBodyBytes),
    contentType,
    v,
  );
  await writeAudit(ctx.audit, { ok: !reply.fault, status: reply.status, error: reply.fault?.code, reason: reply.fault?.reason }, started);
  if (reply.status === 429) {
    const headers = { "Content-Type": reply.contentType, ...NO_STORE, "Retry-After": String(reply.retryAfterSeconds ?? 60) };
    return c.body(reply.body, 429, headers);
  }
  return new Response(reply.body, { status: reply.status, headers: noStoreHeaders(reply.contentType) });
}

app.get("/FederationMetadata/2007-06/FederationMetadata.xml", async (c) => {
  const ctx = await getContext(c.env, c.req.url);
  const xml = await buildFederationMetadata(ctx.issuer, ctx.origin, ctx.keys);
  return c.body(xml, 200, { "Content-Type": "application/samlmetadata+xml; charset=utf-8" });
});

registerAdminRoutes(app);

registerOAuthRoutes(app);

app.notFound((c) => c.json({ error: "not_found" }, 404));

/**
 * The one error mapper at the edge: anything that is not a protocol error becomes a generic
 * 500 with no internals; the detail goes to the log.
 */
app.onError((err, c) => {
  if (err instanceof StsError && err.code === "not_configured") {
    return c.json({ error: "temporarily_unavailable", error_description: err.message }, 503, NO_STORE);
  }
  logError(c.req.method, new URL(c.req.url).pathname, err);
  return c.json({ error: "server_error", error_description: "An internal error occurred." }, 500, NO_STORE);
});
