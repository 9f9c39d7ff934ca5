/**
 * An operation that fails on our side (a state object that does not answer) still writes its one
 * audit line (docs/audit.md): status 500, `server_error`, and who was asking for what — at the
 * OAuth endpoints and at browser sign-in, as at the WS-Trust endpoints and the admin door.
 */
import { env } from "cloudflare:test";
import { type Context, Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RequestServices } from "../../src/engine/types.ts";
import { getContext } from "../../src/http/context.ts";
import { stateFor } from "../../src/http/state.ts";
import { registerOAuthRoutes } from "../../src/oauth/routes.ts";
import { registerPageRoutes } from "../../src/pages/routes.ts";
import type { StateClient } from "../../src/state/client.ts";
import { RP, browser, formFields } from "../helpers/wsfed.ts";
import { ORIGIN } from "../helpers/worker.ts";
import { jwtFromTrust } from "../oauth/helpers.ts";
import { DEMO } from "../helpers/credentials.ts";

afterEach(() => vi.restoreAllMocks());

/** The OAuth and page routes as the worker has them, over a state whose `broken` method throws. */
function withBrokenState(broken: keyof StateClient): (path: string, init?: RequestInit) => Promise<Response> {
  const services = (c: Context): RequestServices => ({
    context: () => getContext(env as never, c.req.url),
    state: (ctx) => ({ ...stateFor(env as never, ctx.config), [broken]: () => Promise.reject(new Error("the state object did not answer")) }),
    clientAddress: undefined,
  });
  const app = new Hono();
  registerOAuthRoutes(app, services);
  registerPageRoutes(app, services);
  return async (path, init) => app.request(ORIGIN + path, init);
}

function auditLines(): { lines: string[]; audits: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((s: unknown) => void lines.push(String(s)));
  vi.spyOn(console, "error").mockImplementation((s: unknown) => void lines.push(String(s)));
  return { lines, audits: () => lines.filter((l) => l.includes('"event":"audit"')).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("an operation that fails on our side still has its audit line", () => {
  it("OAuth token exchange: status 500, server_error, the client and whose token", async () => {
    const jwt = await jwtFromTrust("bob", "builder");
    const f = withBrokenState("status");
    const log = auditLines();
    const r = await f("/oauth2/token", {
      method: "POST",
      headers: { authorization: DEMO, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: jwt,
        subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
        audience: "https://api.example.com/",
      }).toString(),
    });
    expect(r.status).toBe(500);
    expect(log.audits()).toEqual([
      expect.objectContaining({ operation: "oauth.token_exchange", requestor: "demo-client", subject: "bob", target: "https://api.example.com/", result: "failure", status: 500, error: "server_error" }),
    ]);
    expect(log.lines.join("\n")).not.toContain(jwt.split(".")[1]!);
  });

  it("browser sign-in: status 500, server_error, who signed in to which application", async () => {
    const f = withBrokenState("rememberNonce");
    const b = browser(f);
    const page = await b.get({ wa: "wsignin1.0", wtrealm: RP });
    expect(page.status).toBe(200);
    const log = auditLines();
    const r = await b.post({ ...formFields(await page.text()), username: "alice", password: "wonderland" });
    expect(r.status).toBe(500);
    expect(log.audits()).toEqual([
      expect.objectContaining({ operation: "wsfed.signin", requestor: "alice", target: RP, result: "failure", status: 500, error: "server_error" }),
    ]);
    expect(log.lines.join("\n")).not.toContain("wonderland");
  });
});
