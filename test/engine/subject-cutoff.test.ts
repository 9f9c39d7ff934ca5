/**
 * A subject-wide revocation (src/engine/check.ts `tokenRef`) ends every token that stems from an
 * authentication before its cut-off, also one minted after it: a Renew (or an exchange) that
 * checked its source token in the moment between the cut-off and the revocation's write mints
 * its token after the cut-off, from a session the revocation was meant to end.
 */
import { describe, expect, it } from "vitest";
import { TT } from "../helpers/soap.ts";
import { call, trust } from "../helpers/worker.ts";
import { STATUS_INVALID, STATUS_VALID, validateStatus } from "../hostile/helpers.ts";
import { STS_ADMIN, USER_ADMIN as USERS } from "../helpers/credentials.ts";

const json = (authorization: string, body: unknown) => ({ method: "POST", headers: { authorization, "content-type": "application/json" }, body: JSON.stringify(body) });
const assertionOf = (text: string) => /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(text)?.[0];
const instant = (token: string, attr: "IssueInstant" | "AuthnInstant") => new RegExp(`${attr}="([^"]+)"`).exec(token)![1]!;

describe("a subject-wide revocation", () => {
  it("ends a token renewed after its cut-off from a sign-in before it; a fresh sign-in after it is good", async () => {
    const name = `cutoff-${crypto.randomUUID().slice(0, 8)}`;
    expect((await call("/admin/users", json(USERS, { username: name, password: "cutoff-password-1" }))).status).toBe(201);
    const signIn = async () => assertionOf((await trust({ user: name, password: "cutoff-password-1", appliesTo: "urn:example:rp", tokenType: TT.saml2 })).text)!;
    const first = await signIn();
    await new Promise((r) => setTimeout(r, 20));
    const renewed = assertionOf((await trust({ user: name, password: "cutoff-password-1", requestType: "Renew", extra: `<wst:RenewTarget>${first}</wst:RenewTarget>` })).text)!;
    expect(renewed).toBeDefined();
    // The renewal was minted after the sign-in it stems from.
    const cutoff = instant(renewed, "IssueInstant");
    expect(Date.parse(instant(renewed, "AuthnInstant"))).toBeLessThan(Date.parse(cutoff));

    // The cut-off falls exactly on the renewal's issue time: it was not minted before it, but
    // its session was.
    const res = await call("/admin/revoke-subject", json(STS_ADMIN, { subject: name, before: cutoff }));
    expect(res.status).toBe(200);
    expect((await validateStatus(first)).code).toBe(STATUS_INVALID);
    expect((await validateStatus(renewed)).code).toBe(STATUS_INVALID);
    expect((await validateStatus(await signIn())).code).toBe(STATUS_VALID);
  });

  it("by a name in another case, Unicode form or with white space at its ends, ends the tokens of the account it looks like, and says so", async () => {
    const name = `zo\u00eb-${crypto.randomUUID().slice(0, 8)}`;
    expect((await call("/admin/users", json(USERS, { username: name, password: "cutoff-password-1" }))).status).toBe(201);
    const token = assertionOf((await trust({ user: name, password: "cutoff-password-1", appliesTo: "urn:example:rp", tokenType: TT.saml2 })).text)!;
    expect((await validateStatus(token)).code).toBe(STATUS_VALID);
    const typed = ` ${name.toUpperCase().normalize("NFD")} `;
    const res = await call("/admin/revoke-subject", json(STS_ADMIN, { subject: typed }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ subject: typed, account: name });
    expect((await validateStatus(token)).code).toBe(STATUS_INVALID);
    // A name that looks like no account is revoked as it is, and the answer names no account.
    const nobody = `nobody-${crypto.randomUUID().slice(0, 8)}`;
    const other = await call("/admin/revoke-subject", json(STS_ADMIN, { subject: nobody }));
    expect(Object.keys((await other.json()) as object).sort()).toEqual(["revoked_before", "subject"]);
  });
});
