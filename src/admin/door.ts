/**
 * The administration door every `/admin/*` route goes through: HTTP Basic as a service account
 * holding the route's operation (under the failed-authentication limits of every door, then a
 * request rate per account), one audit line per call, and JSON errors. A route only reads its
 * request and does its work.
 */
import type { Context, Env as HonoEnv } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { authenticateLimited } from "../abuse/guard.ts";
import { rateLimited, realmKey } from "../abuse/limits.ts";
import { type Route, decide } from "../engine/authorize.ts";
import type { RequestServices, StsContext } from "../engine/types.ts";
import { StsError, authenticationFailed } from "../errors.ts";
import type { StateClient } from "../state/client.ts";
import { stateKey } from "../state/state-key.ts";
import { presentedRequestor, writeAudit } from "../web/audit.ts";
import { basicChallenge, parseBasicAuthorization } from "../web/basic-auth.ts";
import { NO_STORE } from "../web/headers.ts";

/** Requests one service account may make per minute through the administration door. */
export const ADMIN_REQUESTS_PER_MINUTE = 600;

/** An administration answer other than success: an HTTP status, a code and a description. */
export class AdminError extends Error {
  readonly status: 400 | 404 | 409 | 503;
  readonly code: string;

  constructor(status: 400 | 404 | 409 | 503, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** What a route's work is given. */
export interface AdminCall {
  ctx: StsContext;
  state: StateClient;
  /** The service account's name (already authenticated and admitted). */
  account: string;
}

export interface DoorOptions {
  route: Route;
  /** The audit line's operation. */
  operation: string;
  /** The one answer to everyone not admitted (it must not tell a wrong password from a right one). */
  refused: string;
}

/**
 * Runs `work` for an admitted caller. `work` answers with a Response; it may throw StsError
 * (invalid_request, rate_limited) or AdminError, which become JSON errors here. The audit line
 * is written with what `work` put into `ctx.audit`.
 */
export async function throughDoor<E extends HonoEnv>(
  c: Context<E>,
  services: (c: Context<E>) => RequestServices,
  opts: DoorOptions,
  work: (call: AdminCall) => Promise<Response>,
): Promise<Response> {
  const started = Date.now();
  const svc = services(c);
  const ctx = await svc.context();
  ctx.audit.operation = opts.operation;
  const fail = async (status: ContentfulStatusCode, code: string, description: string, headers: Record<string, string> = {}) => {
    await writeAudit(ctx.audit, { ok: false, status, error: code, reason: description }, started);
    return c.json({ error: code, error_description: description }, status, { ...NO_STORE, ...headers });
  };
  try {
    const cred = parseBasicAuthorization(c.req.header("authorization"));
    if (!cred) throw authenticationFailed(opts.refused);
    ctx.audit.requestor = presentedRequestor(cred.user);
    const state = svc.state(ctx);
    // Only an account this route admits authenticates here; anyone else fails as a wrong
    // password does (same answer, same cost, counted as a failure).
    await authenticateLimited(ctx, state, svc.clientAddress, cred.user, cred.secret, (who) => decide(who, { route: opts.route }).allowed);
    const now = Date.now();
    const hits = await state.hit(realmKey(ctx.config.realm, stateKey("admin", cred.user)), 60_000);
    if (hits.count > ADMIN_REQUESTS_PER_MINUTE) {
      throw rateLimited(`This account may make ${ADMIN_REQUESTS_PER_MINUTE} administration requests a minute.`, hits.resetAt, now);
    }
    const res = await work({ ctx, state, account: cred.user });
    await writeAudit(ctx.audit, { ok: true, status: res.status }, started);
    return res;
  } catch (e) {
    if (e instanceof AdminError) return fail(e.status, e.code, e.message);
    if (!(e instanceof StsError)) {
      // A failure of ours: app.onError answers the generic 500 and logs the detail. The audit
      // line is still written, with what the work had done before it failed (`ctx.audit.outcome`),
      // so that no change an account made goes unrecorded.
      await writeAudit(ctx.audit, { ok: false, status: 500, error: "server_error", reason: "An internal error occurred." }, started);
      throw e;
    }
    if (e.code === "authentication_failed") return fail(401, e.code, opts.refused, { "WWW-Authenticate": basicChallenge("sts-admin", ctx.config.realm) });
    if (e.code === "rate_limited") {
      return fail(429, e.code, e.message, e.retryAfterSeconds === undefined ? {} : { "Retry-After": String(e.retryAfterSeconds) });
    }
    // The API documents one code for a 400 (and a 413). bad_request and payload_too_large are
    // WS-Trust's distinctions from wst:InvalidRequest; here they are invalid_request, as at the
    // OAuth endpoints.
    if (e.code === "payload_too_large") return fail(413, "invalid_request", e.message);
    return fail(400, e.code === "bad_request" ? "invalid_request" : e.code, e.message);
  }
}
