// Claim rules' cost: the same exchange JWT → JWT and the same Validate-transformation (SAML 2.0
// in, JWT out) for two relying parties that differ only in ten claim rules, interleaved in
// paired rounds (run.mjs pairedRounds: the party without rules is the floor), so the row's
// "of floor" is what the rules cost.
import { API, TT, TX, USERS, form, rst } from "./requests.mjs";

/** The development API's twin with ten claim rules: every kind the language has. */
export const API_RULES = "https://api-rules.example.com/";
const ROLE = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
const ID = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims";
const TEN_RULES = [
  { claim: "email" },
  { claim: "given_name", as: { saml: `${ID}/givenname`, jwt: "first_name" } },
  { claim: "role", as: { saml: ROLE, jwt: "roles" } },
  { claim: "role", as: "groups", map: { admin: "g-admins", user: ["g-users", "g-all"] } },
  { value: "engineering", as: "department" },
  { value: "internal", as: "tier", when: { claim: "role", equals: "admin" } },
  { template: "{subject}@example.com", as: { saml: `${ID}/upn`, jwt: "upn" } },
  { template: "{given_name} <{email}>", as: "display_name" },
  { value: "scratch", as: "scratch" },
  { drop: "scratch" },
];

/** A service account that may transform tokens for both parties (a SHA-256 secret: no PBKDF2 in the row). */
const TRANSFORMER = { user: "bench-transformer", password: USERS.validator.password };

/** The bench configuration's additions: the twin party, the transformer, demo-client's audiences. */
export function withClaimRulesParty(config) {
  const api = config.relyingParties.find((p) => p.identifier === API);
  return {
    ...config,
    relyingParties: [...config.relyingParties, { ...api, identifier: API_RULES, claimRules: TEN_RULES }],
    oauthClients: config.oauthClients.map((c) => (c.clientId === "demo-client" ? { ...c, allowedAudiences: [...c.allowedAudiences, API_RULES] } : c)),
    serviceAccounts: [...config.serviceAccounts, { username: TRANSFORMER.user, secretHashSecret: "DEV_RP_VALIDATOR_SECRET_HASH", allowedRelyingParties: [API, API_RULES], operations: ["issue"] }],
  };
}

/**
 * The scenarios: for each operation a floor (no rules; group baseline, so pairedRounds can run it)
 * and the row with ten rules. `jwt` is alice's JWT, `saml` her SAML 2.0 assertion.
 */
export function claimRulesScenarios({ tokenPath, jwt, saml }) {
  const x = (audience) => form(tokenPath, { grant_type: TX.grant, subject_token: jwt, subject_token_type: TX.jwt, audience, requested_token_type: TX.jwt });
  const t = (appliesTo) => rst({ ...TRANSFORMER, requestType: "Validate", tokenType: TT.jwt, appliesTo, target: saml });
  return [
    { name: "floor: token exchange JWT → JWT, no claim rules", key: "exchange-no-rules", vs: "ecdsa", group: "baseline", req: x(API), expect: '"access_token"' },
    { name: "Token exchange JWT → JWT with ten claim rules", id: "exchange-jwt-jwt-rules", vs: "ecdsa", floor: "exchange-no-rules", req: x(API_RULES), expect: '"access_token"' },
    { name: "floor: Validate-transformation SAML 2.0 → JWT, no claim rules", key: "transform-no-rules", vs: "ecdsa", group: "baseline", req: t(API), expect: "BinarySecurityToken" },
    { name: "Validate-transformation SAML 2.0 → JWT with ten claim rules", id: "transform-rules", vs: "ecdsa", floor: "transform-no-rules", req: t(API_RULES), expect: "BinarySecurityToken" },
  ];
}
