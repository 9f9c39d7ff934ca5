/**
 * Every door that mints or manages a token answers as the one authorization rule does
 * (src/engine/authorize.ts `decide`). Each requestor of the development configuration (the
 * token's own subject, another user, a directory user, every service account, and one allowed to
 * issue for others) asks each WS-Trust operation on alice's tokens — over SOAP 1.1 and 1.2,
 * WS-Trust 1.3 and 2005, alone and in a batch, for SAML 2.0, SAML 1.1, a JWT and a DPoP-bound
 * access token — and demo-client introspects and revokes; each admin door is asked by each
 * service account. The expected answer is `decide`'s for the same question, so a door that is
 * more (or less) permissive than the rule, or than another door for the same operation, fails
 * here, whichever it is.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DEV_CONFIG } from "../../src/config/dev.ts";
import type { ServiceOperation } from "../../src/config/types.ts";
import { type Question, decide } from "../../src/engine/authorize.ts";
import type { Requestor } from "../../src/engine/types.ts";
import { NS, TT, rstXml, type RstOptions } from "../helpers/soap.ts";
import { faultCode } from "../helpers/worker.ts";
import { API, RP, b64url, type Fetcher } from "../oauth/helpers.ts";
import { exchangeWithDpop, proof, proofKey } from "../oauth/dpop-helpers.ts";
import { assertionIn, jwtBst, jwtIn, jwtVia, trustWith, workerWith } from "./configured.ts";
import { basic, DEMO } from "../helpers/credentials.ts";

const WST14 = "http://docs.oasis-open.org/ws-sx/ws-trust/200802";
const GATEWAY = { username: "gateway", secretHashSecret: "DEV_RP_VALIDATOR_SECRET_HASH", allowedRelyingParties: [RP, API], operations: ["issue"] as ServiceOperation[] };
const SECRETS: Record<string, string> = {
  alice: "wonderland",
  bob: "builder",
  dave: "directory-pass-1",
  "rp-validator": "rp-validator-secret-0f1e2d3c4b5a6978",
  "sts-admin": "sts-admin-secret-5e4d3c2b1a0f9e8d",
  "user-admin": "user-admin-secret-7a6b5c4d3e2f1a0b",
  gateway: "rp-validator-secret-0f1e2d3c4b5a6978",
};
const SERVICES = [...DEV_CONFIG.serviceAccounts!, GATEWAY];

/** The requestor as the rule sees it, from the same configuration the worker runs. */
function requestor(name: string): Requestor {
  const svc = SERVICES.find((s) => s.username === name);
  if (svc) return { kind: "service", account: { username: name, secretHash: "", allowedRelyingParties: svc.allowedRelyingParties, operations: svc.operations as ServiceOperation[] } };
  return { kind: "user", identity: { subject: name, claims: {}, authnInstant: new Date(0), authnMethod: "" } };
}
const demoClient: Requestor = {
  kind: "client",
  client: { clientId: "demo-client", secretHash: undefined, jwks: undefined, allowedAudiences: [], allowedActors: ["*"], mayIntrospect: true, resourceServerFor: [RP, API] },
};
const allowed = (who: Requestor, q: Question) => decide(who, q).allowed;

let f: Fetcher;
beforeAll(async () => {
  // Renewals are limited per subject, and every renewal here is alice's.
  f = workerWith({ ...DEV_CONFIG, serviceAccounts: SERVICES, limits: { ...DEV_CONFIG.limits, maxRenewalsPerWindow: 100_000 } });
  // The directory user, made here as an administrator would (a configuration of one's own seeds none).
  const made = await f("/admin/users", {
    method: "POST",
    headers: { authorization: basic("user-admin", SECRETS["user-admin"]!), "content-type": "application/json" },
    body: JSON.stringify({ username: "dave", password: SECRETS.dave }),
  });
  expect([201, 409]).toContain(made.status);
});

/** alice's token of one kind, as WS-Trust carries it and as its relying party. */
interface Kind {
  name: string;
  party: string;
  /** Issued to this OAuth client (an exchange), or to none. */
  client: string | undefined;
  make(): Promise<string>;
}
async function fromTrust(appliesTo: string, tokenType: string): Promise<string> {
  const r = await trustWith(f, { user: "alice", password: "wonderland", appliesTo, tokenType });
  expect(r.status, r.text).toBe(200);
  return tokenType === TT.jwt ? jwtBst(jwtIn(r.text)!) : assertionIn(r.text) ?? /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(r.text)![0];
}
const KINDS: Kind[] = [
  { name: "SAML 2.0", party: RP, client: undefined, make: () => fromTrust(RP, TT.saml2) },
  { name: "SAML 1.1", party: RP, client: undefined, make: () => fromTrust(RP, TT.saml1) },
  { name: "JWT", party: API, client: undefined, make: () => fromTrust(API, TT.jwt) },
  {
    name: "DPoP-bound access token",
    party: API,
    client: "demo-client",
    make: async () => {
      const subject = await jwtVia(f, "alice", "wonderland");
      const r = await exchangeWithDpop({ subject_token: subject }, await proof(await proofKey()), f);
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      return jwtBst(r.json.access_token as string);
    },
  },
];

type Op = "Validate" | "Transform" | "Renew" | "Cancel" | "OnBehalfOf" | "ActAs";
/** The rule's question for each WS-Trust operation on alice's token of party `party`. */
function question(op: Op, party: string, client: string | undefined): Question {
  switch (op) {
    case "Validate":
      return { route: "validate", subject: "alice", relyingParty: party, tokenClient: client };
    case "Transform":
      return { route: "validate-transform", subject: "alice", relyingParty: API };
    case "Renew":
      return { route: "renew", subject: "alice", relyingParty: party, tokenClient: client };
    case "Cancel":
      return { route: "cancel", subject: "alice", relyingParty: party, tokenClient: client };
    case "OnBehalfOf":
      return { route: "on-behalf-of", subject: "alice", relyingParty: API };
    case "ActAs":
      return { route: "act-as", subject: "alice", relyingParty: API };
  }
}
function request(op: Op, token: string, trust: "13" | "2005"): Partial<RstOptions> {
  const t = trust === "13" ? NS.t13 : NS.t05;
  switch (op) {
    case "Validate":
      return { requestType: "Validate", tokenType: `${t}/RSTR/Status`, extra: `<wst:ValidateTarget>${token}</wst:ValidateTarget>` };
    case "Transform":
      return { requestType: "Validate", tokenType: TT.jwt, appliesTo: API, extra: `<wst:ValidateTarget>${token}</wst:ValidateTarget>` };
    case "Renew":
      return { requestType: "Renew", extra: `<wst:RenewTarget>${token}</wst:RenewTarget>` };
    case "Cancel":
      return { requestType: "Cancel", extra: `<wst:CancelTarget>${token}</wst:CancelTarget>` };
    case "OnBehalfOf":
      return { appliesTo: API, tokenType: TT.jwt, extra: `<wst:OnBehalfOf>${token}</wst:OnBehalfOf>` };
    case "ActAs":
      return { appliesTo: API, tokenType: TT.jwt, extra: `<wst14:ActAs xmlns:wst14="${WST14}">${token}</wst14:ActAs>` };
  }
}

/**
 * Whether the door let the requestor do it: a refusal by the rule is wst:RequestFailed (in a
 * batch, the item's Status Reason names it); anything but a granted answer or that refusal is a
 * failure of this test, with the reply shown.
 */
function outcome(text: string): "allowed" | "refused" | string {
  if (/Too many/.test(text)) return text; // a limit, not the rule
  if (faultCode(text) === "wst:RequestFailed" || /<wst:Reason>wst:RequestFailed: /.test(text)) return "refused";
  if (/The token to renew is bound to a key: a renewal needs the request signed with that key/.test(text)) return "allowed, without key proof";
  if (/\/status\/valid</.test(text) || /RequestedSecurityToken>/.test(text) || /RequestedTokenCancelled/.test(text)) return "allowed";
  return text;
}

const REQUESTORS = ["alice", "bob", "dave", "rp-validator", "sts-admin", "user-admin", "gateway"];
const OPS: Op[] = ["Validate", "Transform", "Renew", "Cancel", "OnBehalfOf", "ActAs"];

describe("every WS-Trust door asks the one rule", () => {
  for (const kind of KINDS) {
    it(`${kind.name}: each requestor × operation, SOAP 1.1 and 1.2, WS-Trust 1.3 and 2005, alone and in a batch`, async () => {
      const shared = await kind.make(); // Validate, transformation and delegation leave it as it is
      let n = 0;
      for (const name of REQUESTORS) {
        const who = requestor(name);
        for (const op of OPS) {
          // A DPoP-bound token serves as no WS-Trust evidence (docs/security.md §15): not a question for the rule.
          if (kind.client !== undefined && (op === "Transform" || op === "OnBehalfOf" || op === "ActAs")) continue;
          // Past the rule, a bound token renews only for a request signed with its key
          // (docs/security.md §13), which no UsernameToken is.
          const expected = !allowed(who, question(op, kind.party, kind.client)) ? "refused" : kind.client !== undefined && op === "Renew" ? "allowed, without key proof" : "allowed";
          for (const soap of ["1.1", "1.2"] as const) {
            for (const trust of ["13", "2005"] as const) {
              // WS-Trust 2005 has no ActAs (it is WS-Trust 1.4's).
              if (op === "ActAs" && trust === "2005") continue;
              for (const batch of [false, true]) {
                const token = op === "Renew" || op === "Cancel" ? await kind.make() : shared;
                const o: RstOptions = { user: name, password: SECRETS[name], soap, trust, ...request(op, token, trust) };
                const t = trust === "13" ? NS.t13 : NS.t05;
                const body = batch ? `<wst:RequestSecurityTokenCollection xmlns:wst="${t}">${rstXml(o)}</wst:RequestSecurityTokenCollection>` : undefined;
                const r = await trustWith(f, { ...o, ...(body ? { body } : {}) });
                expect(outcome(r.text), `${name} ${op} ${kind.name} SOAP ${soap} WS-Trust ${trust}${batch ? " batch" : ""}`).toBe(expected);
                n++;
              }
            }
          }
        }
      }
      expect(n).toBeGreaterThan(100);
    }, 120_000);
  }
});

describe("the OAuth doors ask the same rule", () => {
  it("introspection and revocation by demo-client, for tokens issued to it and to no client", async () => {
    for (const kind of KINDS) {
      const wire = (xmlOrBst: string) => {
        const jwt = /BinarySecurityToken[^>]*>([^<]+)</.exec(xmlOrBst);
        return jwt ? atob(jwt[1]!) : b64url(xmlOrBst);
      };
      const token = wire(await kind.make());
      const mayIntrospect = allowed(demoClient, question("Validate", kind.party, kind.client));
      const intro = await f("/oauth2/introspect", { method: "POST", headers: { authorization: DEMO, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ token }).toString() });
      expect(((await intro.json()) as { active: boolean }).active, `introspect ${kind.name}`).toBe(mayIntrospect);
      const mayRevoke = allowed(demoClient, question("Cancel", kind.party, kind.client));
      const rev = await f("/oauth2/revoke", { method: "POST", headers: { authorization: DEMO, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ token }).toString() });
      expect(rev.status).toBe(200);
      // Revoked or not, the answer is the same (RFC 7009 §2.2); what happened shows in Validate.
      const after = await trustWith(f, { user: "alice", password: "wonderland", ...request("Validate", /^ey/.test(token) ? jwtBst(token) : atob(token.replace(/-/g, "+").replace(/_/g, "/")), "13") });
      expect(/\/status\/valid</.test(after.text), `revoke ${kind.name}`).toBe(!mayRevoke);
    }
  });
});

describe("the admin doors ask the same rule", () => {
  it("revoke-subject and the user directory, for every service account and a user", async () => {
    for (const name of [...SERVICES.map((s) => s.username), "alice"]) {
      const who = requestor(name);
      const auth = { authorization: basic(name, SECRETS[name]!), "content-type": "application/json" };
      const revoke = await f("/admin/revoke-subject", { method: "POST", headers: auth, body: JSON.stringify({ subject: `nobody-${crypto.randomUUID()}` }) });
      expect(revoke.status === 200, `${name} revoke-subject`).toBe(allowed(who, { route: "revoke-subject" }));
      const users = await f("/admin/users/dave", { headers: auth });
      expect(users.status === 200, `${name} /admin/users`).toBe(allowed(who, { route: "manage-users" }));
    }
  });
});
