import { describe, expect, it } from "vitest";
import { TT } from "../helpers/soap.ts";
import { faultCode, trust } from "../helpers/worker.ts";
import { API, TX, jwtFromTrust, jwtParts, post } from "./helpers.ts";
import { exchangeWithDpop, proof, proofKey } from "./dpop-helpers.ts";

const validator = { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" };

/** A DPoP-bound access token for bob, bound to `k`. */
async function boundToken(k: Awaited<ReturnType<typeof proofKey>>): Promise<string> {
  const r = await exchangeWithDpop({ subject_token: await jwtFromTrust() }, await proof(k));
  expect(r.status).toBe(200);
  return r.json.access_token as string;
}

const bst = (jwt: string) =>
  `<wsse:BinarySecurityToken xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" ValueType="${TT.jwt}" EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${btoa(jwt)}</wsse:BinarySecurityToken>`;

describe("DPoP (RFC 9449) at the token endpoint", () => {
  for (const alg of ["ES256", "ES384", "ES512", "RS256", "PS256", "EdDSA"]) {
    it(`binds the issued token to a ${alg} proof key: cnf.jkt is its thumbprint, token_type DPoP`, async () => {
      const k = await proofKey(alg);
      const r = await exchangeWithDpop({ subject_token: await jwtFromTrust() }, await proof(k));
      expect(r.status).toBe(200);
      expect(r.json.token_type).toBe("DPoP");
      expect(r.json.issued_token_type).toBe(TX.at);
      const { payload } = jwtParts(r.json.access_token as string);
      expect(payload.cnf).toEqual({ jkt: k.jkt });
      expect(payload.sub).toBe("bob");
    });
  }

  it("binds a plain JWT (not only access tokens) too", async () => {
    const k = await proofKey();
    const r = await exchangeWithDpop({ subject_token: await jwtFromTrust(), requested_token_type: TX.jwt }, await proof(k));
    expect(r.status).toBe(200);
    expect(r.json.token_type).toBe("DPoP");
    expect(jwtParts(r.json.access_token as string).payload.cnf).toEqual({ jkt: k.jkt });
  });

  it("without a DPoP header nothing changes: a Bearer token without cnf", async () => {
    const r = await exchangeWithDpop({ subject_token: await jwtFromTrust() }, undefined);
    expect(r.status).toBe(200);
    expect(r.json.token_type).toBe("Bearer");
    expect(jwtParts(r.json.access_token as string).payload.cnf).toBeUndefined();
  });

  it("accepts htu with another case of scheme, dot segments, a query and a fragment (RFC 9449 §4.3)", async () => {
    const k = await proofKey();
    for (const htu of ["HTTP://127.0.0.1:8787/oauth2/token?x=1#f", "http://127.0.0.1:8787/oauth2/x/../token"]) {
      const r = await exchangeWithDpop({ subject_token: await jwtFromTrust() }, await proof(k, { htu }));
      expect([r.status, r.json.token_type]).toEqual([200, "DPoP"]);
    }
  });

  it("accepts htu with unreserved characters percent-encoded, in either case of hex (RFC 3986 §6.2.2.2)", async () => {
    const k = await proofKey();
    for (const htu of ["http://127.0.0.1:8787/oauth2/%74oken", "http://127.0.0.1:8787/%6f%61uth2/tok%65%6E", "http://127.0.0.1:8787/%6F%61uth2/token"]) {
      const r = await exchangeWithDpop({ subject_token: await jwtFromTrust() }, await proof(k, { htu }));
      expect([r.status, r.json.token_type]).toEqual([200, "DPoP"]);
    }
  });

  it("accepts an iat with a fraction of a second (an RFC 7519 §2 NumericDate), once", async () => {
    const k = await proofKey();
    const p = await proof(k, { iat: Date.now() / 1000 - 0.25 });
    const r = await exchangeWithDpop({ subject_token: await jwtFromTrust() }, p);
    expect([r.status, r.json.token_type]).toEqual([200, "DPoP"]);
    expect(jwtParts(r.json.access_token as string).payload.cnf).toEqual({ jkt: k.jkt });
    const again = await exchangeWithDpop({ subject_token: await jwtFromTrust() }, p);
    expect([again.status, again.json.error]).toEqual([400, "invalid_dpop_proof"]);
  });

  it("introspection shows cnf.jkt and token_type DPoP for a bound token; revocation still works", async () => {
    const k = await proofKey();
    const tok = await boundToken(k);
    const i = await post("/oauth2/introspect", { token: tok });
    expect(i.json).toMatchObject({ active: true, token_type: "DPoP", cnf: { jkt: k.jkt }, sub: "bob" });
    const bearer = (await exchangeWithDpop({ subject_token: await jwtFromTrust() }, undefined)).json.access_token as string;
    const ib = await post("/oauth2/introspect", { token: bearer });
    expect(ib.json.token_type).toBe("Bearer");
    expect(ib.json.cnf).toBeUndefined();
    expect((await post("/oauth2/revoke", { token: tok })).status).toBe(200);
    expect((await post("/oauth2/introspect", { token: tok })).json).toEqual({ active: false });
  });

  it("exchanges a bound subject token with a proof from the same key, never with another key or none", async () => {
    const k = await proofKey();
    const tok = await boundToken(k);
    const ok = await exchangeWithDpop({ subject_token: tok, subject_token_type: TX.at }, await proof(k));
    expect(ok.status).toBe(200);
    expect(jwtParts(ok.json.access_token as string).payload.cnf).toEqual({ jkt: k.jkt });
    const other = await exchangeWithDpop({ subject_token: tok, subject_token_type: TX.at }, await proof(await proofKey()));
    expect(other.status).toBe(400);
    expect(other.json.error).toBe("invalid_dpop_proof");
    expect(other.json.error_description).toMatch(/not made with the key the subject_token is bound to/);
    const none = await exchangeWithDpop({ subject_token: tok, subject_token_type: TX.at }, undefined);
    expect(none.status).toBe(400);
    expect(none.json.error).toBe("invalid_dpop_proof");
    expect(none.json.error_description).toMatch(/subject_token is DPoP-bound/);
  });

  it("a bound actor token needs a proof from its key too", async () => {
    const k = await proofKey();
    const actor = await boundToken(k);
    const subject = await jwtFromTrust("alice", "wonderland");
    const r = await exchangeWithDpop({ subject_token: subject, actor_token: actor, actor_token_type: TX.at }, undefined);
    expect([r.status, r.json.error]).toEqual([400, "invalid_dpop_proof"]);
    expect(r.json.error_description).toMatch(/actor_token is DPoP-bound/);
  });

  it("refuses DPoP for a SAML token with a clear invalid_request", async () => {
    const k = await proofKey();
    const r = await exchangeWithDpop({ subject_token: await jwtFromTrust(), audience: "urn:example:rp", requested_token_type: TX.saml2 }, await proof(k));
    expect(r.status).toBe(400);
    expect(r.json.error).toBe("invalid_request");
    expect(r.json.error_description).toMatch(/DPoP binding is for JWT tokens/);
  });

  it("RFC 8414 metadata lists dpop_signing_alg_values_supported, asymmetric only", async () => {
    const m = (await (await import("../helpers/worker.ts")).call("/.well-known/oauth-authorization-server").then((r) => r.json())) as Record<string, unknown>;
    expect(m.dpop_signing_alg_values_supported).toEqual(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]);
  });
});

describe("DPoP-bound tokens over WS-Trust", () => {
  it("Validate reports a bound token valid; Renew without a message signed by its key is refused", async () => {
    const k = await proofKey();
    const tok = await boundToken(k);
    const v = await trust({ ...validator, requestType: "Validate", tokenType: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/Status", extra: `<wst:ValidateTarget>${bst(tok)}</wst:ValidateTarget>` });
    expect(/<wst:Code>([^<]+)<\/wst:Code>/.exec(v.text)?.[1]).toBe("http://docs.oasis-open.org/ws-sx/ws-trust/200512/status/valid");
    // A renewal would hand out a fresh token bound to a key the requestor never proved.
    const r = await trust({ ...validator, requestType: "Renew", extra: `<wst:RenewTarget>${bst(tok)}</wst:RenewTarget>` });
    expect(faultCode(r.text)).toBe("wst:InvalidRequest");
    expect(r.text).toContain("The token to renew is bound to a key: a renewal needs the request signed with that key");
    expect(r.text).not.toContain("RequestedSecurityToken");
  });

  it("OnBehalfOf with a bound token is refused: WS-Trust cannot carry the proof", async () => {
    const tok = await boundToken(await proofKey());
    const r = await trust({ user: "alice", password: "wonderland", appliesTo: API, tokenType: TT.jwt, extra: `<wst:OnBehalfOf>${bst(tok)}</wst:OnBehalfOf>` });
    expect(r.status).toBe(400); // a sender fault
    expect(faultCode(r.text)).toBe("wst:InvalidRequest");
    expect(r.text).toMatch(/bound to a DPoP key; WS-Trust cannot carry a DPoP proof/);
    expect(r.text).not.toContain("BinarySecurityToken ValueType");
  });

  it("ActAs and Validate-transformation refuse a bound token the same way", async () => {
    const tok = await boundToken(await proofKey());
    const actAs = await trust({ user: "alice", password: "wonderland", appliesTo: API, tokenType: TT.jwt, extra: `<wst14:ActAs xmlns:wst14="http://docs.oasis-open.org/ws-sx/ws-trust/200802">${bst(tok)}</wst14:ActAs>` });
    expect(faultCode(actAs.text)).toBe("wst:InvalidRequest");
    expect(actAs.text).toMatch(/ActAs token is bound to a DPoP key/);
    const t = await trust({ user: "bob", password: "builder", requestType: "Validate", tokenType: TT.jwt, extra: `<wst:ValidateTarget>${bst(tok)}</wst:ValidateTarget>` });
    expect(faultCode(t.text)).toBe("wst:InvalidRequest");
    expect(t.text).toMatch(/token to transform is bound to a DPoP key/);
  });
});
