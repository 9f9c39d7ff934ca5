/**
 * A trusted issuer's JWT with an actor chain (src/engine/partner-jwt.ts): its subject's
 * revocation and its actors' are asked of different state objects, so both are asked before
 * either answers; which refusal the requestor is told stays the subject's when both refuse,
 * whichever answer comes first. A fake state holds each answer until the test releases it, so
 * what is proved is the order of calls, never a duration.
 */
import { describe, expect, it } from "vitest";
import type { ResolvedConfig, TrustedIssuer } from "../../src/config/types.ts";
import { partyFromJwt } from "../../src/engine/presented-party.ts";
import type { StsContext } from "../../src/engine/types.ts";
import { DEV_KEY_MATERIALS } from "../../src/config/dev-keys.ts";
import { KeyRing } from "../../src/keys/keyring.ts";
import type { TokenStatus } from "../../src/state/types.ts";
import { outcome, settle } from "../helpers/held.ts";
import { ecIssuerKey } from "../hostile/configured.ts";
import { es256 } from "../oauth/helpers.ts";

const STS = "https://sts.example.org";
const IDP = "https://idp.example.org";
const SUBJECT = `${IDP}#erin`;
const ACTOR = `${IDP}#gateway`;

const SUBJECT_REVOKED = "The token's subject has had its tokens revoked here since this token's authentication: present a token of a newer sign-in.";
const ACTOR_REVOKED = "A party acting in the token has had its tokens revoked here since the token was issued.";

const key = await ecIssuerKey("idp-key-1");
const issuer: TrustedIssuer = {
  issuer: IDP, kind: "jwt", certificates: [], algorithms: ["ES256"], clockSkewSeconds: 300, localSubjects: false,
  grantsDelegation: false, displayName: IDP, jwksUri: undefined, jwks: { keys: [key.jwk] }, expectedAudience: undefined, passiveSignInUrl: undefined,
} as TrustedIssuer;
const config = { trustedIssuers: [issuer], users: new Map(), serviceAccounts: new Map(), limits: { clockSkewSeconds: 300 } } as unknown as ResolvedConfig;
const keys = await KeyRing.load(DEV_KEY_MATERIALS);

function ctx(): StsContext {
  return { config, keys, issuer: STS, origin: STS, now: () => new Date(), begun: new Date(), audit: {} } as StsContext;
}

/** erin's token, with gateway acting (RFC 8693 §4.1 `act`). */
function delegatedToken(): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return es256({ alg: "ES256", typ: "JWT", kid: "idp-key-1" }, { iss: IDP, aud: STS, sub: "erin", act: { sub: "gateway" }, iat: now, exp: now + 300, jti: crypto.randomUUID() }, key.priv);
}

const ACTIVE: TokenStatus = { state: "active", renewed: false };
const REVOKED: TokenStatus = { state: "revoked", reason: "subject-revoked" } as TokenStatus;

/** A state whose `status` answers are held until `release(subject)`; `asked` lists the subjects in call order. */
function heldState(answers: Record<string, TokenStatus>) {
  const asked: string[] = [];
  const held = new Map<string, () => void>();
  return {
    asked,
    state: {
      status: ({ subject }: { subject: string }) => {
        asked.push(subject);
        return new Promise<TokenStatus>((resolve) => held.set(subject, () => resolve(answers[subject]!)));
      },
    },
    release(subject: string) {
      held.get(subject)!();
    },
  };
}

describe("a trusted issuer's JWT with an actor", () => {
  it("asks its subject's and its actor's revocation before either answers", async () => {
    const s = heldState({ [SUBJECT]: ACTIVE, [ACTOR]: ACTIVE });
    const party = partyFromJwt(ctx(), s.state, await delegatedToken(), "subject_token");
    await settle(() => s.asked.length === 2);
    // With the subject's answer still held, the actor's question has been asked too.
    expect(s.asked).toEqual([SUBJECT, ACTOR]);
    s.release(ACTOR);
    s.release(SUBJECT);
    const p = await party;
    expect(p.identity.subject).toBe(SUBJECT);
    expect(p.act).toEqual({ sub: "gateway", iss: IDP });
  });

  it("whose subject and actor are both revoked is refused with the subject's reason, though the actor's answer comes first", async () => {
    const s = heldState({ [SUBJECT]: REVOKED, [ACTOR]: REVOKED });
    const party = outcome(partyFromJwt(ctx(), s.state, await delegatedToken(), "subject_token"));
    await settle(() => s.asked.length === 2);
    s.release(ACTOR);
    await settle(() => false);
    s.release(SUBJECT);
    expect(await party).toBe(`invalid_token: ${SUBJECT_REVOKED}`);
  });

  it("whose actor alone is revoked is refused with the actor's reason once the subject's answer is in", async () => {
    const s = heldState({ [SUBJECT]: ACTIVE, [ACTOR]: REVOKED });
    let done = false;
    const party = outcome(partyFromJwt(ctx(), s.state, await delegatedToken(), "subject_token")).finally(() => (done = true));
    await settle(() => s.asked.length === 2);
    s.release(ACTOR);
    await settle(() => done);
    // The subject may yet refuse, and its refusal would be the one told: nothing is told before it answers.
    expect(done).toBe(false);
    s.release(SUBJECT);
    expect(await party).toBe(`invalid_token: ${ACTOR_REVOKED}`);
  });
});
