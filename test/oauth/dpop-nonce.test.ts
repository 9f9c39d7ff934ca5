/**
 * Server-provided DPoP nonces (RFC 9449 §8) with `dpopNonceSecret` configured: a proof without
 * a current nonce is answered use_dpop_nonce with the nonce in DPoP-Nonce, the retry with it
 * gets a bound token, and stale or forged nonces are refused. Without the setting nothing asks
 * for a nonce.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { app } from "../../src/http/app.ts";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { DPOP_NONCE_PERIOD_MS, currentDpopNonce, isCurrentDpopNonce } from "../../src/oauth/dpop-nonce.ts";
import { ORIGIN } from "../helpers/worker.ts";
import { type Fetcher, jwtFromTrust, jwtParts, post } from "./helpers.ts";
import { exchangeWithDpop, proof, proofKey } from "./dpop-helpers.ts";

const SECRET = "a dpop nonce secret of more than thirty-two bytes";
let fetcher: Fetcher;

beforeAll(() => {
  const customEnv = { ...env, ...DEV_SECRETS, NONCE_KEY: SECRET, STS_CONFIG: JSON.stringify({ ...DEV_CONFIG, dpopNonceSecret: "NONCE_KEY" }) };
  fetcher = async (path, init) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(ORIGIN + path, init), customEnv, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
});

const nonceMessage = /nonce/i;

describe("DPoP server nonces (RFC 9449 §8)", () => {
  it("asks for a nonce, then binds the token to a proof that carries it", async () => {
    const k = await proofKey();
    const subject_token = await jwtFromTrust();
    const first = await exchangeWithDpop({ subject_token }, await proof(k), fetcher);
    expect([first.status, first.json.error]).toEqual([400, "use_dpop_nonce"]);
    expect(first.json.error_description).toMatch(nonceMessage);
    const nonce = first.headers.get("dpop-nonce");
    expect(nonce).toMatch(/^\d+\.[A-Za-z0-9_-]{43}$/);
    expect(first.headers.get("cache-control")).toBe("no-store");

    const second = await exchangeWithDpop({ subject_token }, await proof(k, { nonce }), fetcher);
    expect([second.status, second.json.token_type]).toEqual([200, "DPoP"]);
    expect(jwtParts(second.json.access_token as string).payload.cnf).toEqual({ jkt: k.jkt });
    // Every answer names the nonce to use next (§8.2).
    expect(second.headers.get("dpop-nonce")).toBe(nonce);
  });

  it("does not spend a proof's jti when only its nonce was missing, and still refuses a replay", async () => {
    const k = await proofKey();
    const subject_token = await jwtFromTrust();
    const jti = crypto.randomUUID();
    const first = await exchangeWithDpop({ subject_token }, await proof(k, { jti }), fetcher);
    expect(first.json.error).toBe("use_dpop_nonce");
    const withNonce = await proof(k, { jti, nonce: first.headers.get("dpop-nonce") });
    expect((await exchangeWithDpop({ subject_token }, withNonce, fetcher)).status).toBe(200);
    const replay = await exchangeWithDpop({ subject_token }, withNonce, fetcher);
    expect([replay.status, replay.json.error]).toEqual([400, "invalid_dpop_proof"]);
    expect(replay.json.error_description).toContain("used before");
  });

  it("refuses a forged, malformed, stale or non-string nonce with use_dpop_nonce and a fresh one", async () => {
    const k = await proofKey();
    const subject_token = await jwtFromTrust();
    const now = Date.now();
    const good = await currentDpopNonce(SECRET, now);
    const period = good.split(".")[0];
    const bad = [
      `${period}.${"A".repeat(43)}`, // right shape, wrong MAC
      await currentDpopNonce("another secret of more than thirty-two bytes", now),
      await currentDpopNonce(SECRET, now - 2 * DPOP_NONCE_PERIOD_MS - 1000), // two periods old
      await currentDpopNonce(SECRET, now + 2 * DPOP_NONCE_PERIOD_MS), // not yet issued
      `${good}x`,
      "",
      12345,
      [good],
    ];
    for (const nonce of bad) {
      const r = await exchangeWithDpop({ subject_token }, await proof(k, { nonce }), fetcher);
      expect([r.status, r.json.error], JSON.stringify(nonce)).toEqual([400, "use_dpop_nonce"]);
      expect(r.headers.get("dpop-nonce")).toBe(await currentDpopNonce(SECRET, Date.now()));
      expect(r.json.access_token).toBeUndefined();
    }
  });

  it("takes the previous period's nonce (a nonce lives five to ten minutes)", async () => {
    const now = Date.now();
    const previous = await currentDpopNonce(SECRET, now - DPOP_NONCE_PERIOD_MS);
    expect(await isCurrentDpopNonce(SECRET, previous, now)).toBe(true);
    expect(await isCurrentDpopNonce(SECRET, await currentDpopNonce(SECRET, now - 2 * DPOP_NONCE_PERIOD_MS), now)).toBe(false);
    const k = await proofKey();
    // A period boundary may fall between making the nonce and the request: either is current.
    const r = await exchangeWithDpop({ subject_token: await jwtFromTrust() }, await proof(k, { nonce: await currentDpopNonce(SECRET, Date.now() - DPOP_NONCE_PERIOD_MS) }), fetcher);
    expect([r.status, r.json.token_type]).toEqual([200, "DPoP"]);
  });

  it("an invalid proof is still invalid_dpop_proof, with the nonce to use", async () => {
    const k = await proofKey();
    const r = await exchangeWithDpop({ subject_token: await jwtFromTrust() }, await proof(k, { htm: "GET" }), fetcher);
    expect([r.status, r.json.error]).toEqual([400, "invalid_dpop_proof"]);
    expect(r.headers.get("dpop-nonce")).toMatch(/^\d+\./);
  });

  it("bearer exchanges need no nonce and are told the current one", async () => {
    const r = await exchangeWithDpop({ subject_token: await jwtFromTrust() }, undefined, fetcher);
    expect([r.status, r.json.token_type]).toEqual([200, "Bearer"]);
    expect(r.headers.get("dpop-nonce")).toBe(await currentDpopNonce(SECRET, Date.now()));
  });

  it("other endpoints do not hand out nonces", async () => {
    const r = await post("/oauth2/introspect", { token: "x" }, undefined, fetcher);
    expect(r.status).toBe(200);
    expect(r.res.headers.get("dpop-nonce")).toBeNull();
  });

  it("without dpopNonceSecret no nonce is asked for or sent", async () => {
    const k = await proofKey();
    const r = await exchangeWithDpop({ subject_token: await jwtFromTrust() }, await proof(k));
    expect([r.status, r.json.token_type]).toEqual([200, "DPoP"]);
    expect(r.headers.get("dpop-nonce")).toBeNull();
  });
});
