/**
 * The signing-key rotation the README's Operations section walks an operator through, step by
 * step against the real worker: publish the successor as next, switch, remove the old key.
 */
import { describe, expect, it } from "vitest";
import { DEV_CONFIG } from "../../src/config/dev.ts";
import { DEV_KEY_MATERIALS } from "../../src/config/dev-keys.ts";
import { derToPem } from "../../src/keys/pem.ts";
import { buildSelfSignedCertificate } from "../../src/keys/x509.ts";
import { NS, TT } from "../helpers/soap.ts";
import { assertionIn, jwtIn, trustWith, workerWith } from "../hostile/configured.ts";

// The development keys: [0] the current RSA key, [1] the current EC key, [2] the next RSA key.
const certOf = (i: number) => DEV_KEY_MATERIALS[i]!.certificatePem.replace(/-----[A-Z ]+-----|\s/g, "");
const OLD = certOf(0);
const NEW = certOf(2);
type Status = "current" | "next" | "previous";
const withKeys = (statuses: (Status | null)[]) => ({
  ...DEV_CONFIG,
  keys: DEV_CONFIG.keys.flatMap((k, i) => (statuses[i] === null ? [] : [{ ...k, status: statuses[i] ?? k.status }])),
});
const alice = { user: "alice", password: "wonderland", appliesTo: "urn:example:rp", tokenType: TT.saml2 };
const validator = { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" };
const signerOf = (assertion: string) => /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(assertion)?.[1];
const metadata = async (f: ReturnType<typeof workerWith>) => (await f("/FederationMetadata/2007-06/FederationMetadata.xml")).text();

describe("rotating the RSA signing key (README, Operations)", () => {
  it("next is published and signs nothing; after the switch the old key's tokens still validate and renew; once removed they do not", async () => {
    // 1. The successor is published as next: metadata lists it, tokens are still signed with the old key.
    const before = workerWith(withKeys(["current", "current", "next"]));
    expect(await metadata(before)).toContain(NEW);
    const old = assertionIn((await trustWith(before, alice)).text)!;
    expect(signerOf(old)).toBe(OLD);

    // 3. Switched: the new key signs; the old key is previous, still published, still trusted here.
    const after = workerWith(withKeys(["previous", "current", "current"]));
    const md = await metadata(after);
    expect(md).toContain(NEW);
    expect(md).toContain(OLD);
    expect(signerOf(assertionIn((await trustWith(after, alice)).text)!)).toBe(NEW);
    const status = `${NS.t13}/RSTR/Status`;
    const valid = await trustWith(after, { ...validator, requestType: "Validate", tokenType: status, extra: `<wst:ValidateTarget>${old}</wst:ValidateTarget>` });
    expect(valid.text).toContain(`<wst:Code>${NS.t13}/status/valid</wst:Code>`);
    const renewed = await trustWith(after, { ...validator, requestType: "Renew", tokenType: TT.saml2, extra: `<wst:RenewTarget>${old}</wst:RenewTarget>` });
    expect(renewed.status, renewed.text).toBe(200);
    expect(signerOf(assertionIn(renewed.text)!)).toBe(NEW);

    // 4. Removed: the old key's tokens are no longer ours, and its certificate is no longer published.
    const done = workerWith(withKeys([null, "current", "current"]));
    expect(await metadata(done)).not.toContain(OLD);
    const gone = await trustWith(done, { ...validator, requestType: "Validate", tokenType: status, extra: `<wst:ValidateTarget>${old}</wst:ValidateTarget>` });
    expect(gone.text).toContain(`<wst:Code>${NS.t13}/status/invalid</wst:Code>`);
  });
});

describe("moving JWTs from ES256 to ES384 (one current EC key per curve)", () => {
  it("signs each relying party's JWTs with the current key on its algorithm's curve, whichever EC key is listed first", async () => {
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const der = await buildSelfSignedCertificate({ ...pair, commonName: "test P-384 signing", notBefore: new Date(Date.UTC(2026, 0, 1)), notAfter: new Date(Date.UTC(2036, 0, 1)), hash: "SHA-384" });
    const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
    const API384 = "https://api384.example.com/";
    // The P-256 key (dev key [1]) stays listed before the P-384 one, as it was before the new key was added.
    const f = workerWith({
      ...DEV_CONFIG,
      keys: [...DEV_CONFIG.keys, { status: "current", privateKeySecret: "P384_KEY", certificate: derToPem(der, "CERTIFICATE") }],
      relyingParties: [...DEV_CONFIG.relyingParties, { identifier: API384, defaultTokenType: "jwt", jwtSignatureAlgorithm: "ES384" }],
    }, { P384_KEY: derToPem(pkcs8, "PRIVATE KEY") });
    const jwks = (await (await f("/oauth2/jwks")).json()) as { keys: { kid: string; crv?: string }[] };
    const kidOf = (crv: string) => jwks.keys.find((k) => k.crv === crv)!.kid;
    const header = (jwt: string) => JSON.parse(atob(jwt.split(".")[0]!.replace(/-/g, "+").replace(/_/g, "/"))) as { alg: string; kid: string };
    for (const [appliesTo, alg, crv] of [[API384, "ES384", "P-384"], ["https://api.example.com/", "ES256", "P-256"]] as const) {
      const r = await trustWith(f, { ...alice, appliesTo, tokenType: TT.jwt });
      expect(r.status, r.text).toBe(200);
      expect(header(jwtIn(r.text)!)).toMatchObject({ alg, kid: kidOf(crv) });
    }
  });
});
