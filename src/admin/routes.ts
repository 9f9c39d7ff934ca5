import type { Context, Env as HonoEnv, Hono } from "hono";
import { authenticatePassword } from "../engine/authenticate.ts";
import { authorize } from "../engine/authorize.ts";
import type { RequestServices } from "../engine/types.ts";
import { StsError, authenticationFailed, invalidRequest } from "../errors.ts";
import { writeAudit } from "../web/audit.ts";
import { parseBasicAuthorization } from "../web/basic-auth.ts";
import { NO_STORE } from "../web/headers.ts";

/**
 * `POST /admin/revoke-subject` — revoke everything a subject holds, issued before now (or
 * `before`), with one write to the subject's state object. Caller: a service account with
 * the `revoke-subject` operation, over HTTP Basic. Body: JSON `{"subject": "alice",
 * "before"?: "<ISO date>"}`. Every protocol (WS-Trust Validate/Renew, introspection,
 * exchange) then sees those tokens as revoked.
 */
export function registerAdminRoutes<E extends HonoEnv>(app: Hono<E>, services: (c: Context<E>) => RequestServices): void {
  app.post("/admin/revoke-subject", async (c) => {
    const started = Date.now();
    const svc = services(c);
    const ctx = await svc.context();
    ctx.audit.operation = "admin.revoke_subject";
    try {
      const cred = parseBasicAuthorization(c.req.header("authorization"));
      if (!cred) throw authenticationFailed("Send service-account credentials with HTTP Basic.");
      ctx.audit.requestor = cred.user;
      const who = await authenticatePassword(ctx, cred.user, cred.secret);
      authorize(who, { route: "revoke-subject" });
      let body: { subject?: unknown; before?: unknown };
      try {
        body = (await c.req.json()) as typeof body;
      } catch {
        throw invalidRequest("The body must be JSON: {\"subject\": \"...\"}.");
      }
      if (typeof body.subject !== "string" || body.subject === "" || body.subject.length > 1024) {
        throw invalidRequest("'subject' must be a non-empty string.");
      }
      const now = ctx.now().getTime();
      const before = body.before === undefined ? now : Date.parse(String(body.before));
      if (Number.isNaN(before) || before > now) throw invalidRequest("'before' must be a date that is not in the future.");
      ctx.audit.subject = body.subject;
      await svc.state(ctx).revokeSubject(
        { issuer: ctx.issuer, subject: body.subject },
        before,
      );
      await writeAudit(ctx.audit, { ok: true, status: 200 }, started);
      return c.json({ subject: body.subject, revoked_before: new Date(before).toISOString() }, 200, NO_STORE);
    } catch (e) {
      if (!(e instanceof StsError)) throw e;
      const status = e.code === "authentication_failed" ? 401 : e.code === "not_authorized" ? 403 : 400;
      await writeAudit(ctx.audit, { ok: false, status, error: e.code, reason: e.message }, started);
      const headers: Record<string, string> = { ...NO_STORE };
      if (status === 401) headers["WWW-Authenticate"] = 'Basic realm="sts-admin"';
      return c.json({ error: e.code, error_description: e.message }, status, headers);
    }
  });
}
