/**
 * The WS-Trust front door: the endpoints (endpoints.ts), also under their AD FS paths,
 * their WSDL (`/trust/mex`, `?wsdl`) and the WS-Federation metadata that publishes them.
 */
import type { Context, Env as HonoEnv, Hono } from "hono";
import { StsError } from "../errors.ts";
import type { RequestServices, StsContext } from "../engine/types.ts";
import { buildFault } from "../soap/fault.ts";
import { soapContentType, soapVersionOf } from "../soap/ns.ts";
import { writeAudit } from "../web/audit.ts";
import { readBodyLimited } from "../web/body.ts";
import { publicDocument } from "../web/cors.ts";
import { NO_STORE, PUBLIC_DOCUMENT, noStoreHeaders } from "../web/headers.ts";
import { queryPairs } from "../web/form-urlencoded.ts";
import { type TrustReply, handleTrustRequest } from "./endpoint.ts";
import { MEX_PATH, handleMetadataGet } from "./metadata-exchange.ts";
import { FEDERATION_METADATA_PATH, federationMetadataFor } from "./federation-metadata.ts";
import { directoryClaimNames } from "../engine/claims-offered.ts";
import { ADFS_ENDPOINT_ALIASES, ADFS_PREFIX, TRUST_ENDPOINT_LIST, type TrustEndpoint } from "./endpoints.ts";
import { wsdlFor } from "./mex.ts";
import { TRUST13, TRUST2005 } from "./ns.ts";

const WSDL_QUERIES = new Set(["wsdl", "singlewsdl"]);

/**
 * Whether a GET to a WS-Trust endpoint asks for its WSDL, as WCF services answer one: `?wsdl`
 * in any letter case, and `?singleWsdl` (WCF 4.5's one-document form, which ours already is).
 * Only then does an endpoint answer GET; otherwise it answers POST alone.
 */
export function asksForWsdl(url: string): boolean {
  for (const [name] of queryPairs(url)) if (WSDL_QUERIES.has(name.toLowerCase())) return true;
  return false;
}

/** The WS-Trust endpoints' paths (also AD FS's): each answers GET only for its WSDL ({@link asksForWsdl}). */
export const TRUST_ENDPOINT_PATHS: readonly string[] = [...TRUST_ENDPOINT_LIST, ...ADFS_ENDPOINT_ALIASES].map((e) => e.path);

/** Registers the WS-Trust routes; `services` gives each request its context and state. */
export function registerTrustRoutes<E extends HonoEnv>(app: Hono<E>, services: (c: Context<E>) => RequestServices): void {
  const wsdl = (c: Context<E>, ctx: StsContext) => c.body(wsdlFor(ctx), 200, { "Content-Type": "text/xml; charset=utf-8", ...PUBLIC_DOCUMENT });

  for (const mex of [MEX_PATH, ADFS_PREFIX + MEX_PATH]) {
    app.get(mex, publicDocument(async (c: Context<E>) => wsdl(c, await services(c).context())));
    // WS-MetadataExchange over SOAP: a WS-Transfer Get, as WCF's tools send it.
    app.post(mex, (c) => soapDoor(c, services(c), TRUST13.ns, (...a) => handleMetadataGet(mex, ...a)));
  }
  // One static route per version (no pattern parameter), so Hono's SmartRouter can pick its
  // RegExpRouter: a pattern like :v{13|2005} sends every request through the slower TrieRouter.
  for (const endpoint of [...TRUST_ENDPOINT_LIST, ...ADFS_ENDPOINT_ALIASES]) {
    const path = endpoint.path;
    app.get(path, publicDocument(async (c: Context<E>) => {
      // Without `?wsdl` the endpoint answers only POST: the host's 405 (app.ts) says so.
      if (!asksForWsdl(c.req.url)) return c.notFound();
      return wsdl(c, await services(c).context());
    }));
    app.post(path, (c) => trustEndpoint(c, services(c), endpoint));
  }

  // AD FS answers its paths in any letter case, and its metadata address is often configured
  // (and documented) in lower case: a relying party set up that way keeps reading it here.
  for (const path of [FEDERATION_METADATA_PATH, FEDERATION_METADATA_PATH.toLowerCase()]) {
    app.get(path, publicDocument(async (c: Context<E>) => {
      const ctx = await services(c).context();
      const xml = await federationMetadataFor(ctx, await directoryClaimNames(ctx));
      return c.body(xml, 200, { "Content-Type": "application/samlmetadata+xml; charset=utf-8", ...PUBLIC_DOCUMENT });
    }));
  }
}

function trustEndpoint<E extends HonoEnv>(c: Context<E>, services: RequestServices, endpoint: TrustEndpoint): Promise<Response> {
  return soapDoor(c, services, endpoint.version === "13" ? TRUST13.ns : TRUST2005.ns, (ctx, readBody, contentType, soapAction) =>
    handleTrustRequest(ctx, { state: services.state(ctx), clientAddress: services.clientAddress }, readBody, contentType, endpoint, soapAction),
  );
}

/**
 * One SOAP request at a WS-Trust door: the context (or a fault when the STS may not serve), the
 * body read within its limit, the handler's reply sent uncached, and one audit line.
 */
async function soapDoor<E extends HonoEnv>(
  c: Context<E>,
  services: RequestServices,
  faultTrustNs: string,
  handle: (ctx: StsContext, readBody: () => Promise<Uint8Array>, contentType: string | null, soapAction: string | null) => Promise<TrustReply>,
): Promise<Response> {
  const started = Date.now();
  const contentType = c.req.header("content-type") ?? null;
  let ctx: StsContext;
  try {
    ctx = await services.context();
  } catch (e) {
    if (!(e instanceof StsError)) throw e;
    const version = soapVersionOf(contentType);
    const f = buildFault(version, { code: e.code, reason: e.message, trustNs: faultTrustNs, problem: e.problem });
    return c.body(f.xml, f.status as 500, { "Content-Type": soapContentType(version), ...NO_STORE });
  }
  const reply = await handle(ctx, () => readBodyLimited(c.req.raw, ctx.config.limits.maxBodyBytes), contentType, c.req.header("soapaction") ?? null);
  await writeAudit(ctx.audit, { ok: !reply.fault, status: reply.status, error: reply.fault?.code, reason: reply.fault?.reason }, started);
  if (reply.status === 429) {
    const headers = { "Content-Type": reply.contentType, ...NO_STORE, "Retry-After": String(reply.retryAfterSeconds ?? 60) };
    return c.body(reply.body, 429, headers);
  }
  return new Response(reply.body, { status: reply.status, headers: noStoreHeaders(reply.contentType) });
}
