/**
 * Abuse limits (src/abuse/): failed authentications per subject and per client address over
 * HTTP (429 + Retry-After, success never counted), renewals per subject and requestor, and the
 * Durable Object fixed-window counter underneath.
 */
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { withRenewalLimit } from "../../src/abuse/guard.ts";
import type { LimitsConfig } from "../../src/config/types.ts";
import { StsError } from "../../src/errors.ts";
import { type StateClient, createStateClient } from "../../src/state/client.ts";
import { envelope, type RstOptions } from "../helpers/soap.ts";
import { call, faultCode } from "../helpers/worker.ts";

const LIMIT = 10; // the default limits.maxFailedAuthPerWindow
const WINDOW_S = 300; // the default limits.failedAuthWindowSeconds

async function issueFrom(ip: string, o: RstOptions): Promise<{ status: number; text: string; retryAfter: string | null; ms: number }> {
  const e = envelope({ appliesTo: "urn:example:rp", ...o });
  const t0 = Date.now();
  const res = await call("/trust/13/usernamemixed", { method: "POST", headers: { ...e.headers, "CF-Connecting-IP": ip }, body: e.body });
  const text = await res.text();
  return { status: res.status, text, retryAfter: res.headers.get("retry-after"), ms: Date.now() - t0 };
}

describe("failed authentications over HTTP", () => {
  it("per subject: the 11th failure for one name is 429 with Retry-After, from any address", async () => {
    const who = `mallory-${crypto.randomUUID()}`;
    for (let i = 0; i < LIMIT; i++) {
      const r = await issueFrom(`198.51.100.${i}`, { user: who, password: `guess-${i}` });
      expect(r.status, `attempt ${i + 1}`).toBe(400);
      expect(faultCode(r.text)).toBe("wst:FailedAuthentication");
    }
    const over = await issueFrom("198.51.100.200", { user: who, password: "guess-x" });
    expect(over.status).toBe(429);
    expect(faultCode(over.text)).toBe("wst:RequestFailed");
    const ra = Number(over.retryAfter);
    expect(ra).toBeGreaterThanOrEqual(1);
    expect(ra).toBeLessThanOrEqual(WINDOW_S);
    // Now refused in this isolate before any password derivation.
    const again = await issueFrom("198.51.100.201", { user: who, password: "guess-y" });
    expect(again.status).toBe(429);
    console.log(`[abuse] failed attempt ${over.ms} ms (PBKDF2 + counter); locked-out attempt ${again.ms} ms`);
  });

  it("per client address: 10 failures under different names lock the address out, even for alice's right password", async () => {
    const ip = `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
    for (let i = 0; i < LIMIT; i++) {
      const r = await issueFrom(ip, { user: `nobody-${crypto.randomUUID()}`, password: "x" });
      expect(faultCode(r.text)).toBe("wst:FailedAuthentication");
    }
    const over = await issueFrom(ip, { user: `nobody-${crypto.randomUUID()}`, password: "x" });
    expect(over.status).toBe(429);
    expect(over.retryAfter).not.toBeNull();
    const alice = await issueFrom(ip, { user: "alice", password: "wonderland" });
    expect(alice.status).toBe(429);
    expect(alice.text).not.toContain("<saml:Assertion");
    // alice from another address is unaffected.
    expect((await issueFrom("192.0.2.77", { user: "alice", password: "wonderland" })).status).toBe(200);
  });

  it("successful issuance is never counted", async () => {
    const ip = "192.0.2.10";
    for (let i = 0; i < LIMIT + 3; i++) expect((await issueFrom(ip, { user: "alice", password: "wonderland" })).status).toBe(200);
    const wrong = await issueFrom(ip, { user: "alice", password: "not-it" });
    expect(faultCode(wrong.text)).toBe("wst:FailedAuthentication");
  });
});

describe("the Durable Object counter (ReplayCacheObject.hit)", () => {
  it("counts in a fixed window and starts a new window after it ends", async () => {
    let now = 1_800_000_000_000;
    const state = createStateClient(env, { now: () => now, cache: null });
    const key = `test:${crypto.randomUUID()}`;
    expect(await state.hit(key, 60_000)).toEqual({ count: 1, resetAt: now + 60_000 });
    expect(await state.hit(key, 60_000)).toEqual({ count: 2, resetAt: now + 60_000 });
    const end = now + 60_000;
    now = end - 1;
    expect((await state.hit(key, 60_000)).count).toBe(3);
    now = end;
    expect(await state.hit(key, 60_000)).toEqual({ count: 1, resetAt: end + 60_000 });
    expect((await state.hit(`other:${key}`, 60_000)).count).toBe(1);
  });
});

describe("failed OAuth client authentications", () => {
  it("the 11th failure for one client_id is 429 with Retry-After; the right secret is then refused too, in this window", async () => {
    const id = `probe-${crypto.randomUUID()}`;
    const post = (secret: string) =>
      call("/oauth2/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: "Basic " + btoa(`${id}:${secret}`) },
        body: "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange",
      });
    for (let i = 0; i < LIMIT; i++) expect((await post(`guess-${i}`)).status).toBe(401);
    const limited = await post("guess-last");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: string }).error).toBe("temporarily_unavailable");
    // demo-client itself is unaffected: the counter is per claimed client.
    const ok = await call("/oauth2/introspect", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: "Basic " + btoa("demo-client:demo-secret") },
      body: "token=x",
    });
    expect(ok.status).toBe(200);
  });
});

describe("renewal limit (withRenewalLimit)", () => {
  const limits = { maxRenewalsPerWindow: 3, renewalWindowSeconds: 60 } as LimitsConfig;
  const bindings = env as unknown as Parameters<typeof createStateClient>[0];
  const fresh = () => ({ id: `t-${crypto.randomUUID()}`, issuedAt: Date.now(), expiresAt: Date.now() + 3_600_000 });
  const next = (expiresAt = Date.now() + 3_600_000) => ({ id: `n-${crypto.randomUUID()}`, expiresAt });

  /** Counts the state client's calls, so the tests can show a renewal stays one RPC. */
  function counted(): { state: StateClient; rpcs: string[] } {
    const inner = createStateClient(bindings, { cache: null });
    const rpcs: string[] = [];
    const state = new Proxy(inner, {
      get(t, k) {
        const v = Reflect.get(t, k) as unknown;
        return typeof v === "function" ? (...a: unknown[]) => (rpcs.push(String(k)), (v as (...x: unknown[]) => unknown).apply(t, a)) : v;
      },
    });
    return { state, rpcs };
  }

  it("per subject, inside the subject's object: the limit passes, the next renewal is rate_limited; one RPC each", async () => {
    const c = counted();
    // A different requestor each time: only the subject's budget is shared.
    const s = () => withRenewalLimit(c.state, limits, `svc-${crypto.randomUUID()}`);
    const subject = { issuer: "https://sts", subject: `carol-${crypto.randomUUID()}` };
    for (let i = 0; i < 3; i++) expect((await s().renew(subject, fresh(), next())).ok).toBe(true);
    const e = await s().renew(subject, fresh(), next()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StsError);
    expect((e as StsError).code).toBe("rate_limited");
    expect((e as StsError).retryAfterSeconds).toBeGreaterThan(0);
    expect((e as StsError).retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(c.rpcs).toEqual(["renew", "renew", "renew", "renew"]);
  });

  it("counts per requestor across subjects (in this isolate), refusing before any RPC", async () => {
    const c = counted();
    const s = withRenewalLimit(c.state, limits, `svc-${crypto.randomUUID()}`);
    for (let i = 0; i < 3; i++) {
      expect((await s.renew({ issuer: "https://sts", subject: `u${i}-${crypto.randomUUID()}` }, fresh(), next())).ok).toBe(true);
    }
    const e = await s.renew({ issuer: "https://sts", subject: `u9-${crypto.randomUUID()}` }, fresh(), next()).catch((x: unknown) => x);
    expect((e as StsError).code).toBe("rate_limited");
    expect(c.rpcs).toHaveLength(3);
  });
});
