import { DEV_CA_CERT_PEM, DEV_KEY_MATERIALS, DEV_SECURE_RP_CERT_PEM } from "../../src/config/dev-keys.ts";
import { ConfigError, validateConfig } from "../../src/config/validate.ts";

export const RSA = DEV_KEY_MATERIALS[0]!;
export const EC = DEV_KEY_MATERIALS[1]!;
/** A second RSA signing key pair (the development "next" key). */
export const RSA_NEXT = DEV_KEY_MATERIALS[2]!;

/** Generated with node:crypto for this test only (never used to sign anything). */
export const P384_PKCS8 = `-----BEGIN PRIVATE KEY-----
MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDAMEgw10CqAQjTz9CBa
bSKc5taWBhR+J3omK370bEDlXj68QwTkiK4ZrpmEMVPglAShZANiAATSkmZLz8uR
KcOikqfC+lchMmn5xRXWY+90GcsNamtXsJ0WoEqZ7rspO/odMJUoMqm2ngdypZSd
6GHNRNHtLJ96fOFjWHYKTu+hoFWUnijLRnTsODa4El9h/Qp03MIQnq0=
-----END PRIVATE KEY-----`;

/** RFC 8410 §10.3 example Ed25519 private key. */
export const ED25519_PKCS8 = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC
-----END PRIVATE KEY-----`;

/** PBKDF2 of "wonderland" (10,000 iterations, salt 16 x 0x01), computed with node:crypto. */
export const PW_HASH = "pbkdf2-sha256$10000$AQEBAQEBAQEBAQEBAQEBAQ==$+DlILRc55TErTW4PLi0OEtHBbTvBfwEm6Da8AFr+KfE=";
/** sha256("demo-secret"). */
export const SECRET_HASH = "sha256$cd577fe2561ebff23505db0bb006300c7cdecbd46bc0e03c449afafaca2c25bf";

/** A valid production configuration touching every section, and its secrets. */
export function base(): { cfg: Record<string, any>; env: Record<string, unknown> } {
  return {
    cfg: {
      issuer: "https://sts.example.org",
      keys: [
        { kid: "rsa1", status: "current", privateKeySecret: "RSA_KEY", certificate: RSA.certificatePem },
        { kid: "ec1", status: "current", privateKeySecret: "EC_KEY", certificateSecret: "EC_CERT" },
      ],
      users: [{ username: "alice", passwordHashSecret: "ALICE_PW", claims: { email: "a@example.org", role: ["x", "y"] } }],
      relyingParties: [
        { identifier: "urn:example:rp", defaultTokenType: "saml2" },
        { identifier: "https://api.example.org/", aliases: ["https://api.example.org/v1"], defaultTokenType: "jwt" },
      ],
      oauthClients: [
        { clientId: "c1", secretHashSecret: "C1_HASH", allowedAudiences: ["https://api.example.org/v1"] },
      ],
      serviceAccounts: [{ username: "svc", secretHashSecret: "SVC_HASH", allowedRelyingParties: ["urn:example:rp"] }],
      trustedIssuers: [
        { issuer: "https://idp.example.org", kind: "jwt", jwksUri: "https://idp.example.org/jwks" },
        { issuer: "urn:idp:saml", kind: "saml", certificates: [RSA.certificatePem] },
      ],
      limits: { maxBatchItems: 8 },
    },
    env: {
      RSA_KEY: RSA.privateKeyPem,
      RSA_NEXT_KEY: RSA_NEXT.privateKeyPem,
      EC_KEY: EC.privateKeyPem,
      EC_CERT: EC.certificatePem,
      ALICE_PW: PW_HASH,
      C1_HASH: SECRET_HASH,
      SVC_HASH: SECRET_HASH,
    },
  };
}

/** The issue lines validation reports ([] when valid). */
export function issuesOf(cfg: unknown, env: Record<string, unknown>): readonly string[] {
  try {
    validateConfig(cfg, env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
}

/** A certificate that is not a CA's (the development relying party's encryption certificate). */
export const NOT_A_CA_PEM = DEV_SECURE_RP_CERT_PEM;

/** `cfg` with requestor certificates: the development CA for alice, partner-idp's certificate pinned for svc. */
export function withCertificates(cfg: Record<string, any>): Record<string, any> {
  cfg.requestorCertificates = {
    authorities: [DEV_CA_CERT_PEM],
    principals: [
      { subjectCommonName: "alice", principal: "alice" },
      { sha256: "F0:42:B7:02:DB:E4:E3:6A:71:15:0B:C4:B1:8F:46:E4:54:93:3D:69:1A:93:E9:51:D9:25:7F:1B:72:32:C0:64", principal: "svc" },
    ],
  };
  return cfg;
}
