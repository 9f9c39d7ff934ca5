/**
 * A subject-wide revocation reaches the subjects of trusted issuers too (docs/security.md §11:
 * their revocations are their own). A token made from another issuer's token states that token's
 * authentication instant, which the cut-off is compared with (src/engine/check.ts `tokenRef`):
 * made from a token authenticated before the cut-off, it would be revoked as it is issued, yet
 * good to any relying party that only checks its signature. So such a token is refused at every
 * door that takes one — exchange (subject and actor), OnBehalfOf, the issued-token sign-in — and
 * the issuer's token of a newer sign-in is accepted.
 */
import { describe, expect, it } from "vitest";
import { DEV_CONFIG } from "../../src/config/dev.ts";
import { PARTNER, partnerAssertion } from "../helpers/partner.ts";
import { TT } from "../helpers/soap.ts";
import { ORIGIN, call, faultCode, issuedTokenRequest, postSoap } from "../helpers/worker.ts";
import { GATEWAY, IDP, ecIssuerKey, jwtBst, jwtVia, trustWith, workerWith } from "../hostile/configured.ts";
import { API, TX, b64url, es256, exchange, type Fetcher } from "../oauth/helpers.ts";
import { STS_ADMIN, USER_ADMIN } from "../helpers/credentials.ts";


/** Revokes every token of `subject` authenticated before now; resolves once the cut-off has passed. */
async function revokeSubject(subject: string, f: Fetcher = call): Promise<void> {
  const res = await f("/admin/revoke-subject", { method: "POST", headers: { authorization: STS_ADMIN, "content-type": "application/json" }, body: JSON.stringify({ subject }) });
  expect(res.status).toBe(200);
  const cutoff = Date.parse(((await res.json()) as { revoked_before: string }).revoked_before);
  await new Promise((r) => setTimeout(r, Math.max(0, cutoff - Date.now() + 5)));
}

/** An issued-token sign-in (Issue for urn:example:rp) with `assertion` as the requestor's token. */
function signInWith(assertion: string): Promise<{ status: number; text: string }> {
  return postSoap(issuedTokenRequest(assertion));
}

describe("a trusted SAML partner's subject revoked here", () => {
  it("gets no token from the partner's assertion of an earlier sign-in, by exchange or issued-token sign-in; a newer one is good", async () => {
    const who = `zed-${crypto.randomUUID().slice(0, 8)}`;
    const earlier = await partnerAssertion({ subject: who });
    const exchanged = () => exchange({ subject_token: b64url(earlier), subject_token_type: TX.saml2, audience: API });
    expect((await exchanged()).status).toBe(200);
    expect(faultCode((await signInWith(earlier)).text)).toBeUndefined();

    await revokeSubject(`${PARTNER}#${who}`);
    const refused = await exchanged();
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe("invalid_grant");
    expect(refused.json.error_description).toMatch(/revoked/);
    const signIn = await signInWith(earlier);
    expect(faultCode(signIn.text), signIn.text).toBeDefined();
    expect(signIn.text).not.toContain("RequestedSecurityToken");

    const newer = await partnerAssertion({ subject: who });
    expect((await exchange({ subject_token: b64url(newer), subject_token_type: TX.saml2, audience: API })).status).toBe(200);
    expect(faultCode((await signInWith(newer)).text)).toBeUndefined();
  });
});

describe("a trusted JWT issuer's subject revoked here", () => {
  async function setup(localSubjects: boolean) {
    const key = await ecIssuerKey("idp-key-1");
    const f = workerWith({
      ...DEV_CONFIG,
      serviceAccounts: [
        ...(DEV_CONFIG.serviceAccounts ?? []),
        { username: GATEWAY.user, secretHashSecret: "DEV_RP_VALIDATOR_SECRET_HASH", allowedRelyingParties: [API], operations: ["issue"] },
      ],
      trustedIssuers: [{ issuer: IDP, kind: "jwt", jwks: { keys: [key.jwk] }, algorithms: ["ES256"], localSubjects }],
    });
    const idpToken = (sub: string) => {
      const now = Math.floor(Date.now() / 1000);
      // No jti: the issuer need not send one.
      return es256({ alg: "ES256", typ: "JWT", kid: "idp-key-1" }, { iss: IDP, aud: ORIGIN, sub, iat: now, exp: now + 300 }, key.priv);
    };
    return { f, idpToken };
  }

  it("gets no token from the issuer's token of an earlier sign-in: exchange as subject and as actor, OnBehalfOf", async () => {
    const { f, idpToken } = await setup(false);
    const who = `erin-${crypto.randomUUID().slice(0, 8)}`;
    const earlier = await idpToken(who);
    const bob = await jwtVia(f, "bob", "builder");
    const asSubject = (t: string) => exchange({ subject_token: t, subject_token_type: TX.jwt, audience: API }, undefined, f);
    const asActor = (t: string) => exchange({ subject_token: bob, subject_token_type: TX.jwt, actor_token: t, actor_token_type: TX.jwt, audience: API }, undefined, f);
    const onBehalfOf = (t: string) => trustWith(f, { ...GATEWAY, appliesTo: API, tokenType: TT.jwt, extra: `<wst:OnBehalfOf>${jwtBst(t)}</wst:OnBehalfOf>` });
    expect((await asSubject(earlier)).status).toBe(200);
    expect((await asActor(earlier)).status).toBe(200);
    expect((await onBehalfOf(earlier)).fault).toBeUndefined();

    await revokeSubject(`${IDP}#${who}`, f);
    for (const r of [await asSubject(earlier), await asActor(earlier)]) {
      expect(r.status).toBe(400);
      expect(r.json.error).toBe("invalid_grant");
    }
    const obo = await onBehalfOf(earlier);
    expect(obo.fault).toBe("wst:InvalidSecurityToken");
    expect(obo.text).toMatch(/revoked/);

    const newer = await idpToken(who);
    expect((await asSubject(newer)).status).toBe(200);
    expect((await asActor(newer)).status).toBe(200);
    expect((await onBehalfOf(newer)).fault).toBeUndefined();
  });

  it("whose subjects are ours: revoking our user ends what the issuer's earlier tokens of that user could make", async () => {
    const { f, idpToken } = await setup(true);
    const made = await f("/admin/users", {
      method: "POST",
      headers: { authorization: USER_ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ username: `fay-${crypto.randomUUID().slice(0, 8)}`, password: "fay-password-1" }),
    });
    expect(made.status).toBe(201);
    const who = ((await made.json()) as { user: { username: string } }).user.username;
    const earlier = await idpToken(who);
    const exchanged = (t: string) => exchange({ subject_token: t, subject_token_type: TX.jwt, audience: API }, undefined, f);
    expect((await exchanged(earlier)).status).toBe(200);
    await revokeSubject(who, f);
    expect((await exchanged(earlier)).json.error).toBe("invalid_grant");
    expect((await exchanged(await idpToken(who))).status).toBe(200);
  });
});
