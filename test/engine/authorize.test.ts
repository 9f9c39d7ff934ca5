/**
 * The one authorization rule, enumerated: every route × requestor kind × granted operations ×
 * relying party (listed for the requestor or not) × subject (the requestor's own or another's),
 * each decision checked against the rule as the README states it, written here as a table of
 * who may do what rather than as the module's code.
 */
import { describe, expect, it } from "vitest";
import { type Route, decide, mayUse } from "../../src/engine/authorize.ts";
import type { Requestor } from "../../src/engine/types.ts";
import type { ServiceOperation } from "../../src/config/types.ts";
import { isolateCaches } from "../../src/cache.ts";

const RP = "https://api.example.com/";
const OTHER_RP = "urn:example:rp";
const ROUTES: Route[] = ["issue", "on-behalf-of", "act-as", "validate-transform", "validate", "renew", "cancel", "exchange", "revoke-subject", "manage-users"];
const OPS: ServiceOperation[] = ["issue", "validate", "renew", "cancel", "revoke-subject", "manage-users"];

const user = (name: string): Requestor => ({ kind: "user", identity: { subject: name, claims: {}, authnInstant: new Date(0), authnMethod: "" } });
const service = (ops: ServiceOperation[], rps: string[]): Requestor => ({
  kind: "service",
  account: { username: "svc", secretHash: "", operations: ops, allowedRelyingParties: rps },
});
const client = (audiences: string[], mayIntrospect: boolean, actors: string[] = [], resourceServerFor: string[] = []): Requestor => ({
  kind: "client",
  client: { clientId: "app", secretHash: undefined, jwks: undefined, allowedAudiences: audiences, allowedActors: actors, mayIntrospect, resourceServerFor },
});

/** Every subset of the service operations. */
function subsets<T>(xs: T[]): T[][] {
  return xs.reduce<T[][]>((acc, x) => acc.concat(acc.map((s) => [...s, x])), [[]]);
}

/** Which service operation a route needs, per the README's table of service-account rights. */
const SERVICE_NEEDS: Record<Route, ServiceOperation | "never"> = {
  issue: "never", // a service account never obtains tokens for itself
  "on-behalf-of": "issue",
  "act-as": "issue",
  "validate-transform": "issue",
  validate: "validate",
  renew: "renew",
  cancel: "cancel",
  exchange: "never", // token exchange is for OAuth clients
  "revoke-subject": "revoke-subject",
  "manage-users": "manage-users",
};
/** Routes where a user acts on its own subject's tokens. */
const USER_OWN: Route[] = ["issue", "validate-transform", "validate", "renew", "cancel"];

describe("the one authorization rule (table)", () => {
  it("service accounts: exactly the granted operation, and only for the relying parties listed", () => {
    let n = 0;
    for (const route of ROUTES) {
      for (const ops of subsets(OPS)) {
        for (const listed of [true, false]) {
          const who = service(ops, listed ? [RP] : [OTHER_RP]);
          const need = SERVICE_NEEDS[route];
          // revoke-subject and manage-users are not about one relying party.
          const expected = need !== "never" && ops.includes(need) && (listed || route === "revoke-subject" || route === "manage-users");
          const d = decide(who, { route, subject: "alice", relyingParty: RP });
          expect(d.allowed, `${route} ops=[${ops}] listed=${listed}`).toBe(expected);
          n++;
        }
      }
    }
    expect(n).toBe(ROUTES.length * 2 ** OPS.length * 2);
  });

  it("users: their own subject on their own routes, nothing else", () => {
    for (const route of ROUTES) {
      for (const own of [true, false]) {
        const d = decide(user("alice"), { route, subject: own ? "alice" : "bob", relyingParty: RP });
        // Issue for oneself names no other subject: it is allowed whatever subject is asked about.
        const expected = route === "issue" || (USER_OWN.includes(route) && own);
        expect(d.allowed, `${route} own=${own}`).toBe(expected);
      }
    }
  });

  it("OAuth clients: exchange for allowed audiences; revoke only what was issued to them; introspect that, and what a resource server of theirs is meant for", () => {
    let n = 0;
    for (const route of ROUTES) {
      for (const listed of [true, false]) {
        for (const mayIntrospect of [true, false]) {
          for (const tokenClient of ["app", "other", undefined]) {
            for (const resourceServer of [true, false]) {
              const who = client(listed ? [RP] : [OTHER_RP], mayIntrospect, [], resourceServer ? [RP] : []);
              const d = decide(who, { route, subject: "alice", relyingParty: RP, tokenClient });
              const issuedToIt = tokenClient === "app";
              let expected = false;
              if (route === "exchange") expected = listed;
              // Being allowed to obtain tokens for an audience does not open other clients' tokens.
              if (route === "validate") expected = mayIntrospect && (issuedToIt || resourceServer);
              if (route === "cancel") expected = mayIntrospect && issuedToIt;
              expect(d.allowed, `${route} listed=${listed} mayIntrospect=${mayIntrospect} tokenClient=${tokenClient} rs=${resourceServer}`).toBe(expected);
              n++;
            }
          }
        }
      }
    }
    expect(n).toBe(ROUTES.length * 2 * 2 * 3 * 2);
  });

  it("OAuth clients: a token whose audience is the client itself is one it may introspect, not revoke", () => {
    const who = client([], true);
    expect(decide(who, { route: "validate", subject: "alice", relyingParty: "app", tokenClient: "other" }).allowed).toBe(true);
    expect(decide(who, { route: "cancel", subject: "alice", relyingParty: "app", tokenClient: "other" }).allowed).toBe(false);
    expect(decide(who, { route: "validate", subject: "alice", relyingParty: "app2", tokenClient: undefined }).allowed).toBe(false);
  });

  it("may_act opens OnBehalfOf and ActAs to the party it names, and nothing else (whether it may grant is the caller's fact)", () => {
    for (const route of ROUTES) {
      for (const who of [user("bob"), service([], [])]) {
        const d = decide(who, { route, subject: "alice", relyingParty: RP, namedByMayAct: true });
        const expected = route === "on-behalf-of" || route === "act-as" || (route === "issue" && who.kind === "user");
        expect(d.allowed, `${route} ${who.kind}`).toBe(expected);
      }
    }
  });

  it("exchange: the client presents only its allowed actors", () => {
    const q = { route: "exchange" as const, relyingParty: RP, actor: "svc-a" };
    expect(decide(client([RP], true, ["svc-a"]), q).allowed).toBe(true);
    expect(decide(client([RP], true, ["*"]), q).allowed).toBe(true);
    expect(decide(client([RP], true, ["svc-b"]), q).allowed).toBe(false);
    expect(decide(client([RP], true, []), q).allowed).toBe(false);
  });

  it("relying parties compare as lookups do: one trailing slash and outer white space do not matter", () => {
    expect(decide(service(["validate"], ["https://api.example.com"]), { route: "validate", relyingParty: " https://api.example.com/" }).allowed).toBe(true);
    expect(decide(service(["validate"], ["https://api.example.com/x"]), { route: "validate", relyingParty: "https://api.example.com/" }).allowed).toBe(false);
  });

  // Defect: a service account with only validate/renew/cancel turned alice's token for one RP
  // into a fresh token for another by Validate-transformation.
  it("refuses Validate-transformation to a service account without `issue` for the target, whatever else it holds", () => {
    const validator = service(["validate", "renew", "cancel"], [RP, OTHER_RP]);
    expect(decide(validator, { route: "validate", subject: "alice", relyingParty: OTHER_RP }).allowed).toBe(true);
    expect(decide(validator, { route: "validate-transform", subject: "alice", relyingParty: RP }).allowed).toBe(false);
    expect(decide(service(["issue"], [OTHER_RP]), { route: "validate-transform", subject: "alice", relyingParty: RP }).allowed).toBe(false);
    expect(decide(service(["issue"], [RP]), { route: "validate-transform", subject: "alice", relyingParty: RP }).allowed).toBe(true);
  });

  it("presented credentials: `validate` checks a password for any relying party; every other route and requestor keeps its rule", () => {
    for (const rp of [RP, OTHER_RP, undefined]) {
      expect(decide(service(["validate"], [OTHER_RP]), { route: "validate", subject: "alice", relyingParty: rp, credentials: true }).allowed, String(rp)).toBe(true);
      expect(decide(service(["validate"], [OTHER_RP]), { route: "validate", subject: "alice", relyingParty: rp }).allowed, String(rp)).toBe(rp === OTHER_RP);
    }
    for (const ops of subsets(OPS.filter((o) => o !== "validate"))) {
      expect(decide(service(ops, [RP]), { route: "validate", subject: "alice", relyingParty: RP, credentials: true }).allowed, `[${ops}]`).toBe(false);
    }
    for (const route of ["renew", "cancel", "validate-transform", "on-behalf-of"] as const) {
      expect(decide(service(OPS, [OTHER_RP]), { route, subject: "alice", relyingParty: RP, credentials: true }).allowed, route).toBe(false);
    }
    expect(decide(user("bob"), { route: "validate", subject: "bob", credentials: true }).allowed).toBe(true);
    expect(decide(user("bob"), { route: "validate", subject: "alice", credentials: true }).allowed).toBe(false);
  });

  it("refusals say why, with the error each door maps", () => {
    const d = decide(client([OTHER_RP], true), { route: "exchange", relyingParty: RP });
    expect(d).toEqual({ allowed: false, error: "invalid_scope", reason: "This client may not obtain tokens for the requested audience." });
    const e = decide(user("bob"), { route: "cancel", subject: "alice", relyingParty: RP });
    expect(e.allowed === false && e.error).toBe("not_authorized");
  });

  it("closes introspection and revocation to a client not allowed them before any token is read", () => {
    expect(mayUse(client([RP], false), "validate").allowed).toBe(false);
    expect(mayUse(client([RP], false), "cancel").allowed).toBe(false);
    expect(mayUse(client([RP], true), "validate").allowed).toBe(true);
    expect(mayUse(client([RP], false), "exchange").allowed).toBe(true);
    expect(mayUse(user("alice"), "validate").allowed).toBe(true);
  });
});

describe("a requestor allowed hundreds of relying parties", () => {
  // 300 parties: more than the isolate keeps comparison forms for (config.uri-keys holds 64).
  const many = Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? `urn:example:rp:${i}` : `https://app${i}.example.com/`));
  const uriKeyCalls = () => {
    const s = isolateCaches.stats().find((c) => c.name === "config.uri-keys")!;
    return s.hits + s.misses;
  };

  it("is checked with one comparison form per request, not one per listed party", () => {
    const svc = service(["validate", "renew", "cancel"], many);
    const exchanging = client(many, true);
    // The last listed, in another spelling of the same URI (host case, default port, no slash).
    const last = "HTTPS://APP299.EXAMPLE.COM:443";
    expect(decide(svc, { route: "renew", relyingParty: last, subject: "x" }).allowed).toBe(true);
    expect(decide(exchanging, { route: "exchange", relyingParty: last }).allowed).toBe(true);
    for (const [who, route] of [[svc, "renew"], [svc, "cancel"], [exchanging, "exchange"]] as const) {
      const before = uriKeyCalls();
      expect(decide(who, { route, relyingParty: last, subject: "x" }).allowed).toBe(true);
      expect(decide(who, { route, relyingParty: "urn:example:rp:unlisted", subject: "x" }).allowed).toBe(false);
      expect(uriKeyCalls() - before).toBe(2);
    }
  });
});
