import { describe, expect, it } from "vitest";
import { ConfigError, validateConfig } from "../../src/config/validate.ts";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { uriKey } from "../../src/config/uri-key.ts";
import { lookupRelyingParty } from "../../src/engine/relying-party.ts";
import { verifyPassword } from "../../src/identity/password.ts";
import { verifySecret } from "../../src/identity/secret.ts";
import { KEY_USAGE, buildSelfSignedCertificate } from "../../src/keys/x509.ts";
import { derToPem } from "../../src/keys/pem.ts";
import { fromBase64Url, toBase64Url } from "../../src/bytes.ts";
import { CA_EXTENSIONS, EKU, authority, basicConstraints, certificate, certificateDer, extendedKeyUsage, extension, keyPair, keyUsage, name, nameConstraints } from "../helpers/certificates.ts";
import { DIRECTORY_USERNAME_RULE } from "../../src/identity/username.ts";
import { DEV_CA_CERT_PEM } from "../../src/config/dev-keys.ts";
import { directoryPrincipals } from "../../src/config/validate-certificates.ts";
import { ED25519_PKCS8, EC, NOT_A_CA_PEM, P384_PKCS8, RSA, RSA_NEXT, base, issuesOf, withCertificates } from "./helpers.ts";

const R = "STS_CONFIG";
const AS_IS = "put the PEM file in a secret as it is (npx wrangler secret put NAME < file.pem), or inline in JSON with each line break written as \\n once";
const WITH_CREDENTIALS = "must not contain credentials (user:password@ before the host): this URL is logged, published or sent to browsers, and fetch refuses one; what is written here is not shown";
const NOT_A_NAME = "expected the name of a secret binding (letters, digits and _, at most 128, not starting with a digit); what is written here is not shown, as it may be the secret itself";

describe("the embedded development configuration", () => {
  const dev = validateConfig(DEV_CONFIG, DEV_SECRETS, { mode: "development" });

  it("validates with the contract's principals and relying parties", () => {
    expect(dev.mode).toBe("development");
    expect(dev.issuer).toBeUndefined();
    expect([...dev.users.keys()]).toEqual(["alice", "bob"]);
    expect(dev.users.get("alice")!.claims).toEqual({
      email: ["alice@example.com"],
      given_name: ["Alice"],
      role: ["admin", "user"],
    });
    expect(dev.users.get("bob")!.claims).toEqual({ email: ["bob@example.com"], role: ["user"] });
    expect(dev.relyingParties.map((r) => [r.identifier, r.defaultTokenType, r.tokenTypes])).toEqual([
      ["urn:example:rp", "saml2", ["saml2", "saml1", "jwt", "access_token"]],
      ["https://api.example.com/", "jwt", ["saml2", "saml1", "jwt", "access_token"]],
      ["urn:example:secure-rp", "saml2", ["saml2", "saml1", "jwt", "access_token"]],
      ["urn:example:pairwise-rp", "saml2", ["saml2", "saml1", "jwt", "access_token"]],
      ["https://pairwise-api.example.com/", "jwt", ["saml2", "saml1", "jwt", "access_token"]],
    ]);
    const all = ["urn:example:rp", "https://api.example.com/", "urn:example:secure-rp", "urn:example:pairwise-rp", "https://pairwise-api.example.com/"];
    const client = dev.oauthClients.get("demo-client")!;
    expect(client.allowedAudiences).toEqual(all);
    expect(client.allowedActors).toEqual(["*"]);
    const sa = dev.serviceAccounts.get("rp-validator")!;
    expect(sa.allowedRelyingParties).toEqual(all);
    expect(sa.operations).toEqual(["validate", "renew", "cancel"]);
    expect(dev.keys.map((k) => [k.status, k.privateKeyPem !== undefined])).toEqual([
      ["current", true],
      ["current", true],
      ["next", true],
    ]);
  });

  it("embeds hashes that verify the documented credentials (and only those)", async () => {
    expect(await verifyPassword("wonderland", dev.users.get("alice")!.passwordHash)).toBe(true);
    expect(await verifyPassword("builder", dev.users.get("bob")!.passwordHash)).toBe(true);
    expect(await verifyPassword("builder", dev.users.get("alice")!.passwordHash)).toBe(false);
    expect(await verifySecret("demo-secret", dev.oauthClients.get("demo-client")!.secretHash)).toBe(true);
    expect(
      await verifySecret("rp-validator-secret-0f1e2d3c4b5a6978", dev.serviceAccounts.get("rp-validator")!.secretHash),
    ).toBe(true);
  });

  it("contains no plaintext credential", () => {
    const text = JSON.stringify(DEV_CONFIG) + JSON.stringify(DEV_SECRETS);
    for (const s of ["wonderland", "builder", "demo-secret\"", "rp-validator-secret-"]) expect(text).not.toContain(s);
  });
});

describe("defaults", () => {
  it("fills every documented default", () => {
    const { cfg, env } = base();
    const c = validateConfig(cfg, env);
    expect(c.mode).toBe("production");
    expect(c.issuer).toBe("https://sts.example.org");
    expect(c.limits).toEqual({
      maxBodyBytes: 1_048_576,
      maxXmlDepth: 64,
      maxXmlElements: 20_000,
      maxXmlAttributesPerElement: 64,
      clockSkewSeconds: 300,
      maxBatchItems: 8,
      maxFailedAuthPerWindow: 10,
      failedAuthWindowSeconds: 300,
      maxRenewalsPerWindow: 60,
      renewalWindowSeconds: 3600,
      statusLeaseMilliseconds: 1000,
    });
    expect(c.relyingParties[0]).toEqual({
      identifier: "urn:example:rp",
      aliases: [],
      defaultTokenType: "saml2",
      tokenTypes: ["saml2", "saml1", "jwt", "access_token"],
      tokenLifetimeSeconds: 3600,
      maxTokenLifetimeSeconds: 28_800,
      claims: undefined,
      xmlSignatureAlgorithm: "rsa-sha256",
      jwtSignatureAlgorithm: "ES256",
      scopes: [],
      renewal: { allowed: true, maxTotalLifetimeSeconds: 86_400, expiredGraceSeconds: 1800, allowPostdating: false, windowSeconds: 0 },
      keyTypes: ["bearer"],
      replyUrls: [],
      subjectType: "public",
      sectorIdentifier: "urn:example:rp",
    });
    expect(c.pairwiseSubjectSecret).toBeUndefined();
    expect(c.webSessionSecret).toBeUndefined();
    expect(c.dpopNonceSecret).toBeUndefined();
    // An alias in allowedAudiences resolves to the canonical identifier.
    expect(c.oauthClients.get("c1")).toEqual({
      clientId: "c1",
      secretHash: env.C1_HASH,
      jwks: undefined,
      allowedAudiences: ["https://api.example.org/"],
      allowedActors: [],
      mayIntrospect: true,
      resourceServerFor: [],
    });
    expect(c.serviceAccounts.get("svc")!.operations).toEqual(["validate", "renew", "cancel"]);
    expect(c.trustedIssuers[0]).toEqual({
      issuer: "https://idp.example.org",
      kind: "jwt",
      jwksUri: "https://idp.example.org/jwks",
      jwks: undefined,
      certificates: [],
      algorithms: ["RS256", "ES256"],
      expectedAudience: undefined,
      clockSkewSeconds: 300,
      localSubjects: false,
      grantsDelegation: false,
      passiveSignInUrl: undefined,
      displayName: "https://idp.example.org",
    });
    expect(c.trustedIssuers[1]!.certificates).toEqual([RSA.certificatePem.trim()]);
    expect(c.requestorCertificates).toBeUndefined();
  });

  it("resolves requestor certificates: authorities parsed, thumbprints normalised", () => {
    const { cfg, env } = base();
    const c = validateConfig(withCertificates(cfg), env);
    expect(c.requestorCertificates!.trust.authorities.map((a) => a.subjectCommonName)).toEqual(["Edge STS Development CA"]);
    expect([...c.requestorCertificates!.trust.pinnedSha256]).toEqual(["f042b702dbe4e36a71150bc4b18f46e454933d691a93e951d9257f1b7232c064"]);
    expect(c.requestorCertificates!.allowSha1Signatures).toBe(false);
    expect(c.requestorCertificates!.allowTimestampOnlySignatures).toBe(false);
    expect(c.keys).toEqual([
      { kid: "rsa1", status: "current", privateKeyPem: RSA.privateKeyPem!.trim(), certificatePem: RSA.certificatePem.trim() },
      { kid: "ec1", status: "current", privateKeyPem: EC.privateKeyPem!.trim(), certificatePem: EC.certificatePem.trim() },
    ]);
  });

  it("a certificate principal that names no configured user or service account is the user directory's to resolve", () => {
    const { cfg, env } = base();
    withCertificates(cfg).requestorCertificates.principals[0].principal = "carol";
    const c = validateConfig(cfg, env);
    expect(c.requestorCertificates!.principals[0]!.principal).toBe("carol");
    expect(directoryPrincipals(c)).toEqual([{ field: "STS_CONFIG.requestorCertificates.principals[0].principal", name: "carol" }]);
  });

  it("keyTypes defaults to bearer only; the development secure-rp allows all three", () => {
    const { cfg, env } = base();
    expect(validateConfig(cfg, env).relyingParties[0]!.keyTypes).toEqual(["bearer"]);
    cfg.relyingParties[0].keyTypes = ["public-key"];
    expect(validateConfig(cfg, env).relyingParties[0]!.keyTypes).toEqual(["public-key"]);
    const dev = validateConfig(DEV_CONFIG, DEV_SECRETS).relyingParties.find((r) => r.identifier === "urn:example:secure-rp")!;
    expect(dev.keyTypes).toEqual(["bearer", "symmetric", "public-key"]);
  });

  it("a token lifetime default never exceeds a smaller maximum, or a smaller maximum total lifetime", () => {
    const { cfg, env } = base();
    cfg.relyingParties[0].maxTokenLifetimeSeconds = 600;
    expect(validateConfig(cfg, env).relyingParties[0]!.tokenLifetimeSeconds).toBe(600);
    cfg.relyingParties[0].renewal = { maxTotalLifetimeSeconds: 120 };
    expect(validateConfig(cfg, env).relyingParties[0]!.tokenLifetimeSeconds).toBe(120);
  });
});

type Mutation = (c: Record<string, any>, env: Record<string, unknown>) => void;

// Each case: one mutation of a valid config, and the exact single line it must produce.
const CASES: [string, Mutation, string][] = [
  ["reply URL not http(s)", (c) => (c.relyingParties[0].replyUrls = ["ftp://rp.example.org/"]), `${R}.relyingParties[0].replyUrls[0]: expected an https:// URL (http:// only for localhost) without credentials or fragment, got "ftp://rp.example.org/"`],
  ["reply URL with fragment", (c) => (c.relyingParties[0].replyUrls = ["https://rp.example.org/#x"]), `${R}.relyingParties[0].replyUrls[0]: expected an https:// URL (http:// only for localhost) without credentials or fragment, got "https://rp.example.org/#x"`],
  ["reply URL over plain http to another host (bearer tokens would be posted in the clear)", (c) => (c.relyingParties[0].replyUrls = ["http://127.0.0.1:9780/wsfed", "http://localhost/wsfed", "http://[::1]/x", "http://rp.example.org/wsfed"]), `${R}.relyingParties[0].replyUrls[3]: expected an https:// URL (http:// only for localhost) without credentials or fragment, got "http://rp.example.org/wsfed"`],
  ["reply URL duplicated after normalisation", (c) => (c.relyingParties[0].replyUrls = ["https://rp.example.org/a", "HTTPS://RP.example.org:443/a"]), `${R}.relyingParties[0].replyUrls[1]: duplicate value "https://rp.example.org/a"`],
  ["web session secret too short", (c, env) => ((c.webSessionSecret = "WEB"), (env.WEB = "short")), `${R}.webSessionSecret: secret binding must hold at least 32 bytes`],
  ["web session secret unset", (c) => (c.webSessionSecret = "NOPE"), `${R}.webSessionSecret: names a secret binding that is not set (the name is not shown, as it may be the secret itself)`],
  ["DPoP nonce secret too short", (c, env) => ((c.dpopNonceSecret = "NONCE"), (env.NONCE = "short")), `${R}.dpopNonceSecret: secret binding must hold at least 32 bytes`],
  ["DPoP nonce secret unset", (c) => (c.dpopNonceSecret = "NOPE"), `${R}.dpopNonceSecret: names a secret binding that is not set (the name is not shown, as it may be the secret itself)`],
  ["certificate principal no one can be", (c) => (withCertificates(c).requestorCertificates.principals[0].principal = "urn:carol"), `${R}.requestorCertificates.principals[0].principal: names no configured user or service account, and no directory user can have that name (${DIRECTORY_USERNAME_RULE}): "urn:carol"`],
  ["certificate principal matched two ways", (c) => (withCertificates(c).requestorCertificates.principals[0].sha256 = "00".repeat(32)), `${R}.requestorCertificates.principals[0]: needs exactly one of sha256 or subjectCommonName`],
  ["certificate thumbprint malformed", (c) => (withCertificates(c).requestorCertificates.principals[1].sha256 = "F0:42"), `${R}.requestorCertificates.principals[1].sha256: expected a SHA-256 thumbprint (64 hex digits, colons allowed), got "F0:42"`],
  ["certificate authority not a CA", (c) => withCertificates(c).requestorCertificates.authorities.push(NOT_A_CA_PEM), `${R}.requestorCertificates.authorities[1]: is not a CA certificate (basicConstraints cA is not set); pin end certificates in principals[].sha256 instead`],
  ["common name without authorities", (c) => (withCertificates(c).requestorCertificates.authorities = []), `${R}.requestorCertificates.principals[0].subjectCommonName: matches only certificates a configured authority issued, and authorities is empty`],
  ["common name whose one authority does not parse: that alone is reported", (c) => (withCertificates(c).requestorCertificates.authorities = ["-----BEGIN CERTIFICATE-----\n…"]), `${R}.requestorCertificates.authorities[0]: expected one PEM block (-----BEGIN ...----- base64 -----END ...-----), found -----BEGIN CERTIFICATE----- without its -----END CERTIFICATE----- line`],
  ["certificate principals empty", (c) => (withCertificates(c).requestorCertificates.principals = []), `${R}.requestorCertificates.principals: must not be empty`],
  ["signing certificate listed twice (as current and next)", (c) => c.keys.push({ kid: "rsa2", status: "next", privateKeySecret: "RSA_KEY", certificate: RSA.certificatePem }), `${R}.keys[2].certificate: the same certificate as keys[0]`],
  ["signing certificate listed twice, the second from a secret", (c) => c.keys.push({ kid: "ec2", status: "previous", certificateSecret: "EC_CERT" }), `${R}.keys[2].certificateSecret: the same certificate as keys[1]`],
  ["unknown top-level field", (c) => (c.relyingPartys = []), `${R}.relyingPartys: unknown field (expected one of $schema, issuer, keys, decryptionKeys, users, relyingParties, oauthClients, serviceAccounts, trustedIssuers, requestorCertificates, limits, webSessionSecret, pairwiseSubjectSecret, dpopNonceSecret, hosts, realms)`],
  ["keyTypes value", (c) => (c.relyingParties[1].keyTypes = ["bearer", "hok"]), `${R}.relyingParties[1].keyTypes[1]: expected one of bearer, symmetric, public-key, got "hok"`],
  ["symmetric keyTypes without encryption", (c) => (c.relyingParties[1].keyTypes = ["symmetric"]), `${R}.relyingParties[1].keyTypes: "symmetric" needs an encryption certificate (encryption), and none is configured`],
  ["enum", (c) => (c.relyingParties[1].defaultTokenType = "saml3"), `${R}.relyingParties[1].defaultTokenType: expected one of saml2, saml1, jwt, access_token, got "saml3"`],
  ["missing secret", (_c, e) => delete e.ALICE_PW, `${R}.users[0].passwordHashSecret: names a secret binding that is not set (the name is not shown, as it may be the secret itself)`],
  ["non-string secret", (_c, e) => (e.ALICE_PW = 5), `${R}.users[0].passwordHashSecret: secret binding "ALICE_PW" must hold a non-empty string`],
  ["bad binding name", (c) => (c.users[0].passwordHashSecret = "ALICE PW"), `${R}.users[0].passwordHashSecret: ${NOT_A_NAME}`],
  ["malformed password hash", (_c, e) => (e.ALICE_PW = "wonderland"), `${R}.users[0].passwordHashSecret: secret binding "ALICE_PW": expected pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>`],
  ["iterations above the Workers cap", (_c, e) => (e.ALICE_PW = String(e.ALICE_PW).replace("$10000$", "$600000$")), `${R}.users[0].passwordHashSecret: secret binding "ALICE_PW": iterations 600000 exceed the Workers PBKDF2 limit of 100000`],
  ["malformed secret hash", (_c, e) => (e.C1_HASH = "sha256$abc"), `${R}.oauthClients[0].secretHashSecret: secret binding "C1_HASH": expected sha256$<64 hex digits>`],
  ["issuer not a URL", (c) => (c.issuer = "sts.example.org"), `${R}.issuer: expected an https:// URL (http:// only for localhost), got "sts.example.org"`],
  ["issuer over http", (c) => (c.issuer = "http://sts.example.org"), `${R}.issuer: expected an https:// URL (http:// only for localhost), got "http://sts.example.org"`],
  ["issuer with fragment", (c) => (c.issuer = "https://sts.example.org/#x"), `${R}.issuer: must not contain a query or fragment (RFC 8414 §2)`],
  ["jwksUri with credentials (never echoed)", (c) => (c.trustedIssuers[0].jwksUri = "https://jwks:S3cret@idp.example.org/jwks"), `${R}.trustedIssuers[0].jwksUri: ${WITH_CREDENTIALS}`],
  ["issuer with credentials", (c) => (c.issuer = "https://sts:S3cret@sts.example.org"), `${R}.issuer: ${WITH_CREDENTIALS}`],
  ["passive sign-in URL with credentials", (c, env) => ((c.trustedIssuers[1].passiveSignInUrl = "https://u:S3cret@partner.example/adfs/ls/"), (c.webSessionSecret = "WEB"), (env.WEB = "w".repeat(40))), `${R}.trustedIssuers[1].passiveSignInUrl: ${WITH_CREDENTIALS}`],
  ["jwksUri", (c) => (c.trustedIssuers[0].jwksUri = "ftp://idp/jwks"), `${R}.trustedIssuers[0].jwksUri: expected an https:// URL (http:// only for localhost), got "ftp://idp/jwks"`],
  ["duplicate RP identifier (after normalisation)", (c) => (c.relyingParties[1].identifier = "https://api.example.org/v1/"), `${R}.relyingParties[1].aliases[0]: "https://api.example.org/v1" duplicates relyingParties[1].identifier`],
  ["duplicate RP across parties", (c) => (c.relyingParties[0].aliases = ["https://api.example.org"]), `${R}.relyingParties[1].identifier: "https://api.example.org/" duplicates relyingParties[0].aliases[0]`],
  ["duplicate username", (c) => c.users.push({ ...c.users[0] }), `${R}.users[1].username: duplicate username "alice"`],
  ["a user named as a client's id", (c) => (c.users[0].username = "c1"), `${R}.users[0].username: "c1" is oauthClients[0].clientId "c1": a client is named by its id where it acts, so a user of that name would be taken for it; rename one of the two`],
  ["a user named like a client's id but for case", (c) => (c.users[0].username = "C1"), `${R}.users[0].username: "C1" is written like oauthClients[0].clientId "c1": a client is named by its id where it acts, so a user of that name would be taken for it; rename one of the two`],
  ["service account named like a user", (c) => (c.serviceAccounts[0].username = "alice"), `${R}.serviceAccounts[0].username: "alice" is also a user's username`],
  ["a user named like another but for case", (c) => c.users.push({ username: "Alice", passwordHashSecret: "ALICE_PW" }), `${R}.users[1].username: "Alice" differs from users[0].username "alice" only in case or in how its letters are written; remove one of the two`],
  ["a user named in decomposed letters (not NFC, the form sign-in compares names in)", (c) => c.users.push({ username: "zoe\u0308", passwordHashSecret: "ALICE_PW" }), `${R}.users[1].username: "zoe\u0308" is not in Unicode NFC, the form sign-in compares names in; write it composed: "zo\u00eb"`],
  ["a user named like another but for NFKC (fullwidth letters)", (c) => c.users.push({ username: "\uff41lice", passwordHashSecret: "ALICE_PW" }), `${R}.users[1].username: "\uff41lice" differs from users[0].username "alice" only in case or in how its letters are written; remove one of the two`],
  ["a user named like another but for case folding (ß and SS)", (c) => c.users.push({ username: "STRASSE", passwordHashSecret: "ALICE_PW" }, { username: "straße", passwordHashSecret: "ALICE_PW" }), `${R}.users[2].username: "straße" differs from users[1].username "STRASSE" only in case or in how its letters are written; remove one of the two`],
  ["a service account named like a user but for case", (c) => (c.serviceAccounts[0].username = "ALICE"), `${R}.serviceAccounts[0].username: "ALICE" differs from users[0].username "alice" only in case or in how its letters are written; remove one of the two`],
  ["service accounts named alike but for case", (c) => c.serviceAccounts.push({ ...c.serviceAccounts[0], username: "Svc" }), `${R}.serviceAccounts[1].username: "Svc" differs from serviceAccounts[0].username "svc" only in case or in how its letters are written; remove one of the two`],
  ["duplicate client id", (c) => c.oauthClients.push({ ...c.oauthClients[0] }), `${R}.oauthClients[1].clientId: duplicate clientId "c1"`],
  ["client without credentials", (c) => delete c.oauthClients[0].secretHashSecret, `${R}.oauthClients[0]: needs secretHashSecret or jwks to authenticate`],
  ["unknown audience", (c) => (c.oauthClients[0].allowedAudiences = ["urn:nope"]), `${R}.oauthClients[0].allowedAudiences[0]: "urn:nope" is not a configured relying party identifier or alias`],
  ["unknown service-account RP", (c) => (c.serviceAccounts[0].allowedRelyingParties = ["urn:example:rp", "urn:x"]), `${R}.serviceAccounts[0].allowedRelyingParties[1]: "urn:x" is not a configured relying party identifier or alias`],
  ["bad operation", (c) => (c.serviceAccounts[0].operations = ["validate", "delete"]), `${R}.serviceAccounts[0].operations[1]: expected one of validate, renew, cancel, issue, revoke-subject, manage-users, got "delete"`],
  ["limit out of range", (c) => (c.limits.maxXmlDepth = 5000), `${R}.limits.maxXmlDepth: expected an integer from 16 to 512, got 5000`],
  ["limit not an integer", (c) => (c.limits.clockSkewSeconds = 1.5), `${R}.limits.clockSkewSeconds: expected an integer from 0 to 3600, got 1.5`],
  // The state objects keep revocations and renewals an hour (and five minutes) past expiry.
  ["clock skew past what state remembers", (c) => (c.limits.clockSkewSeconds = 3601), `${R}.limits.clockSkewSeconds: expected an integer from 0 to 3600, got 3601`],
  ["renewal grace past what state remembers", (c) => (c.relyingParties[0].renewal = { expiredGraceSeconds: 3601 }), `${R}.relyingParties[0].renewal.expiredGraceSeconds: expected an integer from 0 to 3600, got 3601`],
  ["unknown limit", (c) => (c.limits.maxFoo = 1), `${R}.limits.maxFoo: unknown field (expected one of maxBodyBytes, maxXmlDepth, maxXmlElements, maxXmlAttributesPerElement, clockSkewSeconds, maxBatchItems, maxFailedAuthPerWindow, failedAuthWindowSeconds, maxRenewalsPerWindow, renewalWindowSeconds, statusLeaseMilliseconds)`],
  ["lifetime above max", (c) => Object.assign(c.relyingParties[0], { tokenLifetimeSeconds: 7200, maxTokenLifetimeSeconds: 3600 }), `${R}.relyingParties[0].tokenLifetimeSeconds: 7200 exceeds maxTokenLifetimeSeconds 3600`],
  ["lifetime above the maximum total lifetime", (c) => Object.assign(c.relyingParties[0], { tokenLifetimeSeconds: 7200, renewal: { maxTotalLifetimeSeconds: 3600 } }), `${R}.relyingParties[0].tokenLifetimeSeconds: 7200 exceeds renewal.maxTotalLifetimeSeconds 3600, which no token outlives (counted from the authentication)`],
  ["default not accepted", (c) => (c.relyingParties[0].tokenTypes = ["jwt"]), `${R}.relyingParties[0].defaultTokenType: "saml2" is not in tokenTypes`],
  ["duplicate token type", (c) => (c.relyingParties[0].tokenTypes = ["saml2", "saml2"]), `${R}.relyingParties[0].tokenTypes[1]: duplicate value "saml2"`],
  ["renewal type", (c) => (c.relyingParties[0].renewal = { allowed: "yes" }), `${R}.relyingParties[0].renewal.allowed: expected true or false, got "yes"`],
  ["bad scope token", (c) => (c.relyingParties[1].scopes = ["read", "a b"]), `${R}.relyingParties[1].scopes[1]: expected an RFC 6749 scope token, got "a b"`],
  ["reserved claim", (c) => (c.users[0].claims.sub = "x"), `${R}.users[0].claims.sub: claim name "sub" is reserved (it has a protocol meaning in tokens)`],
  ["reserved OpenID Connect claim", (c) => (c.users[0].claims.sid = "x"), `${R}.users[0].claims.sid: claim name "sid" is reserved (it has a protocol meaning in tokens)`],
  ["reserved claim type in another case", (c) => (c.users[0].claims["HTTP://SCHEMAS.XMLSOAP.ORG/ws/2009/09/identity/claims/Actor"] = "x"), `${R}.users[0].claims.HTTP://SCHEMAS.XMLSOAP.ORG/ws/2009/09/identity/claims/Actor: claim name "HTTP://SCHEMAS.XMLSOAP.ORG/ws/2009/09/identity/claims/Actor" is reserved (it has a protocol meaning in tokens)`],
  ["__proto__ claim", (c) => (c.users[0].claims = JSON.parse('{"__proto__": ["x"]}')), `${R}.users[0].claims.__proto__: is not a usable claim name`],
  ["claim value type", (c) => (c.users[0].claims.role = ["x", 3]), `${R}.users[0].claims.role[1]: expected a string or an array of strings, got 3`],
  ["claim without a value", (c) => (c.users[0].claims.role = []), `${R}.users[0].claims.role: must hold at least one value (leave the claim out instead)`],
  ["claim value XML cannot carry", (c) => (c.users[0].claims.role = ["x", "a\u0007b"]), `${R}.users[0].claims.role[1]: has a character XML 1.0 cannot carry (a control character other than tab, line feed and carriage return, U+FFFE, U+FFFF or an unpaired surrogate), so no SAML token could state it`],
  ["claim name XML cannot carry", (c) => (c.users[0].claims["role\uffff"] = "x"), `${R}.users[0].claims (claim name): has a character XML 1.0 cannot carry (a control character other than tab, line feed and carriage return, U+FFFE, U+FFFF or an unpaired surrogate), so no SAML token could state it`],
  ["claim value with an unpaired surrogate", (c) => (c.users[0].claims.role = "\udc00"), `${R}.users[0].claims.role: has a character XML 1.0 cannot carry (a control character other than tab, line feed and carriage return, U+FFFE, U+FFFF or an unpaired surrogate), so no SAML token could state it`],
  ["missing required field", (c) => delete c.relyingParties[0].defaultTokenType, `${R}.relyingParties[0].defaultTokenType: is required`],
  ["wrong type", (c) => (c.users = {}), `${R}.users: expected an array, got an object`],
  ["no relying parties", (c) => (c.relyingParties = []), `${R}.relyingParties: must not be empty`],
  ["current key without private key", (c) => delete c.keys[0].privateKeySecret, `${R}.keys[0].privateKeySecret: is required`],
  ["bad key status", (c) => (c.keys[1].status = "active"), `${R}.keys[1].status: expected one of current, next, previous, got "active"`],
  ["duplicate kid", (c) => (c.keys[1].kid = "rsa1"), `${R}.keys[1].kid: duplicate kid "rsa1" (also keys[0])`],
  ["private key of another type than its certificate", (c) => (c.keys[0].privateKeySecret = "EC_KEY"), `${R}.keys[0].privateKeySecret: holds an EC P-256 private key, but the certificate's key is RSA: give the private key of the certificate's key pair`],
  ["both certificate sources", (c) => (c.keys[0].certificateSecret = "EC_CERT"), `${R}.keys[0]: set either certificate or certificateSecret, not both`],
  ["certificate not PEM", (c) => (c.keys[0].certificate = "MIIB"), `${R}.keys[0].certificate: expected one PEM block (-----BEGIN ...----- base64 -----END ...-----), found no -----BEGIN line`],
  // The ways a PEM gets mangled on its way into a secret, each told apart.
  ["PEM with \\n text for its line breaks", (_, env) => (env.RSA_KEY = RSA.privateKeyPem!.trim().replaceAll("\n", "\\n")), `${R}.keys[0].privateKeySecret: secret binding "RSA_KEY": expected one PEM block (-----BEGIN ...----- base64 -----END ...-----), found the two characters \\n where its line breaks belong (the text was escaped twice): ${AS_IS}`],
  ["PEM on one line", (_, env) => (env.EC_CERT = EC.certificatePem.trim().replaceAll("\n", "")), `${R}.keys[1].certificateSecret: secret binding "EC_CERT": expected one PEM block (-----BEGIN ...----- base64 -----END ...-----), found it on one line, without line breaks: ${AS_IS}`],
  ["PEM with spaces for its line breaks", (_, env) => (env.EC_CERT = EC.certificatePem.trim().replaceAll("\n", " ")), `${R}.keys[1].certificateSecret: secret binding "EC_CERT": expected one PEM block (-----BEGIN ...----- base64 -----END ...-----), found it on one line with spaces where its line breaks belong: ${AS_IS}`],
  ["a certificate chain", (_, env) => (env.EC_CERT = EC.certificatePem + DEV_CA_CERT_PEM), `${R}.keys[1].certificateSecret: secret binding "EC_CERT": expected one PEM block (-----BEGIN ...----- base64 -----END ...-----), found 2 (CERTIFICATE, CERTIFICATE): a certificate chain; give only the first certificate, without the certificates of its issuers`],
  ["an encrypted legacy key", (_, env) => (env.RSA_KEY = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nMIIB\n-----END RSA PRIVATE KEY-----\n"), `${R}.keys[0].privateKeySecret: secret binding "RSA_KEY": expected one PEM block (-----BEGIN ...----- base64 -----END ...-----) without headers, found an encrypted key (Proc-Type: 4,ENCRYPTED): decrypt it into PKCS#8 with openssl pkcs8 -topk8 -nocrypt -in key.pem`],
  ["a key and its certificate in one secret", (_, env) => (env.RSA_KEY = RSA.privateKeyPem! + RSA.certificatePem), `${R}.keys[0].privateKeySecret: secret binding "RSA_KEY": expected one PEM block (-----BEGIN ...----- base64 -----END ...-----), found 2 (PRIVATE KEY, CERTIFICATE): give each in its own field`],
  ["key PEM as certificate", (_c, e) => (e.EC_CERT = e.EC_KEY), `${R}.keys[1].certificateSecret: secret binding "EC_CERT": expected a CERTIFICATE PEM, got PRIVATE KEY`],
  ["PKCS#1 private key", (_c, e) => (e.RSA_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIICXgIBAAKBgQDGLZRYlabfO4jocAk1kOFL7/GBjoI8BEYc0klRB0V7GjPIOTco\n-----END RSA PRIVATE KEY-----"), `${R}.keys[0].privateKeySecret: secret binding "RSA_KEY": expected an unencrypted PKCS#8 "PRIVATE KEY" PEM, got RSA PRIVATE KEY (convert with: openssl pkcs8 -topk8 -nocrypt -in key.pem)`],
  ["Ed25519 key", (_c, e) => (e.EC_KEY = ED25519_PKCS8), `${R}.keys[1].privateKeySecret: secret binding "EC_KEY": unsupported key algorithm (use RSA or EC P-256/P-384/P-521)`],
  ["two current RSA keys", (c) => c.keys.push({ status: "current", privateKeySecret: "RSA_NEXT_KEY", certificate: RSA_NEXT.certificatePem }), `${R}.keys[2].status: keys[0] is already the current RSA key; mark one of them next or previous`],
  ["no current RSA key", (c) => (c.keys[0].status = "next"), `${R}.keys: at least one current RSA key with privateKeySecret is required (XML signatures use RSA)`],
  ["ES384 without a P-384 key", (c) => (c.relyingParties[1].jwtSignatureAlgorithm = "ES384"), `${R}.relyingParties[1].jwtSignatureAlgorithm: ES384 needs a current EC P-384 key with privateKeySecret, and none is configured`],
  ["jwt issuer without keys", (c) => delete c.trustedIssuers[0].jwksUri, `${R}.trustedIssuers[0]: a jwt issuer needs exactly one of jwksUri or jwks`],
  ["saml issuer without certificates", (c) => delete c.trustedIssuers[1].certificates, `${R}.trustedIssuers[1].certificates: is required`],
  ["duplicate trusted issuer", (c) => (c.trustedIssuers[1].issuer = "https://idp.example.org"), `${R}.trustedIssuers[1].issuer: duplicate issuer "https://idp.example.org"`],
  ["private JWK", (c) => (c.oauthClients[0].jwks = { keys: [{ kty: "EC", crv: "P-256", x: "a", y: "b", d: "c" }] }), `${R}.oauthClients[0].jwks.keys[0]: must be a public key (private or symmetric key members found)`],
  ["reserved delegation attribute", (c) => (c.users[0].claims.actor = "bob"), `${R}.users[0].claims.actor: claim name "actor" is reserved (it has a protocol meaning in tokens)`],
  ["reserved claim by its URI", (c) => (c.users[0].claims["urn:edge-sts:claims/client_id"] = "demo-client"), `${R}.users[0].claims.urn:edge-sts:claims/client_id: claim name "urn:edge-sts:claims/client_id" is reserved (it has a protocol meaning in tokens)`],
  ["reserved may_act attribute by its URI", (c) => (c.users[0].claims["urn:edge-sts:claims/may_act"] = "bob"), `${R}.users[0].claims.urn:edge-sts:claims/may_act: claim name "urn:edge-sts:claims/may_act" is reserved (it has a protocol meaning in tokens)`],
  ["unknown resource-server RP", (c) => (c.oauthClients[0].resourceServerFor = ["urn:nope"]), `${R}.oauthClients[0].resourceServerFor[0]: "urn:nope" is not a configured relying party identifier or alias`],
  ["resource server that may not introspect", (c) => Object.assign(c.oauthClients[0], { mayIntrospect: false, resourceServerFor: ["urn:example:rp"] }), `${R}.oauthClients[0].resourceServerFor: a resource server introspects tokens, which mayIntrospect: false forbids`],
  ["trusted issuer not a URI", (c) => (c.trustedIssuers[1].issuer = "not a uri"), `${R}.trustedIssuers[1].issuer: expected an absolute URI (https://... or urn:...), got "not a uri"`],
  ["trusted issuer without a scheme", (c) => (c.trustedIssuers[0].issuer = "idp.example.org"), `${R}.trustedIssuers[0].issuer: expected an absolute URI (https://... or urn:...), got "idp.example.org"`],
  ["# in a trusted issuer", (c) => (c.trustedIssuers[0].issuer = "https://idp.example.org/#a"), `${R}.trustedIssuers[0].issuer: must not contain "#" (it separates the issuer from its subjects in the names we issue)`],
  ["passive sign-in for a jwt issuer", (c, env) => ((c.trustedIssuers[0].passiveSignInUrl = "https://idp.example.org/adfs/ls/"), (c.webSessionSecret = "WEB"), (env.WEB = "w".repeat(40))), `${R}.trustedIssuers[0].passiveSignInUrl: applies only to saml issuers (WS-Federation passive sign-in carries SAML tokens)`],
  ["passive sign-in over plain http", (c, env) => ((c.trustedIssuers[1].passiveSignInUrl = "http://partner.example/adfs/ls/"), (c.webSessionSecret = "WEB"), (env.WEB = "w".repeat(40))), `${R}.trustedIssuers[1].passiveSignInUrl: expected an https:// URL (http:// only for localhost), got "http://partner.example/adfs/ls/"`],
  ["passive sign-in at a partner without browser sign-in", (c) => (c.trustedIssuers[1].passiveSignInUrl = "https://partner.example/adfs/ls/"), `${R}.trustedIssuers[1].passiveSignInUrl: needs webSessionSecret: browser sign-in is off, so no browser is ever sent to this partner`],
  ["a partner's display name too long", (c) => (c.trustedIssuers[1].displayName = "x".repeat(101)), `${R}.trustedIssuers[1].displayName: must be at most 100 characters`],
  ["delegation grants without local subjects", (c) => (c.trustedIssuers[0].grantsDelegation = true), `${R}.trustedIssuers[0].grantsDelegation: needs localSubjects: true (a grant names a party in the issuer's namespace, and only local parties request over WS-Trust)`],
  ["localSubjects type", (c) => (c.trustedIssuers[1].localSubjects = "yes"), `${R}.trustedIssuers[1].localSubjects: expected true or false, got "yes"`],
  ["user in a trusted issuer's namespace", (c) => (c.users[0].username = "https://idp.example.org#alice"), `${R}.users[0].username: "https://idp.example.org#alice" lies in the namespace of trusted issuer "https://idp.example.org"`],
  ["service account in a trusted issuer's namespace", (c) => (c.serviceAccounts[0].username = "urn:idp:saml#svc"), `${R}.serviceAccounts[0].username: "urn:idp:saml#svc" lies in the namespace of trusted issuer "urn:idp:saml"`],
  ["whitespace in a name", (c) => (c.users[0].username = " alice"), `${R}.users[0].username: expected a non-empty string without control characters, unpaired surrogates or surrounding spaces, got " alice"`],
  ["unpaired surrogate in a claim name", (c) => (c.users[0].claims = { "dept\ud800": "x" }), `${R}.users[0].claims (claim name): expected a non-empty string without control characters, unpaired surrogates or surrounding spaces, got "dept\\ud800"`],
  ["paired surrogates are text", (c) => ((c.users[0].claims = { "dept\ud83d\ude00": "x" }), (c.users[0].username = "")), `${R}.users[0].username: expected a non-empty string without control characters, unpaired surrogates or surrounding spaces, got ""`],
];

describe("every error names its field", () => {
  it("the base configuration is valid", () => {
    const { cfg, env } = base();
    expect(issuesOf(cfg, env)).toEqual([]);
  });
  for (const [name, mutate, line] of CASES) {
    it(name, () => {
      const { cfg, env } = base();
      mutate(cfg, env);
      expect(issuesOf(cfg, env)).toEqual([line]);
    });
  }
});

describe("trusted issuers' namespaces", () => {
  it("a local name may look qualified when no namespaced issuer claims it, and resource servers resolve aliases", () => {
    const { cfg, env } = base();
    cfg.users[0].username = "https://other.example#alice";
    Object.assign(cfg.trustedIssuers[0], { localSubjects: true, grantsDelegation: true });
    cfg.serviceAccounts[0].username = "https://idp.example.org#svc";
    cfg.oauthClients[0].resourceServerFor = ["https://api.example.org/v1", "urn:example:rp"];
    const c = validateConfig(cfg, env);
    expect(c.trustedIssuers[0]).toMatchObject({ localSubjects: true, grantsDelegation: true });
    expect(c.oauthClients.get("c1")!.resourceServerFor).toEqual(["https://api.example.org/", "urn:example:rp"]);
  });
});

describe("key algorithms", () => {
  it("accepts ES384 with a current P-384 key (and reads its curve from PKCS#8)", async () => {
    const { cfg, env } = base();
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const der = await buildSelfSignedCertificate({ ...pair, commonName: "p384", notBefore: new Date(Date.UTC(2026, 0, 1)), notAfter: new Date(Date.UTC(2036, 0, 1)) });
    const pkcs8 = derToPem(new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer), "PRIVATE KEY");
    cfg.keys[1] = { status: "current", privateKeySecret: "P384", certificate: derToPem(der, "CERTIFICATE") };
    cfg.relyingParties[1].jwtSignatureAlgorithm = "ES384";
    cfg.relyingParties[0].tokenTypes = ["saml2"];
    expect(issuesOf(cfg, { ...env, P384: pkcs8 })).toEqual([]);
    // The P-384 private key with the P-256 certificate is no key pair, and is said to be none.
    cfg.keys[1] = { status: "current", privateKeySecret: "P384", certificate: EC.certificatePem };
    expect(issuesOf(cfg, { ...env, P384: P384_PKCS8 })).toEqual([
      `${R}.keys[1].privateKeySecret: holds an EC P-384 private key, but the certificate's key is EC P-256: give the private key of the certificate's key pair`,
    ]);
  });
  it("refuses an RSA key under 2048 bits as a signing key, current or not, and as a decryption key", async () => {
    const weak = await certificate({ subject: "weak", key: { rsaBits: 1024 } });
    const { cfg, env } = base();
    cfg.keys[0] = { kid: "rsa1", status: "current", privateKeySecret: "WEAK_KEY", certificateSecret: "WEAK_CERT" };
    cfg.keys.push({ kid: "old", status: "previous", certificate: weak.pem });
    cfg.decryptionKeys = [{ status: "current", privateKeySecret: "WEAK_KEY", certificate: weak.pem }];
    const WEAK = "the certificate has an RSA key of 1024 bits; at least 2048 are needed";
    expect(issuesOf(cfg, { ...env, WEAK_KEY: weak.keyPem, WEAK_CERT: weak.pem })).toEqual([
      `${R}.keys[0].certificateSecret: secret binding "WEAK_CERT": ${WEAK}`,
      `${R}.keys[2].certificate: ${WEAK}`,
      `${R}.decryptionKeys[0].certificate: ${WEAK}`,
    ]);
    // The same shape with a 2048-bit key passes.
    const strong = await certificate({ subject: "strong", key: { rsaBits: 2048 } });
    cfg.keys.pop();
    cfg.decryptionKeys = [];
    expect(issuesOf(cfg, { ...env, WEAK_KEY: strong.keyPem, WEAK_CERT: strong.pem })).toEqual([]);
  });
  it("asks for an EC key when a SAML party signs with ECDSA", () => {
    const { cfg, env } = base();
    cfg.keys = [cfg.keys[0]];
    cfg.relyingParties = [{ identifier: "urn:x", defaultTokenType: "saml2", tokenTypes: ["saml2"], xmlSignatureAlgorithm: "ecdsa-sha256" }];
    cfg.oauthClients = [];
    cfg.serviceAccounts = [];
    expect(issuesOf(cfg, env)).toEqual([
      `${R}.relyingParties[0].xmlSignatureAlgorithm: ecdsa-sha256 needs a current EC key with privateKeySecret, and none is configured`,
    ]);
  });
  it("ignores a JWS algorithm when the party takes no JWTs", () => {
    const { cfg, env } = base();
    cfg.keys = [cfg.keys[0]];
    cfg.relyingParties[0].tokenTypes = ["saml2", "saml1"];
    cfg.relyingParties[1] = { identifier: "urn:y", defaultTokenType: "jwt", jwtSignatureAlgorithm: "RS256" };
    cfg.oauthClients = [];
    expect(issuesOf(cfg, env)).toEqual([]);
  });
});

describe("reporting", () => {
  it("collects every problem, one per line", () => {
    const { cfg, env } = base();
    cfg.relyingParties[1].defaultTokenType = "saml3";
    delete env.ALICE_PW;
    cfg.limits.maxBatchItems = 0;
    let err: unknown;
    try {
      validateConfig(cfg, env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(
      [
        `${R}.limits.maxBatchItems: expected an integer from 1 to 1000, got 0`,
        `${R}.relyingParties[1].defaultTokenType: expected one of saml2, saml1, jwt, access_token, got "saml3"`,
        `${R}.users[0].passwordHashSecret: names a secret binding that is not set (the name is not shown, as it may be the secret itself)`,
      ].join("\n"),
    );
    expect((err as ConfigError).code).toBe("config_invalid");
  });
  it("never echoes a secret value", () => {
    const { cfg, env } = base();
    env.ALICE_PW = "hunter2-plaintext";
    expect(issuesOf(cfg, env).join("\n")).not.toContain("hunter2");
  });
  it("never quotes a secret written where its binding's name belongs", () => {
    const { cfg, env } = base();
    const values = {
      web: "Zq3xR9tLk2VwY7pN4sJ8dF6gH1mB5cA0eU",
      pairwise: "q1iLeXS2vH4SURvm+zVcKg/9dkTR4co9pNjfw6CLNKu=",
      hash: String(env.C1_HASH),
      key: String(env.RSA_KEY),
    };
    cfg.webSessionSecret = values.web;
    cfg.pairwiseSubjectSecret = values.pairwise;
    cfg.oauthClients[0].secretHashSecret = values.hash;
    cfg.keys[0].privateKeySecret = values.key;
    cfg.users[0].passwordHashSecret = 20261206;
    const issues = issuesOf(cfg, env);
    expect(issues).toEqual([
      `${R}.keys[0].privateKeySecret: ${NOT_A_NAME}`,
      `${R}.users[0].passwordHashSecret: ${NOT_A_NAME}`,
      `${R}.oauthClients[0].secretHashSecret: ${NOT_A_NAME}`,
      `${R}.webSessionSecret: names a secret binding that is not set (the name is not shown, as it may be the secret itself)`,
      `${R}.pairwiseSubjectSecret: ${NOT_A_NAME}`,
    ]);
    const text = issues.join("\n");
    for (const v of [values.web, values.pairwise.slice(0, 12), values.hash.slice(0, 16), "BEGIN PRIVATE", values.key.split("\n")[1]!.slice(0, 12), "20261206"]) expect(text).not.toContain(v);
  });
  it("rejects a non-object configuration", () => {
    expect(issuesOf([], {})).toEqual([`${R}: expected an object, got an array`]);
    expect(issuesOf(null, {})).toEqual([`${R}: expected an object, got null`]);
  });
  it("accepts a URN issuer (SAML entity IDs may be URNs)", () => {
    const { cfg, env } = base();
    cfg.issuer = "urn:example:sts";
    expect(validateConfig(cfg, env).issuer).toBe("urn:example:sts");
  });
});

describe("uriKey: when two URIs name one party", () => {
  it("folds scheme and host case, percent-encoding hex, default ports, an empty path and one trailing slash (RFC 3986 §6.2.2.1, §6.2.3)", () => {
    for (const [a, b] of [
      ["https://API.example.com/", "https://api.example.com"],
      ["https://api.example.com:443/", "https://api.example.com"],
      ["HTTPS://api.example.com:0443", "https://api.example.com"],
      ["http://a.example:80/x/", "http://a.example/x"],
      ["https://a.example:/?q", "https://a.example/?q"],
      ["https://a.example/%7e%2f", "https://a.example/%7E%2F"],
      ["https://User@A.example/", "https://User@a.example"],
      ["https://[::1]:8443/", "https://[::1]:8443"],
      ["API://Guid-1/", "api://guid-1"],
      [" https://a.example// ", "https://a.example/"],
    ]) expect(uriKey(a!), a).toBe(b);
  });
  it("keeps what is case-sensitive: paths, queries, userinfo, a URN's namespace-specific string (RFC 8141 §3.1)", () => {
    expect(uriKey("https://a.example/Path?Q=A")).toBe("https://a.example/Path?Q=A");
    expect(uriKey("https://a.example:8443/")).toBe("https://a.example:8443");
    expect(uriKey("URN:Example:rp")).toBe("urn:example:rp");
    expect(uriKey("urn:example:RP")).toBe("urn:example:RP");
    expect(uriKey("urn:example:a%2fb")).toBe("urn:example:a%2Fb");
    expect(uriKey("urn:x/")).toBe("urn:x/");
    expect(uriKey("Spn:Host/A")).toBe("spn:Host/A");
    expect(uriKey("not a uri")).toBe("not a uri");
  });
  it("ignores XML white space around a URI, not a no-break space or another Unicode space", () => {
    expect(uriKey("\t\r\n urn:example:rp \n")).toBe("urn:example:rp");
    for (const space of ["\u00a0", "\u2003", "\u3000", "\ufeff", "\u2028"]) {
      expect(uriKey(`urn:example:rp${space}`)).not.toBe(uriKey("urn:example:rp"));
      expect(uriKey(`${space}https://api.example.com/`)).not.toBe(uriKey("https://api.example.com"));
    }
  });
});

describe("relying-party identifiers that name one party", () => {
  const withParty = (identifier: string) => {
    const { cfg, env } = base();
    cfg.relyingParties.push({ identifier, defaultTokenType: "jwt" });
    return issuesOf(cfg, env);
  };
  it("are duplicates at start: scheme or host case, a default port, the URN namespace identifier's case", () => {
    expect(withParty("https://API.example.org/")).toEqual([`${R}.relyingParties[2].identifier: "https://API.example.org/" duplicates relyingParties[1].identifier`]);
    expect(withParty("HTTPS://api.example.org:443/")).toEqual([`${R}.relyingParties[2].identifier: "HTTPS://api.example.org:443/" duplicates relyingParties[1].identifier`]);
    expect(withParty("URN:EXAMPLE:rp")).toEqual([`${R}.relyingParties[2].identifier: "URN:EXAMPLE:rp" duplicates relyingParties[0].identifier`]);
    // The namespace-specific string is case-sensitive, and a path is: other parties.
    expect(withParty("urn:example:RP")).toEqual([]);
    expect(withParty("https://api.example.org/V1")).toEqual([]);
  });
  it("and a request's AppliesTo / audience finds its party spelled either way", () => {
    const { cfg, env } = base();
    const config = validateConfig(cfg, env);
    for (const t of ["https://API.example.org:443", "https://api.example.org/", "https://api.EXAMPLE.org/v1/"]) {
      expect(lookupRelyingParty(config, t)?.identifier, t).toBe("https://api.example.org/");
    }
    expect(lookupRelyingParty(config, "URN:Example:rp")?.identifier).toBe("urn:example:rp");
    expect(lookupRelyingParty(config, "urn:example:RP")).toBeUndefined();
    expect(lookupRelyingParty(config, "https://api.example.org:8443/")).toBeUndefined();
  });
});

describe("sections in their own bindings", () => {
  it("reads a { $binding } section from the named binding", () => {
    const { cfg, env } = base();
    env.RPS = JSON.stringify(cfg.relyingParties);
    cfg.relyingParties = { $binding: "RPS" };
    env.LIMITS = { maxBatchItems: 4 };
    cfg.limits = { $binding: "LIMITS" };
    const c = validateConfig(cfg, env);
    expect(c.relyingParties.map((r) => r.identifier)).toEqual(["urn:example:rp", "https://api.example.org/"]);
    expect(c.limits.maxBatchItems).toBe(4);
  });
  it("names the section when the binding is missing, malformed or mistyped", () => {
    const { cfg, env } = base();
    cfg.users = { $binding: "USERS" };
    cfg.trustedIssuers = { $binding: "TI" };
    cfg.limits = { $binding: "L", extra: 1 };
    const issues = issuesOf(cfg, { ...env, TI: '[{"issuer": "s3cr3t' });
    expect(issues[0]).toBe(`${R}.users: binding "USERS" is not set`);
    expect(issues[1]).toBe(`STS_CONFIG.trustedIssuers: binding "TI" is not valid JSON: a string is not closed at line 1, column 20`);
    expect(issues.join("\n")).not.toContain("s3cr3t");
    expect(issues[2]).toBe(`${R}.limits: expected { "$binding": "BINDING_NAME" } and nothing else, got an object`);
    expect(issues).toHaveLength(3);
  });
  it("a required section whose binding is missing or not JSON is reported once, for its binding", () => {
    const { cfg, env } = base();
    cfg.relyingParties = { $binding: "RPS" };
    cfg.keys = { $binding: "KEYS" };
    expect(issuesOf(cfg, { ...env, RPS: '[{"identifier": "urn:x",}]' })).toEqual([
      `${R}.keys: binding "KEYS" is not set`,
      `${R}.relyingParties: binding "RPS" is not valid JSON: a property name in double quotes was expected at line 1, column 25`,
    ]);
  });
});

describe("decryptionKeys", () => {
  it("resolves RSA decryption keys, current first, and refuses a signing key reused, an EC key and two current", async () => {
    const { DEV_DECRYPTION_KEY } = await import("../../src/config/dev-keys.ts");
    const { cfg, env } = base();
    cfg.decryptionKeys = [
      { status: "previous", privateKeySecret: "RSA_KEY", certificate: RSA.certificatePem },
      { status: "current", privateKeySecret: "DEC_KEY", certificate: DEV_DECRYPTION_KEY.certificatePem },
    ];
    const withDec = { ...env, DEC_KEY: DEV_DECRYPTION_KEY.privateKeyPem };
    expect(issuesOf(cfg, withDec)).toEqual([`${R}.decryptionKeys[0]: is also a signing key (the same public key); use a separate key pair for decryption`]);
    cfg.decryptionKeys.shift();
    expect(validateConfig(cfg, withDec).decryptionKeys.map((k) => k.status)).toEqual(["current"]);
    cfg.decryptionKeys.push({ status: "current", privateKeySecret: "EC_KEY", certificate: DEV_DECRYPTION_KEY.certificatePem });
    expect(issuesOf(cfg, withDec)).toEqual([
      `${R}.decryptionKeys[1].status: decryptionKeys[0] is already current; mark one of them next or previous`,
      `${R}.decryptionKeys[1].privateKeySecret: secret binding "EC_KEY": key transport needs an RSA key`,
      `${R}.decryptionKeys[1].certificate: the same certificate as decryptionKeys[0]`,
    ]);
  });

  it("refuses the same certificate listed twice: a rotation that rotates nothing", async () => {
    const { DEV_DECRYPTION_KEY } = await import("../../src/config/dev-keys.ts");
    const { cfg, env } = base();
    const key = { privateKeySecret: "DEC_KEY", certificate: DEV_DECRYPTION_KEY.certificatePem };
    cfg.decryptionKeys = [{ ...key, status: "current" }, { ...key, status: "next" }];
    expect(issuesOf(cfg, { ...env, DEC_KEY: DEV_DECRYPTION_KEY.privateKeyPem })).toEqual([
      `${R}.decryptionKeys[1].certificate: the same certificate as decryptionKeys[0]`,
    ]);
  });
});

describe("trustedIssuers[].certificates, read at start", () => {
  const issuesWith = (...certificates: string[]) => {
    const { cfg, env } = base();
    cfg.trustedIssuers[1].certificates = [RSA.certificatePem, ...certificates];
    return issuesOf(cfg, env);
  };
  const C = `${R}.trustedIssuers[1].certificates[1]`;

  it("refuses one that does not parse, naming the field", () => {
    expect(issuesWith(derToPem(Uint8Array.of(0x30, 0x00, 0x00), "CERTIFICATE"))).toEqual([`${C}: the certificate cannot be read (trailing data after DER value)`]);
  });

  it("refuses a key type the STS cannot verify with (Ed25519)", async () => {
    const ed = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const spki = new Uint8Array((await crypto.subtle.exportKey("spki", ed.publicKey)) as ArrayBuffer);
    expect(issuesWith((await certificateDer({ subject: "ed", spki })).pem)).toEqual([
      `${C}: the certificate cannot be read (its public key algorithm Ed25519 (1.3.101.112) is not supported; RSA and EC keys are)`,
    ]);
  });

  it("refuses an RSA key under 2048 bits; accepts 2048 bits and P-256", async () => {
    expect(issuesWith((await certificate({ subject: "weak", key: { rsaBits: 1024 } })).pem)).toEqual([`${C}: the certificate has an RSA key of 1024 bits; at least 2048 are needed`]);
    expect(issuesWith((await certificate({ subject: "strong", key: { rsaBits: 2048 } })).pem, (await certificate({ subject: "ec" })).pem)).toEqual([]);
  });
});

describe("inline JWKS keys that could verify nothing are refused at start", () => {
  const exported = async (params: Parameters<typeof crypto.subtle.generateKey>[0]) =>
    // As configuration holds it: JSON (workerd's exported object also lists absent members).
    JSON.parse(JSON.stringify(await crypto.subtle.exportKey("jwk", ((await crypto.subtle.generateKey(params, true, ["sign", "verify"])) as CryptoKeyPair).publicKey))) as Record<string, unknown>;
  const rsa = (bits: number) => exported({ name: "RSASSA-PKCS1-v1_5", modulusLength: bits, publicExponent: Uint8Array.of(1, 0, 1), hash: "SHA-256" });
  const issuesWith = (keys: unknown[], extra: Record<string, unknown> = {}) => {
    const { cfg, env } = base();
    cfg.trustedIssuers[0] = { issuer: "https://idp.example.org", kind: "jwt", jwks: { keys }, ...extra };
    return issuesOf(cfg, env);
  };
  const K = `${R}.trustedIssuers[0].jwks.keys`;

  it("malformed members, a point off its curve, a weak RSA key", async () => {
    const ec = await exported({ name: "ECDSA", namedCurve: "P-256" });
    const offCurve = { ...ec, y: ec.x };
    expect(issuesWith([
      { kty: "RSA", kid: "k1", n: "!!", e: "AQAB" },
      { kty: "EC", kid: "k1", crv: "P-256", x: "AAAA", y: "AAAA" },
      offCurve,
      await rsa(1024),
    ])).toEqual([
      `${K}[0]: needs n and e as base64url unsigned integers (RFC 7518 §6.3.1)`,
      `${K}[1]: needs x and y as base64url of 32 bytes each (RFC 7518 §6.2.1)`,
      `${K}[2]: has a point (x, y) that is not on P-256`,
      `${K}[3]: is an RSA key of 1024 bits; at least 2048 are needed`,
    ]);
  });

  it("an RSA modulus's size is its bits, however many zero bytes lead its encoding", async () => {
    const weak = await rsa(1024);
    const n = fromBase64Url(weak.n as string)!;
    // 1024 bits behind 130 zero bytes: 2064 bits of encoding, still a 1024-bit key.
    const padded = toBase64Url(new Uint8Array([...new Uint8Array(130), ...n]));
    expect(issuesWith([{ ...weak, n: padded }])).toEqual([`${K}[0]: is an RSA key of 1024 bits; at least 2048 are needed`]);
  });

  it("a key none of the issuer's algorithms verifies with, or whose alg, use or key_ops rule it out", async () => {
    const { kty, crv, x } = await exported({ name: "Ed25519" });
    const ed = { kty, crv, x };
    const p384 = await exported({ name: "ECDSA", namedCurve: "P-384" });
    const good = await rsa(2048);
    expect(issuesWith([ed, p384, { ...good, alg: "RS512" }, { ...good, use: "enc" }, { ...good, key_ops: ["encrypt"] }])).toEqual([
      `${K}[0]: is an OKP Ed25519 key, which none of the allowed algorithms (RS256, ES256) verifies with`,
      `${K}[1]: is an EC P-384 key, which none of the allowed algorithms (RS256, ES256) verifies with`,
      `${K}[2]: has alg "RS512", which is not one of the allowed algorithms (RS256, ES256)`,
      `${K}[3]: has use "enc": only "sig" keys verify signatures`,
      `${K}[4]: has key_ops without "verify"`,
    ]);
    // The same keys pass where an algorithm fits them: P-384 with ES384, RS512 allowed, and
    // Ed25519 for a client (EdDSA client assertions).
    expect(issuesWith([p384, { ...good, alg: "RS512", use: "sig", key_ops: ["verify"] }], { algorithms: ["ES384", "RS512"] })).toEqual([]);
    const { cfg, env } = base();
    cfg.oauthClients[0].jwks = { keys: [ed] };
    expect(issuesOf(cfg, env)).toEqual([]);
  });
});

describe("decryptionKeys and signing keys are separate key pairs", () => {
  it("refuses the signing key pair under a re-issued certificate; another key pair passes", async () => {
    const pair = await keyPair({ rsaBits: 2048 });
    const signing = await certificate({ subject: "signing", key: pair });
    const reissued = await certificate({ subject: "decryption", key: pair });
    const other = await certificate({ subject: "decryption", key: { rsaBits: 2048 } });
    const { cfg, env } = base();
    cfg.keys[0] = { kid: "rsa1", status: "current", privateKeySecret: "SIGNING_KEY", certificate: signing.pem };
    cfg.decryptionKeys = [{ status: "current", privateKeySecret: "SIGNING_KEY", certificate: reissued.pem }];
    const secrets = { ...env, SIGNING_KEY: signing.keyPem, OTHER_KEY: other.keyPem };
    expect(issuesOf(cfg, secrets)).toEqual([`${R}.decryptionKeys[0]: is also a signing key (the same public key); use a separate key pair for decryption`]);
    cfg.decryptionKeys = [{ status: "current", privateKeySecret: "OTHER_KEY", certificate: other.pem }];
    expect(issuesOf(cfg, secrets)).toEqual([]);
  });
});

describe("requestorCertificates.authorities that could authenticate nobody", () => {
  const issuesWith = (authority: string) => {
    const { cfg, env } = base();
    withCertificates(cfg).requestorCertificates.authorities.push(authority);
    return issuesOf(cfg, env);
  };
  const A = `${R}.requestorCertificates.authorities[1]`;

  it("a CA with an RSA key under 2,048 bits is refused, naming its size; a 2,048-bit one is accepted", async () => {
    expect(issuesWith((await authority("Good CA", { key: { rsaBits: 2048 } })).pem)).toEqual([]);
    expect(issuesWith((await authority("Weak CA", { key: { rsaBits: 1024 } })).pem)).toEqual([
      `${A}: has an RSA key of 1024 bits; at least 2048 are needed, so no certificate it issued would authenticate anyone`,
    ]);
  });

  it("a CA whose keyUsage lacks keyCertSign is refused (a control with keyCertSign passes)", async () => {
    expect(issuesWith((await authority("Signing CA", { extensions: [basicConstraints(true), keyUsage(KEY_USAGE.keyCertSign | KEY_USAGE.digitalSignature)] })).pem)).toEqual([]);
    expect(issuesWith((await authority("No keyCertSign CA", { extensions: [basicConstraints(true), keyUsage(KEY_USAGE.digitalSignature)] })).pem)).toEqual([
      `${A}: has a keyUsage without keyCertSign, so no certificate it issued would authenticate anyone`,
    ]);
  });

  it("a CA with nameConstraints, critical or not, is refused: the STS does not apply them (a control without them passes)", async () => {
    const permitted = nameConstraints(name("Permitted"));
    expect(issuesWith((await authority("Unconstrained CA")).pem)).toEqual([]);
    for (const critical of [false, true]) {
      expect(issuesWith((await authority("Constrained CA", { extensions: [...CA_EXTENSIONS, extension("2.5.29.30", permitted, critical)] })).pem)).toEqual([
        `${A}: has name constraints, which this STS does not apply, so no certificate it issued would authenticate anyone`,
      ]);
    }
  });

  it("a CA with an unknown critical extension, or an extendedKeyUsage without clientAuth, is refused", async () => {
    const critical = extension("1.2.3.4.5", Uint8Array.of(5, 0), true);
    expect(issuesWith((await authority("Critical CA", { extensions: [...CA_EXTENSIONS, critical] })).pem)).toEqual([
      `${A}: has a critical extension this STS does not understand (1.2.3.4.5), so no certificate it issued would authenticate anyone`,
    ]);
    expect(issuesWith((await authority("Server CA", { extensions: [...CA_EXTENSIONS, extendedKeyUsage([EKU.serverAuth])] })).pem)).toEqual([
      `${A}: has an extended key usage that does not include client authentication, so no certificate it issued would authenticate anyone`,
    ]);
  });
});
