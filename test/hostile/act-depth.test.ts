/**
 * One limit on delegation chains, ours and other issuers' alike: a token whose `act` chain would
 * name more actors than the limit is refused (OAuth invalid_request, WS-Trust
 * wst:InvalidRequest), never issued and never silently cut short.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_ACTOR_CHAIN } from "../../src/token/actor.ts";
import { TT } from "../helpers/soap.ts";
import { API, TX, exchange, jwtParts, type Fetcher } from "../oauth/helpers.ts";
import { GATEWAY, delegationWorker, jwtBst, jwtIn, jwtVia, trustWith } from "./configured.ts";
import { DEMO } from "../helpers/credentials.ts";

/** The limit, as the documentation states it. */
const LIMIT = 8;
const WST14 = "http://docs.oasis-open.org/ws-sx/ws-trust/200802";

let f: Fetcher;
let idpToken: (claims?: Record<string, unknown>) => Promise<string>;

beforeAll(async () => {
  ({ f, idpToken } = await delegationWorker());
});

function depth(act: unknown): number {
  let n = 0;
  for (let a = act as { act?: unknown } | undefined; a; a = a.act as typeof a) n++;
  return n;
}

function chain(n: number): Record<string, unknown> | undefined {
  let a: Record<string, unknown> | undefined;
  for (let i = n; i >= 1; i--) a = { sub: `svc-${i}`, ...(a ? { act: a } : {}) };
  return a;
}


describe("delegation chain depth", () => {
  it("the limit is the documented one", () => {
    expect(MAX_ACTOR_CHAIN).toBe(LIMIT);
  });

  it("our own chain grows by one actor per exchange up to the limit; one more is invalid_request, and a WS-Trust ActAs on top a fault", async () => {
    const bob = await jwtVia(f, "bob", "builder");
    let t = await jwtVia(f, "alice", "wonderland");
    for (let i = 1; i <= LIMIT; i++) {
      const r = await exchange({ subject_token: t, subject_token_type: TX.jwt, actor_token: bob, actor_token_type: TX.jwt, audience: API }, DEMO, f);
      expect(r.status, `hop ${i}: ${JSON.stringify(r.json)}`).toBe(200);
      t = r.json.access_token as string;
      expect(depth(jwtParts(t).payload.act)).toBe(i);
    }
    const over = await exchange({ subject_token: t, subject_token_type: TX.jwt, actor_token: bob, actor_token_type: TX.jwt, audience: API }, DEMO, f);
    expect([over.status, over.json.error]).toEqual([400, "invalid_request"]);
    expect(over.json.access_token).toBeUndefined();
    const actAs = await trustWith(f, {
      ...GATEWAY, appliesTo: API, tokenType: TT.jwt,
      extra: `<wst14:ActAs xmlns:wst14="${WST14}">${jwtBst(t)}</wst14:ActAs>`,
    });
    expect(actAs.fault).toBe("wst:InvalidRequest");
    // The same token without a new actor (OnBehalfOf keeps the chain as it is) is still fine.
    const obo = await trustWith(f, {
      ...GATEWAY, appliesTo: API, tokenType: TT.jwt,
      extra: `<wst:OnBehalfOf>${jwtBst(t)}</wst:OnBehalfOf>`,
    });
    expect(obo.fault).toBeUndefined();
    expect(depth(jwtParts(jwtIn(obo.text)!).payload.act)).toBe(LIMIT);
  });

  it("another issuer's chain up to the limit passes whole; past it, it is refused, not cut", async () => {
    const token = (n: number) => idpToken({ sub: "erin", act: chain(n) });
    const ok = await exchange({ subject_token: await token(LIMIT), subject_token_type: TX.jwt, audience: API }, DEMO, f);
    expect(ok.status).toBe(200);
    expect(depth(jwtParts(ok.json.access_token as string).payload.act)).toBe(LIMIT);
    for (const n of [LIMIT + 1, LIMIT + 4, 200]) {
      const r = await exchange({ subject_token: await token(n), subject_token_type: TX.jwt, audience: API }, DEMO, f);
      expect([r.status, r.json.error], `depth ${n}`).toEqual([400, "invalid_request"]);
    }
  });
});
