/**
 * A token of ours presented as evidence (src/engine/presented-party.ts): its revocation state
 * and its subject's account are asked of different places (the subject's state object, the user
 * directory), so both are asked before either answers; a revoked token is refused as revoked,
 * whatever the directory says and whenever it says it. A fake state and a fake directory hold
 * their answers until the test releases them, so what is proved is the order of calls, never a
 * duration.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { partyFromJwt } from "../../src/engine/presented-party.ts";
import type { StsContext } from "../../src/engine/types.ts";
import { getContext } from "../../src/http/context.ts";
import type { TokenStatus } from "../../src/state/types.ts";
import { outcome, settle } from "../helpers/held.ts";
import { TT } from "../helpers/soap.ts";
import { ORIGIN, trust } from "../helpers/worker.ts";
import { jwtIn } from "../hostile/configured.ts";
import { API } from "../oauth/helpers.ts";

const ACTIVE: TokenStatus = { state: "active", renewed: false };
const REVOKED: TokenStatus = { state: "revoked", reason: "cancelled" };

/** A JWT of ours for alice, issued by the worker as to any client. */
async function aliceToken(): Promise<string> {
  const r = await trust({ user: "alice", password: "wonderland", appliesTo: API, tokenType: TT.jwt });
  return jwtIn(r.text)!;
}

/**
 * The worker's context with alice read from a directory (not the configuration): `asked` lists
 * the questions in call order, `state` and the directory answer each only once released.
 */
async function held(status: TokenStatus, enabled: boolean) {
  const real = await getContext(env as never, `${ORIGIN}/`);
  const asked: string[] = [];
  const waiting = new Map<string, () => void>();
  const hold = <T>(what: string, answer: T) => {
    asked.push(what);
    return new Promise<T>((resolve) => waiting.set(what, () => resolve(answer)));
  };
  const directory = { get: (name: string) => hold(`directory ${name}`, { username: name, enabled, claims: {}, passwordHash: "pbkdf2-sha256$1$AA==$AA==" }) };
  const ctx = { ...real, config: { ...real.config, users: new Map() }, directory } as unknown as StsContext;
  const state = { status: ({ subject }: { subject: string }) => hold(`status ${subject}`, status) };
  return { ctx, state, asked, release: (what: string) => waiting.get(what)!() };
}

describe("a token of ours presented as evidence", () => {
  it("asks its revocation state and its subject's account before either answers", async () => {
    const h = await held(ACTIVE, true);
    const party = partyFromJwt(h.ctx, h.state, await aliceToken(), "subject_token");
    await settle(() => h.asked.length === 2);
    // With the revocation state still held, the directory has been asked too.
    expect(h.asked).toEqual(["status alice", "directory alice"]);
    h.release("directory alice");
    h.release("status alice");
    expect((await party).identity.subject).toBe("alice");
  });

  it("revoked, of a disabled user, is refused as revoked though the directory answers first", async () => {
    const h = await held(REVOKED, false);
    const party = outcome(partyFromJwt(h.ctx, h.state, await aliceToken(), "subject_token"));
    await settle(() => h.asked.length === 2);
    h.release("directory alice");
    await settle(() => false);
    h.release("status alice");
    expect(await party).toBe("invalid_token: The token has been revoked.");
  });

  it("of a disabled user, not revoked, is refused for the account once the revocation state is in", async () => {
    const h = await held(ACTIVE, false);
    let done = false;
    const party = outcome(partyFromJwt(h.ctx, h.state, await aliceToken(), "subject_token")).finally(() => (done = true));
    await settle(() => h.asked.length === 2);
    h.release("directory alice");
    await settle(() => done);
    expect(done).toBe(false);
    h.release("status alice");
    expect(await party).toBe("not_authorized: The subject's account is disabled.");
  });
});
