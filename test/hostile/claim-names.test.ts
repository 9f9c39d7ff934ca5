/**
 * Claim names that plain JavaScript objects already have as properties (`constructor`,
 * `toString`, `hasOwnProperty`, `valueOf`) are claims like any other: a user holding them signs
 * in, gets a token that carries them, and that token validates, exchanges and is read back —
 * never a 500 and never a token the STS itself then refuses. And claim types that relying
 * parties' frameworks make from a token's protocol elements (the subject, the sign-in method)
 * are no user's to hold.
 */
import { describe, expect, it } from "vitest";
import { TT } from "../helpers/soap.ts";
import { call, trust } from "../helpers/worker.ts";
import { partnerAssertion } from "../helpers/partner.ts";
import { API, TX, b64url, exchange, jwtParts } from "../oauth/helpers.ts";
import { exchangeSubject, validateStatus, STATUS_VALID } from "./helpers.ts";
import { USER_ADMIN as ADMIN } from "../helpers/credentials.ts";

const NAMES = ["constructor", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf"];

function createUser(username: string, claims: Record<string, unknown>): Promise<Response> {
  return call("/admin/users", {
    method: "POST",
    headers: { authorization: ADMIN, "content-type": "application/json" },
    body: JSON.stringify({ username, password: "correct-horse-1", claims }),
  });
}

const assertionOf = (text: string) => /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(text)?.[0];

describe("a user whose claims are named like Object.prototype's properties", () => {
  it("signs in for a party with claim rules and one without; the token validates and exchanges", async () => {
    const name = `proto-${crypto.randomUUID().slice(0, 8)}`;
    const claims = Object.fromEntries(NAMES.map((n) => [n, `${n}-value`]));
    expect((await createUser(name, { ...claims, email: `${name}@example.org` })).status).toBe(201);
    for (const appliesTo of ["urn:example:rp", "https://api.example.com/"]) {
      const r = await trust({ user: name, password: "correct-horse-1", appliesTo, tokenType: TT.saml2 });
      expect(r.status, `${appliesTo}: ${r.text.slice(0, 300)}`).toBe(200);
      const a = assertionOf(r.text)!;
      expect(a, appliesTo).toContain(`${name}@example.org`);
      const v = await validateStatus(a);
      expect(v.code, `${appliesTo}: ${v.fault ?? ""}`).toBe(STATUS_VALID);
      const x = await exchangeSubject(a, "saml2");
      expect([x.status, x.error], appliesTo).toEqual([200, undefined]);
    }
    // The party without rules releases every claim: each one is in the token under its name.
    const r = await trust({ user: name, password: "correct-horse-1", appliesTo: "https://api.example.com/", tokenType: TT.saml2 });
    for (const n of NAMES) expect(assertionOf(r.text)).toContain(`${n}-value`);
  });
});

/** Why the admin API refuses a user holding this one claim (a 400 invalid_request). */
async function refusal(name: string): Promise<string> {
  const res = await createUser(`pe-${crypto.randomUUID().slice(0, 8)}`, { [name]: "x" });
  const body = (await res.json()) as { error: string; error_description: string };
  expect([res.status, body.error], name).toEqual([400, "invalid_request"]);
  return body.error_description;
}

describe("claim types made from a token's protocol elements", () => {
  it("are refused as a user's claims, naming the claim", async () => {
    for (const uri of [
      "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier",
      "http://schemas.microsoft.com/ws/2008/06/identity/claims/authenticationmethod",
      "http://schemas.microsoft.com/ws/2008/06/identity/claims/authenticationinstant",
      "http://schemas.microsoft.com/claims/authnmethodsreferences",
      "amr",
      "acr",
    ]) {
      expect(await refusal(uri), uri).toContain(uri);
    }
  });

  // .NET's JWT handlers map these names on reading to the actor, nameidentifier, scope and
  // authenticationmethod claim types (JwtSecurityTokenHandler.DefaultInboundClaimTypeMap).
  it("are never carried from a partner into a JWT under the short names .NET reads as them", async () => {
    const claims = { email: ["carol@partner.example"], actort: ["evil-service"], nameid: ["alice"], scp: ["admin.all"], authmethod: ["urn:x509"] };
    const r = await exchange({ subject_token: b64url(await partnerAssertion({ claims })), subject_token_type: TX.saml2, audience: API, requested_token_type: TX.jwt });
    expect(r.status).toBe(200);
    const payload = jwtParts(r.json.access_token as string).payload;
    expect(payload.email).toBe("carol@partner.example");
    for (const name of ["actort", "nameid", "scp", "authmethod"]) expect(payload[name], name).toBeUndefined();
    for (const name of ["actort", "scp"]) expect(await refusal(name), name).toContain("is reserved");
  });

  it("are refused in any letter case, as relying parties compare claim types ignoring it", async () => {
    for (const uri of [
      "HTTP://SCHEMAS.XMLSOAP.ORG/ws/2005/05/identity/claims/nameidentifier",
      "http://schemas.microsoft.com/ws/2008/06/identity/claims/AuthenticationMethod",
      "http://schemas.xmlsoap.org/ws/2009/09/identity/claims/Actor",
      "HTTP://schemas.microsoft.com/identity/claims/scope",
      "URN:EDGE-STS:CLAIMS/CLIENT_ID",
      "Sub",
      // Java's equalsIgnoreCase folds the long s to s, as upper-casing does.
      "\u017Fcope",
    ]) {
      expect(await refusal(uri), uri).toContain("is reserved");
    }
  });
});
