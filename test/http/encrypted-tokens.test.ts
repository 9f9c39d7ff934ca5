/**
 * Tokens for urn:example:secure-rp (development configuration) are encrypted for its published
 * key: signed first, then encrypted, so the relying party decrypts and then verifies our signature.
 */
import { describe, expect, it } from "vitest";
import { compactDecrypt } from "jose";
import { NS, TT } from "../helpers/soap.ts";
import { byTag, call, faultCode, trust } from "../helpers/worker.ts";
import { KeyRing } from "../../src/keys/keyring.ts";
import { DEV_KEY_MATERIALS } from "../../src/config/dev-keys.ts";
import { verifyEnveloped } from "../../src/xmldsig/verify.ts";
import { decryptElement } from "../../src/xmlenc/decrypt.ts";
import { AES256_GCM, RSA_OAEP_MGF1P } from "../../src/xmlenc/algorithms.ts";
import { TX, exchange, jwtFromTrust, post, unb64url, verifyWithJwks } from "../oauth/helpers.ts";
import { SECURE_RP_KEY, XENC, rootOf, secureRp, text } from "../xmlenc/helpers.ts";

const SECURE = "urn:example:secure-rp";
const alice = { user: "alice", password: "wonderland", appliesTo: SECURE };

/** Decrypts an EncryptedData with the dev RP key and checks the assertion inside verifies with our keys. */
async function openAndVerify(encryptedData: string, samlNs: string): Promise<string> {
  const { key } = await secureRp();
  const { plaintext } = await decryptElement(rootOf(encryptedData), key);
  const assertion = text(plaintext);
  const root = rootOf(assertion);
  expect(root.namespaceURI).toBe(samlNs);
  expect(root.localName).toBe("Assertion");
  const ring = await KeyRing.load(DEV_KEY_MATERIALS);
  expect((await verifyEnveloped(root, { keys: ring.all() })).ok).toBe(true);
  return assertion;
}

function cut(all: string, ns: string, local: string): string {
  const m = new RegExp(`<(\\w+):${local} xmlns:\\1="${ns.replace(/[.:#/]/g, (c) => "\\" + c)}"[\\s\\S]*?</\\1:${local}>`).exec(all);
  expect(m).not.toBeNull();
  return m![0];
}

describe("encrypted tokens for urn:example:secure-rp", () => {
  for (const soap of ["1.1", "1.2"] as const) {
    for (const t of ["13", "2005"] as const) {
      it(`SAML 2.0 (its default) is a saml:EncryptedAssertion, AES-256-GCM + RSA-OAEP-MGF1P; SOAP ${soap}, WS-Trust ${t}`, async () => {
        const r = await trust({ ...alice, soap, trust: t });
        expect(r.status).toBe(200);
        const tns = t === "13" ? NS.t13 : NS.t05;
        const rst = byTag(r.doc, tns, "RequestedSecurityToken")[0]!;
        expect(byTag(rst, NS.saml2, "Assertion")).toHaveLength(0);
        expect(byTag(rst, NS.saml2, "EncryptedAssertion")).toHaveLength(1);
        expect(r.text).not.toContain("alice@example.com");
        expect(byTag(rst, XENC, "EncryptionMethod").map((e) => e.getAttribute("Algorithm"))).toEqual([AES256_GCM, RSA_OAEP_MGF1P]);
        const assertion = await openAndVerify(cut(r.text, XENC, "EncryptedData"), NS.saml2);
        expect(assertion).toContain("alice@example.com");
        // The references still name the (inner) assertion, as WCF expects.
        const id = rootOf(assertion).getAttribute("ID")!;
        const refs = byTag(r.doc, tns, "RequestedAttachedReference").concat(byTag(r.doc, tns, "RequestedUnattachedReference"));
        expect(refs).toHaveLength(2);
        for (const ref of refs) expect(ref.textContent).toBe(id);
      });

      it(`SAML 1.1 is an xenc:EncryptedData in RequestedSecurityToken; SOAP ${soap}, WS-Trust ${t}`, async () => {
        const r = await trust({ ...alice, soap, trust: t, tokenType: TT.saml1 });
        expect(r.status).toBe(200);
        const tns = t === "13" ? NS.t13 : NS.t05;
        const rst = byTag(r.doc, tns, "RequestedSecurityToken")[0]!;
        expect(byTag(rst, NS.saml1, "Assertion")).toHaveLength(0);
        const ed = byTag(rst, XENC, "EncryptedData");
        expect(ed).toHaveLength(1);
        expect(ed[0]!.parentNode).toBe(rst);
        const assertion = await openAndVerify(cut(r.text, XENC, "EncryptedData"), NS.saml1);
        const id = rootOf(assertion).getAttribute("AssertionID")!;
        expect(byTag(r.doc, tns, "RequestedAttachedReference")[0]!.textContent).toBe(id);
      });
    }
  }

  it("a JWT over WS-Trust is a nested JWE (RSA-OAEP-256, A256GCM, cty JWT) whose JWT verifies with our JWKS", async () => {
    const r = await trust({ ...alice, tokenType: TT.jwt });
    expect(r.status).toBe(200);
    const bst = byTag(r.doc, "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd", "BinarySecurityToken")[0]!;
    const jwe = atob(bst.textContent!);
    expect(jwe.split(".")).toHaveLength(5);
    await expectNestedJwt(jwe);
  });

  it("token exchange to secure-rp returns the encrypted form: SAML base64url, JWT as JWE; issued_token_type unchanged", async () => {
    const subject = await jwtFromTrust();
    const saml = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: SECURE });
    expect(saml.status).toBe(200);
    expect(saml.json.issued_token_type).toBe(TX.saml2);
    const xml = unb64url(saml.json.access_token as string);
    expect(xml.startsWith(`<saml:EncryptedAssertion xmlns:saml="${NS.saml2}">`)).toBe(true);
    await openAndVerify(cut(xml, XENC, "EncryptedData"), NS.saml2);

    const jwt = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: SECURE, requested_token_type: TX.jwt });
    expect(jwt.status).toBe(200);
    expect(jwt.json.issued_token_type).toBe(TX.jwt);
    const inner = await expectNestedJwt(jwt.json.access_token as string);
    // Introspection (demo-client is secure-rp's resource server): the decrypted JWT is active;
    // the JWE, which we cannot open, is not.
    expect((await post("/oauth2/introspect", { token: inner })).json).toMatchObject({ active: true, aud: SECURE, sub: "bob" });
    expect((await post("/oauth2/introspect", { token: jwt.json.access_token as string })).json).toEqual({ active: false });
  });

  it("an encrypted token presented for exchange is refused with a clear error (only the RP can decrypt it)", async () => {
    const subject = await jwtFromTrust();
    const jwe = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: SECURE, requested_token_type: TX.jwt });
    const again = await exchange({ subject_token: jwe.json.access_token as string, subject_token_type: TX.jwt, audience: "urn:example:rp" });
    expect(again.status).toBe(400);
    expect(again.json).toMatchObject({ error: "invalid_grant", error_description: expect.stringContaining("encrypted for its relying party") });
    const saml = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: SECURE });
    const again2 = await exchange({ subject_token: saml.json.access_token as string, subject_token_type: TX.saml2, audience: "urn:example:rp" });
    expect(again2.status).toBe(400);
    expect(again2.json.error_description).toContain("encrypted for its relying party");
  });

  it("revocation of the encrypted form (all the client holds) is unsupported_token_type, never a 200 that revokes nothing", async () => {
    const subject = await jwtFromTrust();
    const jwe = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: SECURE, requested_token_type: TX.jwt });
    const saml = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: SECURE });
    for (const token of [jwe.json.access_token as string, saml.json.access_token as string]) {
      const r = await post("/oauth2/revoke", { token });
      expect([r.status, r.json.error]).toEqual([400, "unsupported_token_type"]);
      expect(r.json.error_description).toContain("encrypted for its relying party");
    }
    // The token inside is live still, and is revoked when presented.
    const inner = await expectNestedJwt(jwe.json.access_token as string);
    expect((await post("/oauth2/introspect", { token: inner })).json.active).toBe(true);
    expect((await post("/oauth2/revoke", { token: inner })).status).toBe(200);
    expect((await post("/oauth2/introspect", { token: inner })).json).toEqual({ active: false });
  });

  it("Validate, Renew and Cancel work on the decrypted token; the encrypted form gets a clear InvalidRequest fault", async () => {
    const validator = { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" };
    const r = await trust(alice);
    const encrypted = cut(r.text, NS.saml2, "EncryptedAssertion");
    const assertion = await openAndVerify(cut(encrypted, XENC, "EncryptedData"), NS.saml2);
    const status = `${NS.t13}/RSTR/Status`;
    const ok = await trust({ ...validator, requestType: "Validate", tokenType: status, extra: `<wst:ValidateTarget>${assertion}</wst:ValidateTarget>` });
    expect(ok.text).toContain(`<wst:Code>${NS.t13}/status/valid</wst:Code>`);
    // A renewed token for secure-rp is encrypted again.
    const renewed = await trust({ ...validator, requestType: "Renew", tokenType: TT.saml2, extra: `<wst:RenewTarget>${assertion}</wst:RenewTarget>` });
    expect(renewed.status).toBe(200);
    expect(byTag(renewed.doc, NS.saml2, "EncryptedAssertion")).toHaveLength(1);
    expect(byTag(renewed.doc, NS.saml2, "Assertion")).toHaveLength(0);
    const bad = await trust({ ...validator, requestType: "Validate", tokenType: status, extra: `<wst:ValidateTarget>${encrypted}</wst:ValidateTarget>` });
    expect(bad.status).toBe(400);
    expect(faultCode(bad.text)).toContain("InvalidRequest");
    expect(bad.text).toContain("encrypted for its relying party");
    const cancelled = await trust({ ...validator, requestType: "Cancel", extra: `<wst:CancelTarget>${assertion}</wst:CancelTarget>` });
    expect(cancelled.text).toContain("RequestedTokenCancelled");
  });
});

/** Checks the JWE's header, decrypts it with the dev RP key, verifies the JWT inside; returns that JWT. */
async function expectNestedJwt(jwe: string): Promise<string> {
  const header = JSON.parse(unb64url(jwe.split(".")[0]!)) as Record<string, unknown>;
  expect(header).toMatchObject({ alg: "RSA-OAEP-256", enc: "A256GCM", cty: "JWT" });
  const der = Uint8Array.from(atob(SECURE_RP_KEY.replace(/-----[^-]+-----|\s/g, "")), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("pkcs8", der, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["decrypt"]);
  const { plaintext } = await compactDecrypt(jwe, key);
  const inner = new TextDecoder().decode(plaintext);
  const jwks = (await (await call("/oauth2/jwks")).json()) as { keys: JsonWebKey[] };
  expect(await verifyWithJwks(inner, jwks)).toBe(true);
  const payload = JSON.parse(unb64url(inner.split(".")[1]!)) as Record<string, unknown>;
  expect(payload.aud).toBe(SECURE);
  return inner;
}
