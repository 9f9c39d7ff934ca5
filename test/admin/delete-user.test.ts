/**
 * DELETE /admin/users/{username} (src/admin/users.ts) when the revocation of the user's tokens
 * fails part-way: the call must leave something a retry can finish, never a deleted user whose
 * tokens are still good (which a user created later under the same name would bring back).
 */
import { env } from "cloudflare:test";
import { type Context, Hono } from "hono";
import { describe, expect, it, vi } from "vitest";
import { registerAdminRoutes } from "../../src/admin/routes.ts";
import { registerTrustRoutes } from "../../src/wstrust/routes.ts";
import type { UserDirectory } from "../../src/state/directory.ts";
import { getContext } from "../../src/http/context.ts";
import { stateFor } from "../../src/http/state.ts";
import type { RequestServices } from "../../src/engine/types.ts";
import { STATUS_INVALID, validateStatus } from "../hostile/helpers.ts";
import { TT, envelope } from "../helpers/soap.ts";
import { ORIGIN, call, faultCode, trust } from "../helpers/worker.ts";
import { USER_ADMIN as ADMIN } from "../helpers/credentials.ts";

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

/**
 * WS-Trust as the worker has it, with a user directory whose reads of `name` wait, once the row
 * is read, until `release` is called: a sign-in in flight between reading the user and minting.
 */
function signInPausedAfterRead(name: string): { app: Hono; read: Promise<void>; release: () => void } {
  let release!: () => void;
  let signalRead!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const read = new Promise<void>((r) => (signalRead = r));
  const app = new Hono();
  registerTrustRoutes(app, (c: Context): RequestServices => ({
    context: async () => {
      const ctx = await getContext(env as never, c.req.url);
      const real = ctx.directory!;
      const directory = Object.assign(Object.create(real) as UserDirectory, {
        get: async (username: string) => {
          const user = await real.get(username);
          if (username === name) {
            signalRead();
            await released;
          }
          return user;
        },
      });
      return { ...ctx, directory };
    },
    state: (ctx) => stateFor(env as never, ctx.config),
    clientAddress: undefined,
  }));
  return { app, read, release };
}

describe("a sign-in in flight while its user is deleted", () => {
  it("yields no token that outlives the deletion, however late it is minted", async () => {
    const name = `inflight-${crypto.randomUUID().slice(0, 8)}`;
    expect((await admin("/admin/users", "POST", { username: name, password: "old-password-1" })).status).toBe(201);
    const paused = signInPausedAfterRead(name);
    const rst = envelope({ user: name, password: "old-password-1", appliesTo: "urn:example:rp", tokenType: TT.saml2 });
    const signingIn = paused.app.request(`${ORIGIN}/trust/13/usernamemixed`, { method: "POST", headers: rst.headers, body: rst.body });
    // The sign-in has read the user (enabled, with this password) and not yet minted.
    await paused.read;
    expect((await admin(`/admin/users/${name}`, "DELETE")).status).toBe(204);
    paused.release();
    const token = assertionOf(await (await signingIn).text());
    // The row it read said yes, so it mints after the revocation answered; the token must not be good.
    expect(token).toBeDefined();
    expect((await validateStatus(token!)).code).toBe(STATUS_INVALID);
  });
});

describe("DELETE /admin/users/{username} while another administrator enables the user", () => {
  it("ends the tokens of a sign-in made after the cut-off, before the row went", async () => {
    const name = `reenabled-${crypto.randomUUID().slice(0, 8)}`;
    expect((await admin("/admin/users", "POST", { username: name, password: "old-password-1" })).status).toBe(201);
    let token: string | undefined;
    // Once the first revocation has answered (its cut-off passed) and before the row is deleted:
    // another administrator enables the user again, and the user signs in.
    const app = new Hono();
    let raced = false;
    registerAdminRoutes(app, (c: Context): RequestServices => ({
      context: () => getContext(env as never, c.req.url),
      state: (ctx) => ({
        ...stateFor(env as never, ctx.config),
        revokeSubject: async (...args) => {
          const cutoff = await stateFor(env as never, ctx.config).revokeSubject(...args);
          if (!raced) {
            raced = true;
            expect((await admin(`/admin/users/${name}`, "PATCH", { enabled: true })).status).toBe(200);
            token = assertionOf((await signIn(name, "old-password-1")).text);
          }
          return cutoff;
        },
      }),
      clientAddress: undefined,
    }));
    const res = await app.request(`${ORIGIN}/admin/users/${name}`, { method: "DELETE", headers: { authorization: ADMIN } });
    expect(res.status).toBe(204);
    expect(token).toBeDefined();
    expect((await admin(`/admin/users/${name}`)).status).toBe(404);
    expect((await validateStatus(token!)).code).toBe(STATUS_INVALID);
  });
});
