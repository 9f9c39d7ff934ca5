/**
 * Abuse limits (src/abuse/): failed authentications per subject and per client address over
 * HTTP (429 + Retry-After, success never counted), renewals per subject and requestor, and the
 * Durable Object fixed-window counter underneath.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:test";
import { withRenewalLimit } from "../../src/abuse/guard.ts";
import { HARD_FACTOR } from "../../src/abuse/limits.ts";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { resetConfigCache } from "../../src/config/load.ts";
import { app } from "../../src/http/app.ts";
import type { LimitsConfig } from "../../src/config/types.ts";
import { StsError } from "../../src/errors.ts";
import { type StateClient, createStateClient } from "../../src/state/client.ts";
import { NS, envelope, type RstOptions, soapHeaders } from "../helpers/soap.ts";
import { signedEnvelope } from "../helpers/wss-sign.ts";
import ALICE_CERT from "../fixtures/dev-credentials/alice-client.cert.pem?raw";
import ALICE_KEY from "../fixtures/dev-credentials/alice-client.key.pem?raw";
import { call, faultCode } from "../helpers/worker.ts";
import { DEMO } from "../helpers/credentials.ts";

const LIMIT = 10; // the default limits.maxFailedAuthPerWindow
const WINDOW_S = 300; // the default limits.failedAuthWindowSeconds

/** The development configuration with a smaller failed-authentication limit, as a deployment would set it. */
const SMALL_LIMIT = 2;
const smallEnv = { ...env, ...DEV_SECRETS, STS_CONFIG: JSON.stringify({ ...DEV_CONFIG, limits: { maxFailedAuthPerWindow: SMALL_LIMIT } }) };
const exec = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;

async function small(ip: string, o: RstOptions): Promise<{ status: number; text: string }> {
  const url = "https://sts.example.com/trust/13/usernamemixed";
  const e = envelope({ appliesTo: "urn:example:rp", to: url, ...o });
  const req = new Request(url, { method: "POST", headers: { ...e.headers, "CF-Connecting-IP": ip }, body: e.body });
  const res = await app.fetch(req, smallEnv, exec);
  return { status: res.status, text: await res.text() };
}

async function issueFrom(ip: string, o: RstOptions): Promise<{ status: number; text: string; retryAfter: string | null; ms: number }> {
  const e = envelope({ appliesTo: "urn:example:rp", ...o });
  const t0 = Date.now();
  const res = await call("/trust/13/usernamemixed", { method: "POST", headers: { ...e.headers, "CF-Connecting-IP": ip }, body: e.body });
  const text = await res.text();
  return { status: res.status, text, retryAfter: res.headers.get("retry-after"), ms: Date.now() - t0 };
}

/** Counts PBKDF2 derivations (each password check makes one; a refused attempt none). */
function derivations(): { count(): number } {
  const spy = vi.spyOn(crypto.subtle, "deriveBits");
  return { count: () => spy.mock.calls.filter(([alg]) => (alg as { name?: string }).name === "PBKDF2").length };
}

let nextAddress = 1;
/** A client address no other test in this file uses. */
const freshAddress = () => `2001:db8:ab:${(nextAddress++).toString(16)}::1`;

describe("failed authentications over HTTP", () => {
  afterEach(() => vi.restoreAllMocks());

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
    // Every address that failed on the name is now refused there before any derivation.
    const d = derivations();
    for (const ip of ["198.51.100.0", "198.51.100.9", "198.51.100.200"]) {
      const again = await issueFrom(ip, { user: who, password: "guess-y" });
      expect(again.status).toBe(429);
      console.log(`[abuse] failed attempt ${over.ms} ms (PBKDF2 + counter); refused attempt ${again.ms} ms`);
    }
    expect(d.count()).toBe(0);
  });

  it("11 addresses guessing bob's password do not lock bob out: his right password from a clean address passes; each guessing address is refused", async () => {
    const attackers = Array.from({ length: LIMIT + 1 }, () => freshAddress());
    for (const [i, ip] of attackers.entries()) {
      const r = await issueFrom(ip, { user: "bob", password: `guess-${i}` });
      expect(r.status, `guess ${i + 1}`).toBe(i < LIMIT ? 400 : 429);
    }
    // The real bob, from an address with no failures, signs in.
    const bob = await issueFrom(freshAddress(), { user: "bob", password: "builder" });
    expect(bob.status).toBe(200);
    expect(bob.text).toContain("<saml:Assertion");
    // The guessing addresses are refused for bob, right password or not, before any derivation.
    const d = derivations();
    for (const ip of attackers) {
      const r = await issueFrom(ip, { user: "bob", password: "builder" });
      expect(r.status).toBe(429);
      expect(r.text).not.toContain("<saml:Assertion");
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    expect(d.count()).toBe(0);
    // A new address gets one guess at bob (one derivation), and is then refused like the others.
    const newcomer = freshAddress();
    expect((await issueFrom(newcomer, { user: "bob", password: "guess-new" })).status).toBe(429);
    expect(d.count()).toBe(1);
    expect((await issueFrom(newcomer, { user: "bob", password: "builder" })).status).toBe(429);
    expect(d.count()).toBe(1);
  });

  it("one host is one address: the addresses of one IPv6 /64, and every spelling of an address, count together", async () => {
    const prefix = `2001:db8:64:${(nextAddress++).toString(16)}`;
    const spellings = Array.from({ length: LIMIT }, (_, i) => `${prefix}::${(i + 1).toString(16)}`);
    for (const ip of spellings) expect((await issueFrom(ip, { user: `nobody-${crypto.randomUUID()}`, password: "x" })).status, ip).toBe(400);
    // The /64 has failed on LIMIT names: one more new name from any address in it, however spelt, is refused.
    for (const ip of [`${prefix}:ffff:ffff:ffff:ffff`, `[${prefix.toUpperCase()}::1]`, `${prefix.replace("2001:db8", "2001:0db8")}:0:0:0:7`]) {
      expect((await issueFrom(ip, { user: `nobody-${crypto.randomUUID()}`, password: "x" })).status, ip).toBe(429);
    }
    // Another /64 is another host.
    expect((await issueFrom(`2001:db8:64:${(nextAddress++).toString(16)}::1`, { user: `nobody-${crypto.randomUUID()}`, password: "x" })).status).toBe(400);
  });

  it("10 failures from one address under different names do not lock out the others behind it: alice's right password from it passes; the names that failed there are refused", async () => {
    const ip = freshAddress();
    const names = Array.from({ length: LIMIT + 1 }, () => `nobody-${crypto.randomUUID()}`);
    for (const [i, user] of names.entries()) {
      const r = await issueFrom(ip, { user, password: "x" });
      expect(r.status, `name ${i + 1}`).toBe(i < LIMIT ? 400 : 429);
    }
    const alice = await issueFrom(ip, { user: "alice", password: "wonderland" });
    expect(alice.status).toBe(200);
    expect(alice.text).toContain("<saml:Assertion");
    // What the address failed on, it may not try again (no derivation).
    const d = derivations();
    for (const user of names) expect((await issueFrom(ip, { user, password: "y" })).status).toBe(429);
    expect(d.count()).toBe(0);
    // alice from another address is unaffected.
    expect((await issueFrom(freshAddress(), { user: "alice", password: "wonderland" })).status).toBe(200);
  });

  it("without a client address, a name over its limit is refused outright (nothing can show a clean address)", async () => {
    const who = `mallory-${crypto.randomUUID()}`;
    const post = (password: string) => {
      const e = envelope({ appliesTo: "urn:example:rp", user: who, password });
      return call("/trust/13/usernamemixed", { method: "POST", headers: e.headers, body: e.body });
    };
    for (let i = 0; i < LIMIT; i++) expect((await post(`guess-${i}`)).status).toBe(400);
    expect((await post("guess-x")).status).toBe(429);
    const d = derivations();
    expect((await post("guess-y")).status).toBe(429);
    expect(d.count()).toBe(0);
  });

  it("a burst of wrong passwords sent together gets the password checks the same guesses one after another get, no more", async () => {
    const who = `mallory-${crypto.randomUUID()}`;
    const ip = freshAddress();
    const d = derivations();
    // All of them start before the first failure is counted.
    const rs = await Promise.all(Array.from({ length: 4 * LIMIT }, (_, i) => issueFrom(ip, { user: who, password: `guess-${i}` })));
    expect(rs.filter((r) => r.status === 400).length).toBe(LIMIT);
    expect(rs.filter((r) => r.status === 429).length).toBe(3 * LIMIT);
    // LIMIT wrong passwords, and the guess that went over (as the 11th in sequence does).
    expect(d.count()).toBe(LIMIT + 1);
  });

  it("a burst of right passwords from one address is never refused: attempts in flight hold others back, they do not count as failures", async () => {
    const ip = freshAddress();
    const rs = await Promise.all(Array.from({ length: 3 * LIMIT }, () => issueFrom(ip, { user: "alice", password: "wonderland" })));
    expect(rs.map((r) => r.status)).toEqual(rs.map(() => 200));
    expect(faultCode((await issueFrom(ip, { user: "alice", password: "not-it" })).text)).toBe("wst:FailedAuthentication");
  });

  it("successful issuance is never counted", async () => {
    const ip = "192.0.2.10";
    for (let i = 0; i < LIMIT + 3; i++) expect((await issueFrom(ip, { user: "alice", password: "wonderland" })).status).toBe(200);
    const wrong = await issueFrom(ip, { user: "alice", password: "not-it" });
    expect(faultCode(wrong.text)).toBe("wst:FailedAuthentication");
  });
});

describe(`the hard limits (limit × ${HARD_FACTOR}), with maxFailedAuthPerWindow ${SMALL_LIMIT}`, () => {
  afterEach(() => {
    resetConfigCache();
    vi.restoreAllMocks();
  });

  it("a name failed on from more clean addresses than the hard limit is refused from every address, before any derivation", async () => {
    const who = `mallory-${crypto.randomUUID()}`;
    const hard = SMALL_LIMIT * HARD_FACTOR;
    for (let i = 0; i <= hard; i++) {
      const r = await small(freshAddress(), { user: who, password: `guess-${i}` });
      expect(r.status, `guess ${i + 1}`).toBe(i < SMALL_LIMIT ? 400 : 429);
    }
    // Past the soft limit every new address still got its one guess; past the hard one, none.
    const d = derivations();
    expect((await small(freshAddress(), { user: who, password: "guess-z" })).status).toBe(429);
    expect(d.count()).toBe(0);
  });

  it("a Username that spells another credential's counter (x509@<address>, client:<id>) locks only itself: that address still signs in with its certificate, that client with its secret", async () => {
    const victim = freshAddress();
    const hard = SMALL_LIMIT * HARD_FACTOR;
    for (const who of [`x509@${victim}`, "client:demo-client"]) {
      for (let i = 0; i <= hard; i++) await small(freshAddress(), { user: who, password: `guess-${i}` });
      expect((await small(freshAddress(), { user: who, password: "guess-z" })).status, who).toBe(429); // that name is locked
    }
    const url = "https://sts.example.com/trust/13/certificatemixed";
    const action = `${NS.t13}/RST/Issue`;
    const rst = `<t:RequestSecurityToken xmlns:t="${NS.t13}"><t:RequestType>${NS.t13}/Issue</t:RequestType><wsp:AppliesTo xmlns:wsp="${NS.wsp}"><a:EndpointReference><a:Address>urn:example:rp</a:Address></a:EndpointReference></wsp:AppliesTo></t:RequestSecurityToken>`;
    const body = await signedEnvelope({ keyPem: ALICE_KEY, certPem: ALICE_CERT, payload: rst, action, to: url });
    const signedIn = await app.fetch(new Request(url, { method: "POST", headers: { ...soapHeaders("1.2", action), "CF-Connecting-IP": victim }, body }), smallEnv, exec);
    expect(signedIn.status, await signedIn.clone().text()).toBe(200);
    const client = await app.fetch(
      new Request("https://sts.example.com/oauth2/introspect", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: DEMO, "CF-Connecting-IP": freshAddress() },
        body: "token=x",
      }),
      smallEnv,
      exec,
    );
    expect(client.status).toBe(200);
  });

  it("an address that fails on more names than the hard limit is refused for every name, alice's right password too", async () => {
    const ip = freshAddress();
    const hard = SMALL_LIMIT * HARD_FACTOR;
    for (let i = 0; i <= hard; i++) {
      const r = await small(ip, { user: `nobody-${crypto.randomUUID()}`, password: "x" });
      expect(r.status, `name ${i + 1}`).toBe(i < SMALL_LIMIT ? 400 : 429);
    }
    const d = derivations();
    const alice = await small(ip, { user: "alice", password: "wonderland" });
    expect(alice.status).toBe(429);
    expect(d.count()).toBe(0);
    expect((await small(freshAddress(), { user: "alice", password: "wonderland" })).status).toBe(200);
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
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: DEMO },
      body: "token=x",
    });
    expect(ok.status).toBe(200);
  });
});

describe("failed OAuth client authentications from many addresses", () => {
  it("11 addresses guessing demo-client's secret do not lock demo-client out: its right secret from a clean address passes", async () => {
    const introspect = (secret: string, ip: string) =>
      call("/oauth2/introspect", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: "Basic " + btoa(`demo-client:${secret}`), "CF-Connecting-IP": ip },
        body: "token=x",
      });
    const attackers = Array.from({ length: LIMIT + 1 }, () => freshAddress());
    for (const [i, ip] of attackers.entries()) expect((await introspect(`guess-${i}`, ip)).status).toBe(i < LIMIT ? 401 : 429);
    expect((await introspect("demo-secret", freshAddress())).status).toBe(200);
    for (const ip of attackers) expect((await introspect("demo-secret", ip)).status).toBe(429);
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
    const subject = { subject: `carol-${crypto.randomUUID()}` };
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
      expect((await s.renew({ subject: `u${i}-${crypto.randomUUID()}` }, fresh(), next())).ok).toBe(true);
    }
    const e = await s.renew({ subject: `u9-${crypto.randomUUID()}` }, fresh(), next()).catch((x: unknown) => x);
    expect((e as StsError).code).toBe("rate_limited");
    expect(c.rpcs).toHaveLength(3);
  });
});
