/**
 * Credentials presented as a token, as a service forwards those its own callers sent it (Apache
 * CXF's STSTokenValidator validates a UsernameToken or an X.509 BinarySecurityToken so, or asks
 * for a SAML token from a UsernameToken): a wsse:UsernameToken in ValidateTarget, OnBehalfOf or
 * ActAs — its password checked as at sign-in, under the same limits, and only after the caller
 * was allowed to present credentials for that name — and an X.509 certificate in ValidateTarget,
 * answered with whether this STS trusts it.
 */
import { describe, expect, it } from "vitest";
import { DEV_CONFIG } from "../../src/config/dev.ts";
import { NS, TT, envelope } from "../helpers/soap.ts";
import { faultCode, trust } from "../helpers/worker.ts";
import { assertionIn, trustWith, workerWith } from "../hostile/configured.ts";
import { generatedPair } from "../helpers/keys.ts";
import { CA_EXTENSIONS, authority, certificate } from "../helpers/certificates.ts";
import { toBase64 } from "../../src/bytes.ts";
import { seq } from "../../src/keys/asn1.ts";
import ALICE_CERT from "../fixtures/dev-credentials/alice-client.cert.pem?raw";
import DEV_CA_CERT from "../fixtures/dev-credentials/dev-ca.cert.pem?raw";

const WST14 = "http://docs.oasis-open.org/ws-sx/ws-trust/200802";
const PASSWORD_TEXT = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";
const PASSWORD_DIGEST = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
const validator = { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" };
const gatewayCredentials = { user: "gateway", password: "rp-validator-secret-0f1e2d3c4b5a6978" };

/** A UsernameToken as a client's WS-Security library writes it (its own wsse / wsu declarations). */
function usernameToken(username: string, password: string, o: { nonce?: string; created?: string; type?: string } = {}): string {
  return (
    `<wsse:UsernameToken xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}" wsu:Id="UsernameToken-1">` +
    `<wsse:Username>${username}</wsse:Username><wsse:Password Type="${o.type ?? PASSWORD_TEXT}">${password}</wsse:Password>` +
    (o.nonce ? `<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${o.nonce}</wsse:Nonce>` : "") +
    (o.created ? `<wsu:Created>${o.created}</wsu:Created>` : "") +
    `</wsse:UsernameToken>`
  );
}

const statusOf = (text: string) => /<wst:Code>([^<]+)<\/wst:Code>/.exec(text)?.[1];
const reasonOf = (text: string) => /<wst:Reason>([^<]*)<\/wst:Reason>/.exec(text)?.[1];
const validateTarget = (ut: string) => `<wst:ValidateTarget>${ut}</wst:ValidateTarget>`;
const freshNonce = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));

/** The development configuration plus `gateway`, allowed to issue for others at urn:example:rp. */
function gatewayWorker(limits: object = {}) {
  return workerWith({
    ...DEV_CONFIG,
    limits: { ...DEV_CONFIG.limits, ...limits },
    serviceAccounts: [
      ...(DEV_CONFIG.serviceAccounts ?? []),
      { username: "gateway", secretHashSecret: "DEV_RP_VALIDATOR_SECRET_HASH", allowedRelyingParties: ["urn:example:rp"], operations: ["issue"] },
    ],
  });
}

describe("Validate a UsernameToken (status)", () => {
  for (const version of ["13", "2005"] as const) {
    const ns = version === "13" ? NS.t13 : NS.t05;
    it(`a service allowed to validate learns that alice's password is right, and that a wrong one is not (WS-Trust ${version})`, async () => {
      const ask = (ut: string) =>
        trust({ ...validator, trust: version, requestType: "Validate", tokenType: `${ns}/RSTR/Status`, extra: `<wst:ValidateTarget xmlns:wst="${ns}">${ut}</wst:ValidateTarget>` });
      const good = await ask(usernameToken("alice", "wonderland"));
      expect(good.status, good.text.slice(0, 500)).toBe(200);
      expect(statusOf(good.text)).toBe(`${ns}/status/valid`);
      const bad = await ask(usernameToken("alice", "wonderlanD"));
      expect(bad.status).toBe(200);
      expect(statusOf(bad.text)).toBe(`${ns}/status/invalid`);
      expect(bad.text).not.toContain("wonderlanD");
    });
  }

  it("without a TokenType (status is the default), for a directory user as for a configured one", async () => {
    const r = await trust({ ...validator, requestType: "Validate", extra: validateTarget(usernameToken("dave", "directory-pass-1")) });
    expect(statusOf(r.text)).toBe(`${NS.t13}/status/valid`);
  });

  it("an unknown name, and a service account's own secret, are answered as a wrong password", async () => {
    const unknown = await trust({ ...validator, requestType: "Validate", extra: validateTarget(usernameToken("nobody-here", "wonderland")) });
    const service = await trust({ ...validator, requestType: "Validate", extra: validateTarget(usernameToken(validator.user, validator.password)) });
    const wrong = await trust({ ...validator, requestType: "Validate", extra: validateTarget(usernameToken("alice", "nope")) });
    for (const r of [unknown, service, wrong]) {
      expect(statusOf(r.text)).toBe(`${NS.t13}/status/invalid`);
      expect(reasonOf(r.text)).toBe(reasonOf(wrong.text));
    }
  });

  it("a user may check only its own password; a service account without the validate operation none", async () => {
    const own = await trust({ user: "bob", password: "builder", requestType: "Validate", extra: validateTarget(usernameToken("bob", "builder")) });
    expect(statusOf(own.text)).toBe(`${NS.t13}/status/valid`);
    const other = await trust({ user: "bob", password: "builder", requestType: "Validate", extra: validateTarget(usernameToken("alice", "wonderland")) });
    expect(faultCode(other.text)).toBe("wst:RequestFailed");
    const gateway = gatewayWorker();
    const r = await trustWith(gateway, { ...gatewayCredentials, requestType: "Validate", extra: validateTarget(usernameToken("alice", "wonderland")) });
    expect(r.fault).toBe("wst:RequestFailed");
  });

  it("a UsernameToken with a Nonce and Created is accepted once", async () => {
    const ut = usernameToken("alice", "wonderland", { nonce: freshNonce(), created: new Date().toISOString() });
    const first = await trust({ ...validator, requestType: "Validate", extra: validateTarget(ut) });
    expect(statusOf(first.text)).toBe(`${NS.t13}/status/valid`);
    const again = await trust({ ...validator, requestType: "Validate", extra: validateTarget(ut) });
    expect(faultCode(again.text)).toBe("wsse:MessageExpired");
  });

  it("refuses a PasswordDigest, a token created in the future, and a UsernameToken without a password", async () => {
    const digest = await trust({ ...validator, requestType: "Validate", extra: validateTarget(usernameToken("alice", "d2hhdGV2ZXI=", { type: PASSWORD_DIGEST, nonce: freshNonce(), created: new Date().toISOString() })) });
    expect(digest.status).toBeGreaterThanOrEqual(400);
    expect(digest.text).toContain("PasswordDigest is not supported");
    const future = await trust({ ...validator, requestType: "Validate", extra: validateTarget(usernameToken("alice", "wonderland", { created: new Date(Date.now() + 3_600_000).toISOString() })) });
    expect(faultCode(future.text)).toBe("wsse:MessageExpired");
    const bare = `<wsse:UsernameToken xmlns:wsse="${NS.wsse}"><wsse:Username>alice</wsse:Username></wsse:UsernameToken>`;
    const none = await trust({ ...validator, requestType: "Validate", extra: validateTarget(bare) });
    expect(none.status).toBeGreaterThanOrEqual(400);
    expect(none.text).toContain("needs wsse:Username and wsse:Password");
  });

  it("a UsernameToken cannot be renewed or cancelled", async () => {
    for (const kind of ["Renew", "Cancel"] as const) {
      const r = await trust({ ...validator, requestType: kind, extra: `<wst:${kind}Target>${usernameToken("alice", "wonderland")}</wst:${kind}Target>` });
      expect(faultCode(r.text), kind).toBe("wst:InvalidRequest");
      expect(r.text).toContain("cannot be renewed or cancelled");
    }
  });
});

describe("Validate a UsernameToken into a token (transformation)", () => {
  it("a service allowed to issue at the relying party gets alice's SAML 2.0 token, with her claims", async () => {
    const gateway = gatewayWorker();
    const r = await trustWith(gateway, {
      ...gatewayCredentials, requestType: "Validate", tokenType: TT.saml2, appliesTo: "urn:example:rp",
      extra: validateTarget(usernameToken("alice", "wonderland")),
    });
    expect(r.status, r.text.slice(0, 500)).toBe(200);
    const a = assertionIn(r.text)!;
    expect(a).toContain(">alice</saml:NameID>");
    expect(a).toContain("alice@example.com");
    expect(a).toContain("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport");
    expect(a).not.toContain("claims/actor");
  });

  it("needs AppliesTo, the issue right at that relying party, and the right password", async () => {
    const gateway = gatewayWorker();
    const ut = usernameToken("alice", "wonderland");
    const noTarget = await trustWith(gateway, { ...gatewayCredentials, requestType: "Validate", tokenType: TT.saml2, extra: validateTarget(ut) });
    expect(noTarget.fault).toBe("wst:InvalidRequest");
    expect(noTarget.text).toContain("AppliesTo is required");
    const elsewhere = await trustWith(gateway, { ...gatewayCredentials, requestType: "Validate", tokenType: TT.jwt, appliesTo: "https://api.example.com/", extra: validateTarget(ut) });
    expect(elsewhere.fault).toBe("wst:RequestFailed");
    const validateOnly = await trust({ ...validator, requestType: "Validate", tokenType: TT.saml2, appliesTo: "urn:example:rp", extra: validateTarget(ut) });
    expect(faultCode(validateOnly.text)).toBe("wst:RequestFailed");
    const wrong = await trustWith(gateway, { ...gatewayCredentials, requestType: "Validate", tokenType: TT.saml2, appliesTo: "urn:example:rp", extra: validateTarget(usernameToken("alice", "x")) });
    expect(wrong.fault).toBe("wst:FailedAuthentication");
    expect(assertionIn(wrong.text)).toBeUndefined();
  });
});

describe("OnBehalfOf and ActAs a UsernameToken", () => {
  it("OnBehalfOf: alice's token with no actor; ActAs: alice's token with the gateway as actor", async () => {
    const gateway = gatewayWorker();
    const obo = await trustWith(gateway, { ...gatewayCredentials, appliesTo: "urn:example:rp", extra: `<wst:OnBehalfOf>${usernameToken("alice", "wonderland")}</wst:OnBehalfOf>` });
    expect(obo.status, obo.text.slice(0, 500)).toBe(200);
    const a = assertionIn(obo.text)!;
    expect(a).toContain(">alice</saml:NameID>");
    expect(a).not.toContain("claims/actor");
    const actAs = await trustWith(gateway, { ...gatewayCredentials, appliesTo: "urn:example:rp", extra: `<wst14:ActAs xmlns:wst14="${WST14}">${usernameToken("alice", "wonderland")}</wst14:ActAs>` });
    const b = assertionIn(actAs.text)!;
    expect(b).toContain(">alice</saml:NameID>");
    expect(b).toMatch(/claims\/actor"[^>]*><saml:AttributeValue>gateway</);
  });

  it("refuses a wrong password, a caller without the issue right, and another relying party", async () => {
    const gateway = gatewayWorker();
    const obo = (ut: string) => `<wst:OnBehalfOf>${ut}</wst:OnBehalfOf>`;
    const wrong = await trustWith(gateway, { ...gatewayCredentials, appliesTo: "urn:example:rp", extra: obo(usernameToken("alice", "wonderlan")) });
    expect(wrong.fault).toBe("wst:FailedAuthentication");
    expect(assertionIn(wrong.text)).toBeUndefined();
    const validateOnly = await trust({ ...validator, appliesTo: "urn:example:rp", extra: obo(usernameToken("alice", "wonderland")) });
    expect(faultCode(validateOnly.text)).toBe("wst:RequestFailed");
    const otherRp = await trustWith(gateway, { ...gatewayCredentials, appliesTo: "https://api.example.com/", tokenType: TT.jwt, extra: obo(usernameToken("alice", "wonderland")) });
    expect(otherRp.fault).toBe("wst:RequestFailed");
  });

  it("a caller the rule refuses spends no password check and no failure: its UsernameToken's nonce is still unused", async () => {
    const gateway = gatewayWorker();
    const ut = usernameToken("alice", "wonderland", { nonce: freshNonce(), created: new Date().toISOString() });
    const refused = await trust({ ...validator, appliesTo: "urn:example:rp", extra: `<wst:OnBehalfOf>${ut}</wst:OnBehalfOf>` });
    expect(faultCode(refused.text)).toBe("wst:RequestFailed");
    const ok = await trustWith(gateway, { ...gatewayCredentials, appliesTo: "urn:example:rp", extra: `<wst:OnBehalfOf>${ut}</wst:OnBehalfOf>` });
    expect(ok.status, ok.text.slice(0, 400)).toBe(200);
  });
});

describe("failure limits for forwarded credentials", () => {
  // One service forwards every caller's credentials from its one address: were its failures
  // counted as that address's, a few callers' typos (or one sprayer among them) would lock all
  // its other callers out.
  it("count against the name, not against the forwarding service's address", async () => {
    const gateway = gatewayWorker({ maxFailedAuthPerWindow: 1 });
    const send = async (user: string, password: string) => {
      const e = envelope({ ...gatewayCredentials, appliesTo: "urn:example:rp", extra: `<wst:OnBehalfOf>${usernameToken(user, password)}</wst:OnBehalfOf>` });
      const res = await gateway("/trust/13/usernamemixed", { method: "POST", headers: { ...e.headers, "CF-Connecting-IP": "203.0.113.77" }, body: e.body });
      return { status: res.status, text: await res.text() };
    };
    // Eleven names fail once each: past ten times the limit, an address would be refused outright.
    for (let i = 0; i < 11; i++) expect((await send(`nobody-${crypto.randomUUID().slice(0, 8)}`, "guess")).status).not.toBe(200);
    const alice = await send("alice", "wonderland");
    expect(alice.status, alice.text.slice(0, 400)).toBe(200);
    // The name itself is limited: guessing at one name through the service ends in 429.
    const victim = `victim-${crypto.randomUUID().slice(0, 8)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await send(victim, `guess-${i}`)).status);
    expect(statuses).toContain(429);
  });
});

describe("Validate an X.509 certificate (status)", () => {
  const X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
  const B64 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";
  const pemBody = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
  const bst = (base64: string, valueType = X509V3) =>
    `<wsse:BinarySecurityToken xmlns:wsse="${NS.wsse}" ValueType="${valueType}" EncodingType="${B64}">${base64}</wsse:BinarySecurityToken>`;
  const ask = (token: string, who = validator, tokenType = `${NS.t13}/RSTR/Status`) =>
    trust({ ...who, requestType: "Validate", tokenType, extra: validateTarget(token) });

  it("alice-client (issued by the development CA): valid, acting as alice", async () => {
    const r = await ask(bst(pemBody(ALICE_CERT)));
    expect(r.status, r.text.slice(0, 500)).toBe(200);
    expect(statusOf(r.text)).toBe(`${NS.t13}/status/valid`);
    expect(reasonOf(r.text)).toBe("The certificate is trusted and acts as alice.");
  });

  it("a certificate nobody configured issued, the CA's own certificate, and bytes that are no certificate: invalid, with the reason", async () => {
    const { certPem } = await generatedPair(2048, "alice");
    const cases: [string, string][] = [
      [bst(pemBody(certPem)), "no trusted authority issued it"],
      [bst(pemBody(DEV_CA_CERT)), "is a CA certificate"],
      [bst(btoa("not a certificate at all")), "does not hold a readable X.509 certificate"],
    ];
    for (const [token, why] of cases) {
      const r = await ask(token);
      expect(r.status, why).toBe(200);
      expect(statusOf(r.text), why).toBe(`${NS.t13}/status/invalid`);
      expect(reasonOf(r.text), why).toContain(why);
    }
  });

  it("a certificate issued through an intermediate: valid when it comes as an X509PKIPathv1 path with the intermediate (end certificate last), invalid alone or in the wrong order", async () => {
    const root = await authority("Status Root");
    const intermediate = await certificate({ subject: "Status Int", issuer: root, extensions: CA_EXTENSIONS });
    const leaf = await certificate({ subject: "alice", issuer: intermediate });
    const f = workerWith({ ...DEV_CONFIG, requestorCertificates: { authorities: [root.pem], principals: [{ subjectCommonName: "alice", principal: "alice" }] } });
    const PKI_PATH = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509PKIPathv1";
    const pkiPath = (...certs: Uint8Array[]) => bst(toBase64(seq(...certs)), PKI_PATH);
    const askWith = (token: string) => trustWith(f, { ...validator, requestType: "Validate", tokenType: `${NS.t13}/RSTR/Status`, extra: validateTarget(token) });
    const alone = await askWith(bst(toBase64(leaf.der)));
    expect(statusOf(alone.text), alone.text.slice(0, 500)).toBe(`${NS.t13}/status/invalid`);
    expect(reasonOf(alone.text)).toContain("no trusted authority issued it");
    for (const token of [pkiPath(intermediate.der, leaf.der), pkiPath(root.der, intermediate.der, leaf.der)]) {
      const r = await askWith(token);
      expect(statusOf(r.text), r.text.slice(0, 500)).toBe(`${NS.t13}/status/valid`);
      expect(reasonOf(r.text)).toBe("The certificate is trusted and acts as alice.");
    }
    const reversed = await askWith(pkiPath(leaf.der, intermediate.der));
    expect(statusOf(reversed.text)).toBe(`${NS.t13}/status/invalid`);
    const garbage = await askWith(bst(btoa("not a path"), PKI_PATH));
    expect(reasonOf(garbage.text)).toContain("does not hold a readable X509PKIPathv1 certificate path");
  });

  it("where no requestor certificates are configured, every certificate is invalid", async () => {
    const { requestorCertificates: _, ...config } = DEV_CONFIG as typeof DEV_CONFIG & { requestorCertificates?: unknown };
    const r = await trustWith(workerWith(config), { ...validator, requestType: "Validate", extra: validateTarget(bst(pemBody(ALICE_CERT))) });
    expect(statusOf(r.text)).toBe(`${NS.t13}/status/invalid`);
    expect(reasonOf(r.text)).toContain("trusts no requestor certificates");
  });

  it("only a service account with the validate operation may ask", async () => {
    const r = await ask(bst(pemBody(ALICE_CERT)), { user: "alice", password: "wonderland" });
    expect(faultCode(r.text)).toBe("wst:RequestFailed");
    const gateway = await trustWith(gatewayWorker(), { ...gatewayCredentials, requestType: "Validate", extra: validateTarget(bst(pemBody(ALICE_CERT))) });
    expect(gateway.fault).toBe("wst:RequestFailed");
  });

  it("a certificate is never turned into a token: transformation, OnBehalfOf, ActAs, Renew and Cancel refuse it", async () => {
    const cert = bst(pemBody(ALICE_CERT));
    const gateway = gatewayWorker();
    const attempts = [
      await trustWith(gateway, { ...gatewayCredentials, requestType: "Validate", tokenType: TT.saml2, appliesTo: "urn:example:rp", extra: validateTarget(cert) }),
      await trustWith(gateway, { ...gatewayCredentials, appliesTo: "urn:example:rp", extra: `<wst:OnBehalfOf>${cert}</wst:OnBehalfOf>` }),
      await trustWith(gateway, { ...gatewayCredentials, appliesTo: "urn:example:rp", extra: `<wst14:ActAs xmlns:wst14="${WST14}">${cert}</wst14:ActAs>` }),
      await trustWith(gateway, { ...validator, requestType: "Renew", extra: `<wst:RenewTarget>${cert}</wst:RenewTarget>` }),
      await trustWith(gateway, { ...validator, requestType: "Cancel", extra: `<wst:CancelTarget>${cert}</wst:CancelTarget>` }),
    ];
    for (const r of attempts) {
      expect(r.fault, r.text.slice(0, 300)).toBe("wst:InvalidRequest");
      expect(r.text).toContain("can only be validated");
      expect(assertionIn(r.text)).toBeUndefined();
    }
  });

  it("a BinarySecurityToken that is not base64, or not Base64Binary, is a clear fault", async () => {
    const notB64 = await ask(bst("***"));
    expect(faultCode(notB64.text)).toBe("wst:InvalidRequest");
    const hex = await ask(bst(pemBody(ALICE_CERT)).replace(B64, "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#HexBinary"));
    expect(faultCode(hex.text)).toBe("wst:InvalidRequest");
    expect(hex.text).toContain("Base64Binary");
  });
});
