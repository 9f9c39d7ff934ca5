/**
 * An actor's revocation (src/engine/check.ts `issueInstant`, `actorRevocation`) ends every token
 * made from a check of that actor before it, however late the token is minted: an operation
 * that found the actor good just before an administrator revoked it, and minted just after,
 * issued a token whose actor is revoked. Each case holds the operation between its read of the
 * actor's state and its mint while the actor is revoked: a token exchange with an actor_token,
 * WS-Trust ActAs and OnBehalfOf of a delegated token, the Renew of a delegated token, and a
 * Validate-transformation of one.
 */
import { env } from "cloudflare:test";
import { type Context, Hono } from "hono";
import { describe, expect, it } from "vitest";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { getContext } from "../../src/http/context.ts";
import { stateFor } from "../../src/http/state.ts";
import { registerOAuthRoutes } from "../../src/oauth/routes.ts";
import { registerTrustRoutes } from "../../src/wstrust/routes.ts";
import type { RequestServices } from "../../src/engine/types.ts";
import type { StateClient } from "../../src/state/client.ts";
import type { TokenStatus } from "../../src/state/types.ts";
import { TT, envelope, type RstOptions } from "../helpers/soap.ts";
import { ORIGIN, faultCode } from "../helpers/worker.ts";
import { GATEWAY, assertionIn, jwtBst, jwtIn, jwtVia, workerWith } from "../hostile/configured.ts";
import { STATUS_INVALID, STATUS_VALID, validateStatus } from "../hostile/helpers.ts";
import { API, RP, TX, unb64url, type Fetcher } from "../oauth/helpers.ts";
import { DEMO, STS_ADMIN, USER_ADMIN as USERS } from "../helpers/credentials.ts";
import { settle } from "../helpers/held.ts";

const WST14 = "http://docs.oasis-open.org/ws-sx/ws-trust/200802";
const json = (authorization: string, body: unknown) => ({ method: "POST", headers: { authorization, "content-type": "application/json" }, body: JSON.stringify(body) });

/** The development configuration with a gateway that may ask for ActAs and OnBehalfOf tokens. */
const CONFIG = {
  ...DEV_CONFIG,
  serviceAccounts: [
    ...(DEV_CONFIG.serviceAccounts ?? []),
    { username: GATEWAY.user, secretHashSecret: "DEV_RP_VALIDATOR_SECRET_HASH", allowedRelyingParties: [RP, API], operations: ["issue"] },
  ],
};
const customEnv = { ...env, ...DEV_SECRETS, STS_CONFIG: JSON.stringify(CONFIG) };
const f: Fetcher = workerWith(CONFIG);

/**
 * The worker's token routes under CONFIG, whose state client, once asked for `name`'s state,
 * answers only when `release` is called: an operation in flight between reading its actor's
 * state and minting. With `leasing`, the client is another isolate's holding a read lease: it
 * answers `name`'s state for a token as it first heard it (docs/storage.md, "Read leases"), and
 * holds only the reads after that first one.
 */
function pausedAfterActorRead(name: string, leasing = false): { fetch: Fetcher; read: Promise<void>; release: () => void } {
  let release!: () => void;
  let signalRead!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const read = new Promise<void>((r) => (signalRead = r));
  const leases = new Map<string, TokenStatus>();
  const services = (c: Context): RequestServices => ({
    context: () => getContext(customEnv as never, c.req.url),
    state: (ctx) => {
      const real = stateFor(customEnv as never, ctx.config);
      const status: StateClient["status"] = async (key, ref) => {
        if (key.subject !== name) return real.status(key, ref);
        const lease = leasing ? leases.get(ref.id) : undefined;
        if (leasing && lease === undefined) {
          const first = await real.status(key, ref);
          if (first.state === "active") leases.set(ref.id, first);
          return first;
        }
        const answer = lease ?? (await real.status(key, ref));
        signalRead();
        await released;
        return answer;
      };
      return { ...real, status };
    },
    clientAddress: undefined,
  });
  const app = new Hono();
  registerOAuthRoutes(app, services);
  registerTrustRoutes(app, services);
  return { fetch: async (path, init) => app.request(ORIGIN + path, init), read, release };
}

/** A fresh directory user, and a JWT of theirs for the API. */
async function newActor(): Promise<{ name: string; jwt: string }> {
  const name = `actor-${crypto.randomUUID().slice(0, 8)}`;
  expect((await f("/admin/users", json(USERS, { username: name, password: "actor-password-1" }))).status).toBe(201);
  const jwt = await jwtVia(f, name, "actor-password-1");
  expect(jwt).toBeDefined();
  return { name, jwt };
}

const aliceJwt = () => jwtVia(f, "alice", "wonderland");

/** A token exchange of `subject` with `actorJwt` acting, through `fetch`: its status and answer. */
async function exchangeWithActor(fetch: Fetcher, subject: string, actorJwt: string, audience: string, requested?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const body = new URLSearchParams({
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    subject_token: subject,
    subject_token_type: TX.jwt,
    actor_token: actorJwt,
    actor_token_type: TX.jwt,
    audience,
    ...(requested === undefined ? {} : { requested_token_type: requested }),
  });
  const r = await fetch("/oauth2/token", { method: "POST", headers: { authorization: DEMO, "content-type": "application/x-www-form-urlencoded" }, body });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

/** alice's token with `actor` acting for her, by token exchange. */
async function delegated(actorJwt: string, requested: string = TX.jwt, audience = API): Promise<string> {
  const { status, json } = await exchangeWithActor(f, await aliceJwt(), actorJwt, audience, requested);
  expect(status, JSON.stringify(json)).toBe(200);
  return json.access_token as string;
}

/**
 * Runs `operation` through the paused routes, revokes `actor` (cut-off "now") while it is held
 * after reading the actor's state, then lets it mint: the token it returns.
 */
async function raced(actor: string, operation: (fetch: Fetcher) => Promise<string | undefined>): Promise<string> {
  const paused = pausedAfterActorRead(actor);
  const running = operation(paused.fetch);
  await paused.read;
  const revoked = await f("/admin/revoke-subject", json(STS_ADMIN, { subject: actor }));
  expect(revoked.status).toBe(200);
  paused.release();
  const token = await running;
  // The actor was good when it was read, so the operation mints after the revocation answered.
  expect(token).toBeDefined();
  return token!;
}

async function trustVia(fetch: Fetcher, o: RstOptions): Promise<string> {
  const e = envelope(o);
  const text = await (await fetch(`/trust/${o.trust ?? "13"}/usernamemixed`, { method: "POST", headers: e.headers, body: e.body })).text();
  expect(faultCode(text), text.slice(0, 600)).toBeUndefined();
  return text;
}

describe("an actor revoked while a token naming it is being made", () => {
  it("token exchange with an actor_token: the token it mints is revoked with its actor", async () => {
    const actor = await newActor();
    const subject = await aliceJwt();
    const token = await raced(actor.name, async (fetch) => (await exchangeWithActor(fetch, subject, actor.jwt, API)).json.access_token as string | undefined);
    expect((await validateStatus(jwtBst(token))).code).toBe(STATUS_INVALID);
    // A token made after the revocation from a fresh sign-in of the actor is good.
    const signedInAgain = await jwtVia(f, actor.name, "actor-password-1");
    expect((await validateStatus(jwtBst(await delegated(signedInAgain)))).code).toBe(STATUS_VALID);
  });

  it("an exchange whose actor_token's answer was leased before the revocation: the token is issued no later than that answer", async () => {
    const actor = await newActor();
    const subject = await aliceJwt();
    // SAML states its issue instant to the millisecond, so a cut-off a moment before it tells.
    const exchangeVia = async (fetch: Fetcher) => (await exchangeWithActor(fetch, subject, actor.jwt, RP, TX.saml2)).json.access_token as string | undefined;
    // Another isolate asks the actor's state object, which answers "active" with a read lease.
    const isolate = pausedAfterActorRead(actor.name, true);
    expect(await exchangeVia(isolate.fetch)).toBeDefined();
    // The revocation lands at once, with a cut-off of now, and answers once that lease has ended.
    const revoking = f("/admin/revoke-subject", json(STS_ADMIN, { subject: actor.name, before: new Date().toISOString() }));
    await new Promise((r) => setTimeout(r, 100));
    // An exchange begun after the cut-off in that isolate finds the actor good, in the lease.
    const running = exchangeVia(isolate.fetch);
    await isolate.read;
    expect((await revoking).status).toBe(200);
    isolate.release();
    const token = await running;
    expect(token).toBeDefined();
    expect((await validateStatus(unb64url(token!))).code).toBe(STATUS_INVALID);
  });

  for (const [element, ns] of [["ActAs", `xmlns:wst14="${WST14}"`], ["OnBehalfOf", ""]] as const) {
    it(`WS-Trust ${element} of a delegated token: the token it mints is revoked with the earlier actor`, async () => {
      const actor = await newActor();
      const presented = await delegated(actor.jwt);
      const tag = element === "ActAs" ? "wst14:ActAs" : "wst:OnBehalfOf";
      const token = await raced(actor.name, async (fetch) =>
        jwtIn(await trustVia(fetch, { ...GATEWAY, appliesTo: API, tokenType: TT.jwt, extra: `<${tag}${ns ? ` ${ns}` : ""}>${jwtBst(presented)}</${tag}>` })),
      );
      expect((await validateStatus(jwtBst(token))).code).toBe(STATUS_INVALID);
    });
  }

  it("Renew of a delegated token: the renewed token is revoked with its actor", async () => {
    const actor = await newActor();
    const saml = unb64url(await delegated(actor.jwt, TX.saml2, RP));
    const token = await raced(actor.name, async (fetch) =>
      assertionIn(await trustVia(fetch, { user: "alice", password: "wonderland", requestType: "Renew", extra: `<wst:RenewTarget>${saml}</wst:RenewTarget>` })),
    );
    expect((await validateStatus(token)).code).toBe(STATUS_INVALID);
  });

  it("Validate-transformation of a delegated token: the token it mints is revoked with its actor", async () => {
    const actor = await newActor();
    const presented = await delegated(actor.jwt);
    const token = await raced(actor.name, async (fetch) =>
      jwtIn(await trustVia(fetch, { user: "alice", password: "wonderland", requestType: "Validate", tokenType: TT.jwt, appliesTo: API, extra: `<wst:ValidateTarget>${jwtBst(presented)}</wst:ValidateTarget>` })),
    );
    expect((await validateStatus(jwtBst(token))).code).toBe(STATUS_INVALID);
  });
});


describe("Renew of a delegated token asks its actor's account and its actor's state together", () => {
  it("the actor's state is asked while the directory still holds the actor's account", async () => {
    const actor = await newActor();
    const saml = unb64url(await delegated(actor.jwt, TX.saml2, RP));
    const asked: string[] = [];
    let releaseDirectory!: () => void;
    const directoryHeld = new Promise<void>((r) => (releaseDirectory = r));
    const services = (c: Context): RequestServices => ({
      context: async () => {
        const real = await getContext(customEnv as never, c.req.url);
        const directory = real.directory!;
        const get: typeof directory.get = async (name) => {
          if (name !== actor.name) return directory.get(name);
          asked.push("directory");
          await directoryHeld;
          return directory.get(name);
        };
        return { ...real, directory: Object.assign(Object.create(directory) as typeof directory, { get }) };
      },
      state: (ctx) => {
        const real = stateFor(customEnv as never, ctx.config);
        const status: StateClient["status"] = async (key, ref) => {
          if (key.subject === actor.name) asked.push("status");
          return real.status(key, ref);
        };
        return { ...real, status };
      },
      clientAddress: undefined,
    });
    const app = new Hono();
    registerTrustRoutes(app, services);
    const renewing = trustVia(async (path, init) => app.request(ORIGIN + path, init), { user: "alice", password: "wonderland", requestType: "Renew", extra: `<wst:RenewTarget>${saml}</wst:RenewTarget>` });
    await settle(() => asked.includes("status"));
    expect(asked).toEqual(["directory", "status"]);
    releaseDirectory();
    expect(assertionIn(await renewing)).toBeDefined();
  });
});
