/**
 * The real worker under another configuration than the development one (a second OAuth client,
 * trusted issuers, scoped relying parties...), reached over HTTP exactly as `call` and `trust`
 * reach the default one.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { app } from "../../src/http/app.ts";
import { DEV_SECRETS } from "../../src/config/dev.ts";
import { KeyRing } from "../../src/keys/keyring.ts";
import { derToPem } from "../../src/keys/pem.ts";
import { buildSelfSignedCertificate } from "../../src/keys/x509.ts";
import { type RstOptions, TT, envelope } from "../helpers/soap.ts";
import { ORIGIN, faultCode } from "../helpers/worker.ts";
import { API, RP, es256, type Fetcher } from "../oauth/helpers.ts";
import { DEV_CONFIG } from "../../src/config/dev.ts";

/** A fetcher for the worker with this STS_CONFIG (and the development secrets, and `secrets`). */
export function workerWith(config: object, secrets: Record<string, string> = {}): Fetcher {
  const customEnv = { ...env, ...DEV_SECRETS, ...secrets, STS_CONFIG: JSON.stringify(config) };
  return async (path, init) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(ORIGIN + path, init), customEnv, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
}

/** A WS-Trust request to that worker: status, text and the fault code, if any. */
export async function trustWith(f: Fetcher, o: RstOptions): Promise<{ status: number; text: string; fault: string | undefined }> {
  const e = envelope(o);
  const res = await f(`/trust/${o.trust ?? "13"}/usernamemixed`, { method: "POST", headers: e.headers, body: e.body });
  const text = await res.text();
  return { status: res.status, text, fault: faultCode(text) };
}

/** The first SAML assertion in a reply. */
export function assertionIn(text: string): string | undefined {
  return /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(text)?.[0];
}

/** The JWT a WS-Trust reply carries in its BinarySecurityToken. */
export function jwtIn(text: string): string | undefined {
  const m = /<wsse:BinarySecurityToken[^>]*>([^<]+)<\/wsse:BinarySecurityToken>/.exec(text);
  return m ? atob(m[1]!) : undefined;
}

/** The JWT for `appliesTo` that `user` signs in for at the usernamemixed endpoint of the worker behind `f`. */
export async function jwtVia(f: Fetcher, user: string, password: string, appliesTo = API): Promise<string> {
  return jwtIn((await trustWith(f, { user, password, appliesTo, tokenType: TT.jwt })).text)!;
}

/** The SAML 2.0 assertion for `appliesTo` that `user` signs in for at the usernamemixed endpoint of the worker behind `f`. */
export async function samlVia(f: Fetcher, user: string, password: string, appliesTo = RP): Promise<string> {
  return assertionIn((await trustWith(f, { user, password, appliesTo })).text)!;
}

/** A JWT as the content of a WS-Trust OnBehalfOf / ActAs / ValidateTarget element. */
export function jwtBst(jwt: string): string {
  return (
    `<wsse:BinarySecurityToken ValueType="urn:ietf:params:oauth:token-type:jwt" ` +
    `EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${btoa(jwt)}</wsse:BinarySecurityToken>`
  );
}

/** An ES256 key pair for a trusted JWT issuer: the private key and its public JWK. */
export async function ecIssuerKey(kid: string): Promise<{ priv: CryptoKey; jwk: JsonWebKey }> {
  const kp = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey("jwk", kp.publicKey)) as JsonWebKey;
  return { priv: kp.privateKey, jwk: { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, y: jwk.y!, kid, use: "sig", alg: "ES256" } as JsonWebKey };
}

/** A trusted SAML issuer's signing key ring and its pinned certificate. */
export async function samlIssuerKey(): Promise<{ ring: KeyRing; certPem: string }> {
  const kp = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["sign", "verify"],
  )) as CryptoKeyPair;
  const der = await buildSelfSignedCertificate({
    privateKey: kp.privateKey, publicKey: kp.publicKey, commonName: "saml-idp", notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 86_400_000),
  });
  const certPem = derToPem(der, "CERTIFICATE");
  const pk8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", kp.privateKey)) as ArrayBuffer);
  const ring = await KeyRing.load([{ status: "current", certificatePem: certPem, privateKeyPem: derToPem(pk8, "PRIVATE KEY") }]);
  return { ring, certPem };
}

/** The trusted JWT issuer of {@link delegationWorker}. */
export const IDP = "https://idp.example.org";
/** The service account of {@link delegationWorker} that may issue for others (OnBehalfOf, ActAs). */
export const GATEWAY = { user: "gateway", password: "rp-validator-secret-0f1e2d3c4b5a6978" };

/**
 * The development configuration plus {@link GATEWAY}, allowed to issue at the development
 * relying party and API, and {@link IDP} as a trusted JWT issuer (`idp`: more of its settings);
 * `idpToken` signs that issuer's tokens for us (subject carol unless `claims` say otherwise).
 */
export async function delegationWorker(idp: object = {}): Promise<{ f: Fetcher; idpToken: (claims?: Record<string, unknown>) => Promise<string> }> {
  const key = await ecIssuerKey("idp-key-1");
  const f = workerWith({
    ...DEV_CONFIG,
    serviceAccounts: [
      ...(DEV_CONFIG.serviceAccounts ?? []),
      { username: GATEWAY.user, secretHashSecret: "DEV_RP_VALIDATOR_SECRET_HASH", allowedRelyingParties: [RP, API], operations: ["issue"] },
    ],
    trustedIssuers: [{ issuer: IDP, kind: "jwt", jwks: { keys: [key.jwk] }, algorithms: ["ES256"], ...idp }],
  });
  const idpToken = (claims: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return es256({ alg: "ES256", typ: "JWT", kid: "idp-key-1" }, { iss: IDP, aud: ORIGIN, sub: "carol", iat: now, exp: now + 300, ...claims }, key.priv);
  };
  return { f, idpToken };
}
