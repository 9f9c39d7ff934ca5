// Request builders for the benchmark scenarios (black-box: the wire format as the CLI client
// sends it, not src/ builders).
import { readFileSync } from "node:fs";
import { TOKEN_TYPES, TRUST, buildTrustRequest } from "../cli/envelope.mjs";
import { buildSignedRequest } from "../cli/sign.mjs";

export const TT = {
  saml2: TOKEN_TYPES.saml2,
  jwt: TOKEN_TYPES.jwt,
  status: `${TRUST[13].ns}/RSTR/Status`,
};
export const TX = {
  grant: "urn:ietf:params:oauth:grant-type:token-exchange",
  jwt: "urn:ietf:params:oauth:token-type:jwt",
  saml2: "urn:ietf:params:oauth:token-type:saml2",
  at: "urn:ietf:params:oauth:token-type:access_token",
};
export const USERS = {
  alice: { user: "alice", password: "wonderland" },
  bob: { user: "bob", password: "builder" },
  validator: { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" },
};
export const RP = "urn:example:rp";
export const API = "https://api.example.com/";
/** Receives every token encrypted (src/config/dev.ts). */
export const SECURE_RP = "urn:example:secure-rp";
/** Pairwise subjects (src/config/dev.ts): JWTs name a pseudonym of the user. */
export const PAIRWISE_API = "https://pairwise-api.example.com/";
export const DEMO_BASIC = "Basic " + Buffer.from("demo-client:demo-secret").toString("base64");

/**
 * A SOAP 1.2 WS-Trust 1.3 RST with a UsernameToken (PasswordText), built by the CLI client's
 * envelope builder (scripts/cli/envelope.mjs). The Timestamp is valid for 30 minutes so one
 * body can be replayed by the load generator for the whole run (no Nonce: a Nonce would be
 * refused as a replay, by design). `target` is a token for Validate / Renew / Cancel.
 */
export function rst({ user, password, requestType = "Issue", tokenType, appliesTo, target }) {
  const path = "/trust/13/usernamemixed";
  const req = buildTrustRequest({
    to: `http://127.0.0.1${path}`,
    username: user,
    password,
    requestType,
    tokenType,
    appliesTo,
    target,
    soap: "1.2",
    trust: "13",
    ttlSeconds: 1800,
  });
  return { method: "POST", path, headers: req.headers, body: req.body };
}

/**
 * A bearer SAML 2.0 assertion from the development federation partner (urn:example:partner-idp,
 * its published key), for `audience` (the STS's issuer: its origin in development), valid for an
 * hour, signed by our signer (src/, imported directly — Node 22 strips the types).
 */
export async function partnerAssertion(audience) {
  const { readFileSync } = await import("node:fs");
  const { KeyRing } = await import("../../src/keys/keyring.ts");
  const { buildSaml2Assertion } = await import("../../src/saml/saml2.ts");
  const { assertionInput } = await import("../../test/helpers/assertion-input.ts");
  const dir = new URL("../../test/fixtures/dev-credentials/", import.meta.url);
  const keys = await KeyRing.load([
    { status: "current", privateKeyPem: readFileSync(new URL("partner-idp.key.pem", dir), "utf8"), certificatePem: readFileSync(new URL("partner-idp.cert.pem", dir), "utf8") },
  ]);
  return buildSaml2Assertion(
    assertionInput({ issuer: "urn:example:partner-idp", subject: "carol", audience, claims: { email: ["carol@partner.example"] } }),
    keys,
  );
}

/**
 * The same partner assertion encrypted for this STS, as a partner that read our metadata sends
 * it: saml:EncryptedAssertion, AES-256-GCM, RSA-OAEP for the development decryption certificate.
 */
export async function encryptedPartnerAssertion(audience) {
  const { DEV_DECRYPTION_KEY } = await import("../../src/config/dev-keys.ts");
  const { loadEncryptionCertificate } = await import("../../src/keys/encryption-keys.ts");
  const { encryptElement } = await import("../../src/xmlenc/encrypt.ts");
  const ed = await encryptElement(await partnerAssertion(audience), await loadEncryptionCertificate(DEV_DECRYPTION_KEY.certificatePem));
  return `<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${ed}</saml:EncryptedAssertion>`;
}

/**
 * A SOAP 1.2 WS-Trust 1.3 RST Issue over the issued-token endpoint, the requestor signing in with
 * `assertion` (a bearer assertion may be presented again and again: one body serves the run).
 */
export function issuedTokenRst({ assertion, appliesTo, tokenType, extra = "" }) {
  const path = "/trust/13/issuedtokenmixedasymmetricbasic256";
  const T = TRUST[13].ns;
  const action = `${T}/RST/Issue`;
  const now = Date.now();
  const body =
    `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing" xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">` +
    `<s:Header><a:Action s:mustUnderstand="1">${action}</a:Action><o:Security s:mustUnderstand="1" xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">` +
    `<u:Timestamp><u:Created>${new Date(now).toISOString()}</u:Created><u:Expires>${new Date(now + 1_800_000).toISOString()}</u:Expires></u:Timestamp>${assertion}</o:Security></s:Header>` +
    `<s:Body><t:RequestSecurityToken xmlns:t="${T}"><t:TokenType>${tokenType}</t:TokenType><t:RequestType>${T}/Issue</t:RequestType>` +
    `<wsp:AppliesTo xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy"><a:EndpointReference><a:Address>${appliesTo}</a:Address></a:EndpointReference></wsp:AppliesTo>${extra}</t:RequestSecurityToken></s:Body></s:Envelope>`;
  return { method: "POST", path, headers: { "content-type": `application/soap+xml; charset=utf-8; action="${action}"` }, body };
}

const CREDENTIALS = new URL("../../test/fixtures/dev-credentials/", import.meta.url);

/** The development alice-client certificate as an X.509 BinarySecurityToken (what a service forwards to have it validated). */
export function aliceClientCertificateToken() {
  const pem = readFileSync(new URL("alice-client.cert.pem", CREDENTIALS), "utf8");
  const b64 = pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
  return (
    `<wsse:BinarySecurityToken xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" ` +
    `ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3" ` +
    `EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${b64}</wsse:BinarySecurityToken>`
  );
}

/**
 * `n` certificatemixed Issue requests (SOAP 1.2, WS-Trust 1.3) signed with the development
 * alice-client key by the CLI's signer. The STS accepts a signature once, so each body has its
 * own Timestamp (Created one millisecond apart, going back from now: never in the future) and
 * hence its own signature; the pool must be sent within the STS's Timestamp window.
 */
export function certificateIssuePool(n, { appliesTo, tokenType }) {
  const path = "/trust/13/certificatemixed";
  const keyPem = readFileSync(new URL("alice-client.key.pem", CREDENTIALS), "utf8");
  const certPem = readFileSync(new URL("alice-client.cert.pem", CREDENTIALS), "utf8");
  const t0 = Date.now();
  let headers;
  const bodies = [];
  for (let i = 0; i < n; i++) {
    const req = buildSignedRequest({ to: `http://127.0.0.1${path}`, keyPem, certPem, appliesTo, tokenType, soap: "1.2", trust: "13", now: new Date(t0 - i), ttlSeconds: 900 });
    headers = req.headers;
    bodies.push(req.body);
  }
  return { req: { method: "POST", path, headers }, bodies };
}

/**
 * `n` token exchanges by demo-client of `jwt` for an access token for API, each with its own
 * DPoP proof (RFC 9449) from one ES256 key, made with jose for `base` + `path` (the token
 * endpoint's URL). A proof is accepted once, so each request is sent once; the proofs' `iat` is
 * now, so the pool must be used within the STS's clock skew. For `drive`'s `bodyHeader: "DPoP"`:
 * each body is `<proof>\n<form>`.
 */
export async function dpopExchangePool(n, { base, path, jwt }) {
  const htu = base + path;
  const params = { grant_type: TX.grant, subject_token: jwt, subject_token_type: TX.jwt, audience: API, requested_token_type: TX.at };
  const { SignJWT, exportJWK, generateKeyPair } = await import("jose");
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const jwk = await exportJWK(publicKey);
  const req = form(path, params);
  const iat = Math.floor(Date.now() / 1000);
  const bodies = [];
  for (let i = 0; i < n; i++) {
    const proof = await new SignJWT({ htm: "POST", htu, iat, jti: crypto.randomUUID() }).setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk }).sign(privateKey);
    bodies.push(`${proof}\n${req.body}`);
  }
  return { req: { method: req.method, path: req.path, headers: req.headers }, bodies };
}

/** What a WCF client adds for a SymmetricKey token with its own entropy (WS-Trust 1.3 §4.4). */
export const SYMMETRIC_KEY_REQUEST =
  `<t:KeyType>${TRUST[13].ns}/SymmetricKey</t:KeyType><t:KeySize>256</t:KeySize>` +
  `<t:Entropy><t:BinarySecret Type="${TRUST[13].ns}/Nonce">${Buffer.alloc(32, 7).toString("base64")}</t:BinarySecret></t:Entropy>` +
  `<t:ComputedKeyAlgorithm>${TRUST[13].ns}/CK/PSHA1</t:ComputedKeyAlgorithm>`;

/** Validate / Renew / Cancel of `token` (raw assertion XML) by the rp-validator service account. */
export function lifecycle(kind, token, tokenType = kind === "Validate" ? TT.status : undefined) {
  return rst({ ...USERS.validator, requestType: kind, tokenType, target: token });
}

/** An OAuth form POST with demo-client's client_secret_basic. */
export function form(path, params) {
  return {
    method: "POST",
    path,
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: DEMO_BASIC },
    body: new URLSearchParams(params).toString(),
  };
}

export const assertionOf = (text) => /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(text)?.[0];
export const jwtOf = (text) => {
  const m = /<wsse:BinarySecurityToken[^>]*>([^<]+)<\/wsse:BinarySecurityToken>/.exec(text);
  return m ? Buffer.from(m[1], "base64").toString("utf8") : undefined;
};

/** Sends one request; returns { status, text }. */
export async function send(base, r) {
  const res = await fetch(base + r.path, { method: r.method, headers: r.headers, body: r.body });
  return { status: res.status, text: await res.text() };
}

/** Runs `fn(i)` for i in [0, n) with `concurrency` in flight; returns the results in order. */
export async function pool(n, concurrency, fn) {
  const out = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}
