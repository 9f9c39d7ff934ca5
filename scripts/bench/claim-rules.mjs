// Claim rules' cost: the same exchange JWT → JWT and the same Validate-transformation (SAML 2.0
// in, JWT out) for two relying parties that differ only in ten claim rules, interleaved request
// by request in one run, so the row's "of floor" is what the rules cost.
import { API, RP, TT, TX, USERS, form, rst } from "./requests.mjs";

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
  { claim: "*", when: { claim: "role", equals: "admin" } },
  { drop: "family_name" },
];

/**
 * A service account that may validate alice's urn:example:rp token and transform it for both
 * parties (a SHA-256 secret: no PBKDF2 in the row).
 */
const TRANSFORMER = { user: "bench-transformer", password: USERS.validator.password };

/** The bench configuration's additions: the twin party, the transformer, demo-client's audiences. */
export function withClaimRulesParty(config) {
  const api = config.relyingParties.find((p) => p.identifier === API);
  return {
    ...config,
    relyingParties: [...config.relyingParties, { ...api, identifier: API_RULES, claimRules: TEN_RULES }],
    oauthClients: config.oauthClients.map((c) => (c.clientId === "demo-client" ? { ...c, allowedAudiences: [...c.allowedAudiences, API_RULES] } : c)),
    serviceAccounts: [...config.serviceAccounts, { username: TRANSFORMER.user, secretHashSecret: "DEV_RP_VALIDATOR_SECRET_HASH", allowedRelyingParties: [RP, API, API_RULES], operations: ["validate", "issue"] }],
  };
}

/** Interleaved rounds per operation, each this many seconds; one-use bodies per side and round. */
const ROUNDS = 5;
const ROUND_SECONDS = 4;
const POOL = 4000;

/**
 * The rows: for each operation, rounds of one wrk run whose requests go to the party without
 * rules or the party with ten at random, request by request (driveInterleaved), so both sides
 * meet the same machine load — on a shared machine, runs of their own seconds apart differ by
 * more than the 5 % under test. A round's ratio is the median latency without rules over the
 * median with them (1 = the rules cost nothing; ≥ 0.95 = they add at most 5 %; medians, since a
 * pause of a shared machine lands on a few requests of either side); the row reports the median
 * round. Two connections, one per wrk thread: latency is the server's work, not a queue.
 * `jwt` is alice's JWT, `saml` her SAML 2.0 assertion for urn:example:rp.
 */
export async function claimRulesRows({ common, base, tokenPath, jwt, saml, want, driveInterleaved }) {
  const x = (audience) => form(tokenPath, { grant_type: TX.grant, subject_token: jwt, subject_token_type: TX.jwt, audience, requested_token_type: TX.jwt });
  const t = (appliesTo) => rst({ ...TRANSFORMER, requestType: "Validate", tokenType: TT.jwt, appliesTo, target: saml });
  const ops = [
    { name: "Token exchange JWT → JWT, ten claim rules vs none (interleaved)", id: "exchange-jwt-jwt-rules", sides: [x(API), x(API_RULES)], expect: '"access_token"' },
    { name: "Validate-transformation SAML 2.0 → JWT, ten claim rules vs none (interleaved)", id: "transform-rules", sides: [t(API), t(API_RULES)], expect: "BinarySecurityToken" },
  ];
  const rows = [];
  for (const op of ops) {
    if (!want(op.id)) continue;
    const rounds = [];
    for (let i = 0; i < ROUNDS; i++) {
      console.error(`bench: ${op.name} — round ${i + 1}/${ROUNDS}…`);
      const [plain, ruled] = op.sides;
      const r = await driveInterleaved({
        ...common, connections: 2, duration: ROUND_SECONDS, base, name: `${op.id}-${i}`, method: plain.method, path: plain.path, headers: plain.headers,
        sides: [Array(POOL).fill(plain.body), Array(POOL).fill(ruled.body)], expect: op.expect,
      });
      rounds.push({ rps: r.rps, errors: r.errors, requests: r.requests, none: r.sides[0], rules: r.sides[1], ratio: r.sides[0].p50Ms / r.sides[1].p50Ms });
    }
    const mid = [...rounds].sort((a, b) => a.ratio - b.ratio)[rounds.length >> 1];
    rows.push({
      name: op.name, id: op.id, vs: null, rps: mid.rps, requests: mid.requests, errors: rounds.reduce((a, r) => a + r.errors, 0), seconds: ROUND_SECONDS,
      p50Ms: mid.rules.p50Ms, p99Ms: mid.rules.p99Ms, ratio: null, ofFloor: mid.ratio,
      rounds: rounds.map((r) => ({ ratio: r.ratio, noneMeanMs: r.none.meanMs, rulesMeanMs: r.rules.meanMs, noneP50Ms: r.none.p50Ms, rulesP50Ms: r.rules.p50Ms })),
      note: `median of ${ROUNDS} interleaved rounds (${ROUND_SECONDS} s, 2 connections); p50 latency without rules / with: ${rounds.map((r) => r.ratio.toFixed(3)).join(" / ")}; mean latency without / with: ${rounds.map((r) => (r.none.meanMs / r.rules.meanMs).toFixed(3)).join(" / ")}`,
    });
  }
  return rows;
}
