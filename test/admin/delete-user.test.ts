/**
 * DELETE /admin/users/{username} (src/admin/users.ts) when the revocation of the user's tokens
 * fails part-way: the call must leave something a retry can finish, never a deleted user whose
 * tokens are still good (which a user created later under the same name would bring back).
 */
import { env } from "cloudflare:test";
import { type Context, Hono } from "hono";
import { describe, expect, it, vi } from "vitest";
import { registerAdminRoutes } from "../../src/admin/routes.ts";
import { getContext } from "../../src/http/context.ts";
import { stateFor } from "../../src/http/state.ts";
import type { RequestServices } from "../../src/engine/types.ts";
import { STATUS_INVALID, validateStatus } from "../hostile/helpers.ts";
import { TT } from "../helpers/soap.ts";
import { ORIGIN, call, faultCode, trust } from "../helpers/worker.ts";

const ADMIN = "Basic " + btoa("user-admin:user-admin-secret-7a6b5c4d3e2f1a0b");
const admin = (path: string, method = "GET", body?: unknown) =>
  call(path, { method, headers: { authorization: ADMIN, ...(body === undefined ? {} : { "content-type": "application/json" }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
const signIn = (user: string, password: string) => trust({ user, password, appliesTo: "urn:example:rp", tokenType: TT.saml2 });
const assertionOf = (text: string) => /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(text)?.[0];

/** The administration routes as the worker has them, with a state whose subject revocation fails once. */
function failingOnce(): Hono {
  let failed = false;
  const app = new Hono();
  registerAdminRoutes(app, (c: Context): RequestServices => ({
    context: () => getContext(env as never, c.req.url),
    state: (ctx) => ({
      ...stateFor(env as never, ctx.config),
      revokeSubject: async (...args) => {
        if (!failed) {
          failed = true;
          throw new Error("the token state object did not answer");
        }
        return stateFor(env as never, ctx.config).revokeSubject(...args);
      },
    }),
    clientAddress: undefined,
  }));
  return app;
}

describe("DELETE /admin/users/{username} when the revocation fails", () => {
  it("leaves the user there, disabled, for a retry that revokes the tokens and deletes; they do not come back with a new user of the name", async () => {
    const name = `del-${crypto.randomUUID().slice(0, 8)}`;
    expect((await admin("/admin/users", "POST", { username: name, password: "old-password-1" })).status).toBe(201);
    const token = assertionOf((await signIn(name, "old-password-1")).text)!;
    expect(token).toBeDefined();

    const lines: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((s: unknown) => void lines.push(String(s)));
    const failed = await failingOnce().request(`${ORIGIN}/admin/users/${name}`, { method: "DELETE", headers: { authorization: ADMIN } });
    log.mockRestore();
    expect(failed.status).toBe(500);
    // The call changed something before it failed: its audit line says who, whom and what.
    const audit = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.event === "audit");
    expect(audit).toEqual([
      expect.objectContaining({ operation: "admin.users.delete", requestor: "user-admin", subject: name, result: "failure", status: 500, error: "server_error", outcome: "disabled" }),
    ]);
    // Still there to delete again, and disabled meanwhile: no new token of theirs.
    const left = await admin(`/admin/users/${name}`);
    expect(left.status).toBe(200);
    expect(((await left.json()) as { user: { enabled: boolean } }).user.enabled).toBe(false);
    expect(faultCode((await signIn(name, "old-password-1")).text)).toContain("FailedAuthentication");

    expect((await admin(`/admin/users/${name}`, "DELETE")).status).toBe(204);
    expect((await admin(`/admin/users/${name}`)).status).toBe(404);
    expect((await validateStatus(token)).code).toBe(STATUS_INVALID);
    expect((await admin("/admin/users", "POST", { username: name, password: "new-password-2" })).status).toBe(201);
    expect((await validateStatus(token)).code).toBe(STATUS_INVALID);
  });
});
