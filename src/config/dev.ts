/**
 * DEVELOPMENT ONLY — the embedded development configuration (the README's "Development
 * credentials" lists it). Used by `npm start`, `npm run serve` and the tests when no
 * `STS_CONFIG` is provided and `STS_DEV_MODE` is set; a deployed worker never falls back to it
 * (see `load.ts`). Its keys are published in the repository and its credentials are documented.
 *
 * Nothing here is a plaintext credential: passwords are embedded as PBKDF2 hashes and client /
 * service-account secrets as SHA-256 hashes, precomputed with `npm run sts -- config
 * hash-password` / `hash-secret` (cross-checked against node:crypto). The hashes sit in
 * `DEV_SECRETS`, a binding-name → value map standing in for the Worker's secrets, so the
 * development configuration goes through exactly the same `validateConfig` path as production.
 *
 * | principal     | credential                              |
 * |---------------|-----------------------------------------|
 * | alice         | wonderland                              |
 * | bob           | builder                                 |
 * | demo-client   | demo-secret                             |
 * | rp-validator  | rp-validator-secret-0f1e2d3c4b5a6978    |
 * | sts-admin     | sts-admin-secret-5e4d3c2b1a0f9e8d       |
 * | user-admin    | user-admin-secret-7a6b5c4d3e2f1a0b      |
 * | dave (directory) | directory-pass-1                     |
 * | carol (realm2) | wonderland2                            |
 */
import type { KeyConfigInput, StsConfigInput } from "./types.ts";
import { DEV_REALM2, DEV_REALM2_SECRETS } from "./dev-realm2.ts";
import { DEV_CA_CERT_PEM, DEV_DECRYPTION_KEY, DEV_KEY_MATERIALS, DEV_PARTNER_IDP_CERT_PEM, DEV_SECURE_RP_CERT_PEM } from "./dev-keys.ts";

const RP_SAML = "urn:example:rp";
const RP_API = "https://api.example.com/";
/** Receives every token encrypted (its private key is published: test/fixtures/dev-credentials/). */
const RP_SECURE = "urn:example:secure-rp";
/** Pairwise subjects, each in its own sector: the two see unlinkable pseudonyms of one user. */
const RP_PAIRWISE_SAML = "urn:example:pairwise-rp";
const RP_PAIRWISE_API = "https://pairwise-api.example.com/";

/** DEVELOPMENT ONLY: stand-in for Worker secrets (binding name → value). */
export const DEV_SECRETS: Readonly<Record<string, string>> = Object.freeze({
  // PBKDF2-HMAC-SHA256, 100,000 iterations, of "wonderland" and "builder".
  DEV_ALICE_PASSWORD_HASH:
    "pbkdf2-sha256$100000$CnrwDfUF3jNZok2cP8P3cg==$6Uj7rPOUCKV96DI2w/TWjM0CIwXloS+YW8Uy9XBA2dU=",
  DEV_BOB_PASSWORD_HASH:
    "pbkdf2-sha256$100000$lNOp1ZFNiBcpJffoK4ZRrQ==$yxlBUiQAT2xSVZQZL+TaZ6WcUpZEvYrSlCHWjhtCFGI=",
  // SHA-256 of "demo-secret" and "rp-validator-secret-0f1e2d3c4b5a6978".
  DEV_DEMO_CLIENT_SECRET_HASH: "sha256$cd577fe2561ebff23505db0bb006300c7cdecbd46bc0e03c449afafaca2c25bf",
  DEV_RP_VALIDATOR_SECRET_HASH: "sha256$156c943078714e20df9d20b17c7676a1a59b19083e9aeb81e1631870f55b2a9f",
  // SHA-256 of "sts-admin-secret-5e4d3c2b1a0f9e8d" (administrative subject revocation).
  DEV_STS_ADMIN_SECRET_HASH: "sha256$afe47ac10cd278ecc70feb03b442e8c3ffd10b873c8c7187a3a313f1b277d3e2",
  // SHA-256 of "user-admin-secret-7a6b5c4d3e2f1a0b" (the user directory's administration).
  DEV_USER_ADMIN_SECRET_HASH: "sha256$bb337544dba5d47ab3cb899a2c172ba0ca06bda1bcf035126514a98756672f0b",
  DEV_DECRYPTION_KEY_PRIVATE: DEV_DECRYPTION_KEY.privateKeyPem,
  ...DEV_REALM2_SECRETS,
  // base64 of the text "DEVELOPMENT ONLY - published pairwise subject secret" (52 bytes): the
  // development pseudonyms are computable by anyone who reads this.
  DEV_PAIRWISE_SUBJECT_SECRET: "REVWRUxPUE1FTlQgT05MWSAtIHB1Ymxpc2hlZCBwYWlyd2lzZSBzdWJqZWN0IHNlY3JldA==",
  // Keys browser sign-in session cookies and form tokens (published: development only).
  DEV_WEB_SESSION_SECRET: "development-web-session-secret-0123456789abcdef",
  // The published development private keys (src/config/dev-keys.ts).
  ...Object.fromEntries(
    DEV_KEY_MATERIALS.flatMap((m, i) => (m.privateKeyPem ? [[`DEV_KEY_${i}_PRIVATE`, m.privateKeyPem]] : [])),
  ),
});

const devKeys: KeyConfigInput[] = DEV_KEY_MATERIALS.map((m, i) => ({
  ...(m.kid === undefined ? {} : { kid: m.kid }),
  status: m.status,
  ...(m.privateKeyPem ? { privateKeySecret: `DEV_KEY_${i}_PRIVATE` } : {}),
  certificate: m.certificatePem,
}));

/**
 * DEVELOPMENT ONLY. No `issuer`: metadata and tokens use the origin the request came to, so
 * any port works. Relying parties accept every token type (the default when `tokenTypes` is
 * omitted). Claim names are short (`email`, `given_name`, `role`); the SAML layer maps them to
 * claim-type URIs.
 */
export const DEV_CONFIG: StsConfigInput = {
  keys: devKeys,
  webSessionSecret: "DEV_WEB_SESSION_SECRET",
  decryptionKeys: [{ status: "current", privateKeySecret: "DEV_DECRYPTION_KEY_PRIVATE", certificate: DEV_DECRYPTION_KEY.certificatePem }],
  users: [
    {
      username: "alice",
      passwordHashSecret: "DEV_ALICE_PASSWORD_HASH",
      claims: { email: "alice@example.com", given_name: "Alice", role: ["admin", "user"] },
    },
    {
      username: "bob",
      passwordHashSecret: "DEV_BOB_PASSWORD_HASH",
      claims: { email: "bob@example.com", role: ["user"] },
    },
  ],
  relyingParties: [
    {
      identifier: RP_SAML,
      defaultTokenType: "saml2",
      replyUrls: ["http://127.0.0.1:9780/wsfed", "http://localhost:9780/wsfed"],
      // Every claim as it is, plus the role under the claim type WIF and AD FS relying parties
      // read (JWT: `roles`) and a UPN made from the user name (JWT: `upn`).
      claimRules: [
        { claim: "*" },
        { claim: "role", as: { saml: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role", jwt: "roles" } },
        { template: "{subject}@example.com", as: { saml: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", jwt: "upn" } },
      ],
    },
    { identifier: RP_API, defaultTokenType: "jwt" },
    {
      identifier: RP_SECURE,
      defaultTokenType: "saml2",
      encryption: {
        certificates: [{ certificate: DEV_SECURE_RP_CERT_PEM, status: "current" }],
        dataAlgorithm: "aes256-gcm",
        keyTransport: "rsa-oaep-mgf1p",
      },
      keyTypes: ["bearer", "symmetric", "public-key"],
      replyUrls: ["http://127.0.0.1:9781/wsfed"],
    },
    // Only the role is released: an e-mail address or name would name the user to both
    // relying parties and defeat the pseudonym.
    { identifier: RP_PAIRWISE_SAML, defaultTokenType: "saml2", subjectType: "pairwise", sectorIdentifier: "urn:example:sector:pairwise-rp", claims: ["role"] },
    { identifier: RP_PAIRWISE_API, defaultTokenType: "jwt", subjectType: "pairwise", sectorIdentifier: "https://pairwise-api.example.com/sector", claims: ["role"] },
  ],
  pairwiseSubjectSecret: "DEV_PAIRWISE_SUBJECT_SECRET",
  oauthClients: [
    {
      clientId: "demo-client",
      secretHashSecret: "DEV_DEMO_CLIENT_SECRET_HASH",
      allowedAudiences: [RP_SAML, RP_API, RP_SECURE, RP_PAIRWISE_SAML, RP_PAIRWISE_API],
      allowedActors: ["*"],
      // It also plays the development relying parties' resource server, so any token issued
      // for them can be introspected from the command line.
      resourceServerFor: [RP_SAML, RP_API, RP_SECURE, RP_PAIRWISE_SAML, RP_PAIRWISE_API],
    },
  ],
  serviceAccounts: [
    {
      username: "rp-validator",
      secretHashSecret: "DEV_RP_VALIDATOR_SECRET_HASH",
      allowedRelyingParties: [RP_SAML, RP_API, RP_SECURE, RP_PAIRWISE_SAML, RP_PAIRWISE_API],
      operations: ["validate", "renew", "cancel"],
    },
    {
      username: "sts-admin",
      secretHashSecret: "DEV_STS_ADMIN_SECRET_HASH",
      allowedRelyingParties: [RP_SAML, RP_API, RP_SECURE, RP_PAIRWISE_SAML, RP_PAIRWISE_API],
      operations: ["revoke-subject"],
    },
    {
      username: "user-admin",
      secretHashSecret: "DEV_USER_ADMIN_SECRET_HASH",
      allowedRelyingParties: [],
      operations: ["manage-users"],
    },
  ],
  // A federation partner whose signing key is published (test/fixtures/dev-credentials/): its
  // assertions for this STS are accepted as issued tokens, subject tokens, OnBehalfOf and ActAs,
  // their subjects named `urn:example:partner-idp#<name>`.
  // Browser sign-in offers it too: its passive sign-in address is where the interop suite runs a
  // stand-in partner (scripts/interop/wsfed.mjs), nothing listens there otherwise.
  trustedIssuers: [
    {
      issuer: "urn:example:partner-idp", kind: "saml", certificates: [DEV_PARTNER_IDP_CERT_PEM],
      passiveSignInUrl: "http://127.0.0.1:9783/wsfed", displayName: "Partner IdP (development)",
    },
  ],
  // Requestor certificates issued by the development CA; alice-client (CN=alice, published in
  // test/fixtures/dev-credentials/) signs as alice.
  requestorCertificates: {
    authorities: [DEV_CA_CERT_PEM],
    principals: [{ subjectCommonName: "alice", principal: "alice" }],
  },
  // A second realm at realm2.localhost or /realms/realm2 (src/config/dev-realm2.ts).
  realms: [DEV_REALM2],
};

/**
 * DEVELOPMENT ONLY: the users put into the development user directory (USERS_DB) the first time
 * it is used, so that local runs and tests have a directory user without an administration call.
 * dave's password is "directory-pass-1" (PBKDF2-HMAC-SHA256, 100,000 iterations).
 */
export const DEV_DIRECTORY_USERS = Object.freeze([
  Object.freeze({
    username: "dave",
    passwordHash: "pbkdf2-sha256$100000$vFx1zs7bu3vJ7nCghwAqyg==$fq3vpnAAhqvCS1Im+xUo6SeHHEHmuVRzqOqYLjfDPMw=",
    enabled: true,
    claims: { email: ["dave@example.com"], given_name: ["Dave"], role: ["user"] },
  }),
]);

/**
 * Every password hash published here, configured users' and directory users' alike. A directory
 * outlives the configuration it was first used with: a local state directory that a development
 * run seeded still holds dave when `npm run serve` or `npm start` then serves a production
 * configuration on it, and a directory filled from a development export holds whatever hashes
 * it held. Under a production configuration no directory user signs in with one of these.
 */
export const PUBLISHED_PASSWORD_HASHES: ReadonlySet<string> = new Set([
  ...Object.values(DEV_SECRETS).filter((v) => v.startsWith("pbkdf2-sha256$")),
  ...DEV_DIRECTORY_USERS.map((u) => u.passwordHash),
]);

/** Every secret value published here: keys, password and secret hashes, session and pairwise secrets. */
const PUBLISHED_SECRETS: ReadonlySet<string> = new Set([...Object.values(DEV_SECRETS), ...PUBLISHED_PASSWORD_HASHES].map((v) => v.trim()));

/**
 * The names of the bindings among `reads` (a production configuration's, as validation read
 * them) that hold a secret published here: a configuration started from the development one
 * with its secrets copied validates like any other, and anyone can then sign its tokens or sign
 * in to it. Compared without surrounding white space, which `wrangler secret put` trims.
 */
export function publishedBindings(reads: ReadonlyMap<string, unknown>): string[] {
  return [...reads].filter(([, v]) => typeof v === "string" && PUBLISHED_SECRETS.has(v.trim())).map(([name]) => name);
}

/** What the operator is told of configuration bindings that hold a secret published in the repository. */
export function publishedMessage(names: readonly string[]): string {
  return (
    `The secret binding${names.length === 1 ? "" : "s"} ${names.join(", ")} hold${names.length === 1 ? "s" : ""} a value published in this repository ` +
    "(the development configuration's keys, password and secret hashes, src/config/dev.ts): anyone can sign tokens or sign in with it. " +
    "Replace each with one of your own (npm run sts -- keys generate, config hash-password, config generate-secret)"
  );
}
