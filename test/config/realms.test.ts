/**
 * Validation of realms (src/config/realms.ts) and the selection of a request's realm
 * (src/http/realm.ts) over validated configurations.
 */
import { describe, expect, it } from "vitest";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { DEV_REALM2_KEY_MATERIALS } from "../../src/config/dev-realm2.ts";
import { validateConfig } from "../../src/config/validate.ts";
import type { ResolvedConfig } from "../../src/config/types.ts";
import { StsError } from "../../src/errors.ts";
import { routingPath, selectRealm } from "../../src/http/realm.ts";
import { RSA, base, issuesOf } from "./helpers.ts";

const R = "STS_CONFIG";

/** A further realm of `base()`'s configuration: its own key, user and relying party. */
function realm(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    keys: [{ status: "current", privateKeySecret: "R2_KEY", certificate: DEV_REALM2_KEY_MATERIALS[0]!.certificatePem }],
    users: [{ username: "alice", passwordHashSecret: "ALICE_PW" }],
    relyingParties: [{ identifier: "urn:example:rp", defaultTokenType: "saml2", jwtSignatureAlgorithm: "RS256" }],
    ...extra,
  };
}

function withRealms(realms: unknown[], top: Record<string, unknown> = {}) {
  const { cfg, env } = base();
  return { cfg: { ...cfg, ...top, realms }, env: { ...env, R2_KEY: DEV_REALM2_KEY_MATERIALS[0]!.privateKeyPem } };
}

describe("realms configuration", () => {
  it("a valid further realm resolves as a whole configuration of its own", () => {
    const { cfg, env } = withRealms([realm("two", { hosts: ["two.example.org"], pathPrefix: "/realms/two", issuer: "https://two.example.org" })]);
    const c = validateConfig(cfg, env);
    expect(c.realm).toBeUndefined();
    expect(c.realms!.map((r) => [r.name, r.hosts, r.pathPrefix, r.config.realm, r.config.issuer])).toEqual([
      ["two", ["two.example.org"], "/realms/two", "two", "https://two.example.org"],
    ]);
    const two = c.realms![0]!.config;
    expect(two.keys.map((k) => k.certificatePem.trim())).toEqual([DEV_REALM2_KEY_MATERIALS[0]!.certificatePem.trim()]);
    expect(two.keys[0]!.certificatePem.trim()).not.toBe(RSA.certificatePem.trim());
    expect([...two.users.keys()]).toEqual(["alice"]);
    expect(two.oauthClients.size).toBe(0);
    expect(two.realms).toBeUndefined();
  });

  it("a configuration without realms resolves exactly as before (no realm fields)", () => {
    const { cfg, env } = base();
    const c = validateConfig(cfg, env);
    expect("realms" in c).toBe(false);
    expect("hosts" in c).toBe(false);
    expect(c.realm).toBeUndefined();
  });

  const cases: [string, () => { cfg: unknown; env: Record<string, unknown> }, string][] = [
    ["a realm's section error names its path", () => withRealms([realm("two", { hosts: ["two.example.org"], keys: [{ status: "current", privateKeySecret: "NOPE", certificate: RSA.certificatePem }] })]), `${R}.realms[0].keys[0].privateKeySecret: names a secret binding that is not set (the name is not shown, as it may be the secret itself)`],
    ["a realm's relying party error names its path", () => withRealms([realm("two", { hosts: ["two.example.org"], relyingParties: [{ identifier: "urn:x", defaultTokenType: "saml3" }] })]), `${R}.realms[0].relyingParties[0].defaultTokenType: expected one of saml2, saml1, jwt, access_token, got "saml3"`],
    ["duplicate names", () => withRealms([realm("two", { hosts: ["a.example.org"] }), realm("two", { hosts: ["b.example.org"] })]), `${R}.realms[1].name: realm name "two" is already used at ${R}.realms[0].name`],
    ["duplicate hosts across realms", () => withRealms([realm("a", { hosts: ["x.example.org"] }), realm("b", { hosts: ["x.example.org"] })]), `${R}.realms[1].hosts[0]: host "x.example.org" is already named at ${R}.realms[0].hosts[0]`],
    ["a realm host that the first realm lists", () => withRealms([realm("a", { hosts: ["sts.example.org"] })], { hosts: ["sts.example.org"] }), `${R}.realms[0].hosts[0]: host "sts.example.org" is already named at ${R}.hosts[0]`],
    ["duplicate path prefixes", () => withRealms([realm("a", { pathPrefix: "/realms/x" }), realm("b", { pathPrefix: "/realms/x" })]), `${R}.realms[1].pathPrefix: path prefix "/realms/x" is already used at ${R}.realms[0].pathPrefix`],
    ["a prefix outside /realms/", () => withRealms([realm("a", { pathPrefix: "/trust" })]), `${R}.realms[0].pathPrefix: expected "/realms/<segment>" (letters, digits, ".", "_", "~", "-"), got "/trust"`],
    ["a prefix of two segments", () => withRealms([realm("a", { pathPrefix: "/realms/a/b" })]), `${R}.realms[0].pathPrefix: expected "/realms/<segment>" (letters, digits, ".", "_", "~", "-"), got "/realms/a/b"`],
    ["a dot-segment prefix", () => withRealms([realm("a", { pathPrefix: "/realms/.." })]), `${R}.realms[0].pathPrefix: expected "/realms/<segment>" (letters, digits, ".", "_", "~", "-"), got "/realms/.."`],
    ["a host with a port", () => withRealms([realm("a", { hosts: ["a.example.org:8443"] })]), `${R}.realms[0].hosts[0]: expected a lower-case host name without port or scheme (e.g. "sts.example.com"), got "a.example.org:8443"`],
    ["an upper-case host", () => withRealms([realm("a", { hosts: ["A.example.org"] })]), `${R}.realms[0].hosts[0]: expected a lower-case host name without port or scheme (e.g. "sts.example.com"), got "A.example.org"`],
    ["a realm no request can reach", () => withRealms([realm("a")]), `${R}.realms[0]: needs hosts or a pathPrefix (else no request can reach it)`],
    ["a bad realm name", () => withRealms([realm("a:b", { hosts: ["a.example.org"] })]), `${R}.realms[0].name: expected letters, digits, ".", "_" or "-" (starting with a letter or digit), got "a:b"`],
    ["a missing realm name", () => { const r = realm("x", { hosts: ["a.example.org"] }); delete r.name; return withRealms([r]); }, `${R}.realms[0].name: is required`],
    ["realms inside a realm", () => withRealms([realm("a", { hosts: ["a.example.org"], realms: [] })]), `${R}.realms[0].realms: unknown field (expected one of issuer, keys, decryptionKeys, users, relyingParties, oauthClients, serviceAccounts, trustedIssuers, requestorCertificates, limits, webSessionSecret, pairwiseSubjectSecret, dpopNonceSecret)`],
    ["an issuer two realms share", () => withRealms([realm("a", { hosts: ["a.example.org"], issuer: "https://sts.example.org" })]), `${R}.realms[0].issuer: issuer "https://sts.example.org" is already the issuer at ${R}.issuer`],
    ...["https://STS.example.org", "HTTPS://sts.example.org", "https://sts.example.org:443", "https://sts.example.org/"].map((issuer): [string, () => ReturnType<typeof withRealms>, string] => [
      `an issuer two realms share, spelled ${issuer}`,
      () => withRealms([realm("a", { hosts: ["a.example.org"], issuer })]),
      `${R}.realms[0].issuer: issuer "${issuer}" names the same URI as "https://sts.example.org", the issuer at ${R}.issuer`,
    ]),
    ["an issuer two further realms share, spelled apart", () => withRealms([realm("a", { hosts: ["a.example.org"], issuer: "urn:Example:sts" }), realm("b", { hosts: ["b.example.org"], issuer: "URN:example:sts" })]), `${R}.realms[1].issuer: issuer "URN:example:sts" names the same URI as "urn:Example:sts", the issuer at ${R}.realms[0].issuer`],
    ["realms not an array", () => withRealms({} as unknown as unknown[]), `${R}.realms: expected an array, got an object`],
    ["a realm not an object", () => withRealms(["two"]), `${R}.realms[0]: expected an object, got "two"`],
  ];
  for (const [name, make, line] of cases) {
    it(name, () => {
      const { cfg, env } = make();
      expect(issuesOf(cfg, env)).toContain(line);
    });
  }

  it("the development configuration's realm2: carol, urn:example:rp, its own keys", () => {
    const dev = validateConfig(DEV_CONFIG, DEV_SECRETS, { mode: "development" });
    const two = dev.realms!.find((r) => r.name === "realm2")!;
    expect([two.hosts, two.pathPrefix]).toEqual([["realm2.localhost"], "/realms/realm2"]);
    expect(two.config.mode).toBe("development");
    expect(two.config.issuer).toBeUndefined();
    expect([...two.config.users.keys()]).toEqual(["carol"]);
    expect(two.config.relyingParties.map((r) => r.identifier)).toEqual(["urn:example:rp"]);
    const mine = new Set(dev.keys.map((k) => k.certificatePem));
    expect(two.config.keys.filter((k) => mine.has(k.certificatePem))).toEqual([]);
  });
});

describe("selecting a request's realm", () => {
  const { cfg, env } = withRealms(
    [realm("two", { hosts: ["two.example.org", "[::1]"], pathPrefix: "/realms/two" }), realm("three", { pathPrefix: "/realms/three" })],
    { hosts: ["sts.example.org"] },
  );
  const strict = validateConfig(cfg, env);
  const open = validateConfig({ ...cfg, hosts: undefined }, env);
  const pick = (c: ResolvedConfig, url: string) => {
    const origin = new URL(url).origin;
    try {
      const s = selectRealm(c, url, origin);
      return [s.config.realm ?? "first", s.base];
    } catch (e) {
      if (e instanceof StsError) return e.code;
      throw e;
    }
  };

  it("by host (any port), by prefix, and the first realm at its own hosts", () => {
    expect(pick(strict, "https://sts.example.org/trust/mex")).toEqual(["first", "https://sts.example.org"]);
    expect(pick(strict, "https://two.example.org:8443/trust/mex")).toEqual(["two", "https://two.example.org:8443"]);
    expect(pick(strict, "http://[::1]:8787/oauth2/jwks")).toEqual(["two", "http://[::1]:8787"]);
    expect(pick(strict, "https://sts.example.org/realms/three/trust/mex?wsdl")).toEqual(["three", "https://sts.example.org/realms/three"]);
    expect(pick(strict, "https://two.example.org/realms/two/trust/mex")).toEqual(["two", "https://two.example.org/realms/two"]);
    // The host is read from the parsed origin, in lower case: any spelling of a name selects it.
    expect(pick(strict, "https://TWO.Example.ORG/trust/mex")).toEqual(["two", "https://two.example.org"]);
  });

  it("a host is compared as a DNS name: its trailing dot is the same host, a longer name another", () => {
    expect(pick(strict, "https://two.example.org./trust/mex")).toEqual(["two", "https://two.example.org."]);
    expect(pick(open, "https://two.example.org./trust/mex")).toEqual(["two", "https://two.example.org."]);
    expect(pick(strict, "https://two.example.org.evil.example/trust/mex")).toBe("unknown_realm");
    expect(pick(strict, "https://two.example.org../trust/mex")).toBe("unknown_realm");
  });

  it("listed first-realm hosts: any other host is unknown, with or without a prefix", () => {
    expect(pick(strict, "https://evil.example.org/trust/mex")).toBe("unknown_realm");
    expect(pick(strict, "https://evil.example.org/realms/three/trust/mex")).toBe("unknown_realm");
    expect(pick(open, "https://evil.example.org/trust/mex")).toEqual(["first", "https://evil.example.org"]);
    expect(pick(open, "https://evil.example.org/realms/three/trust/mex")).toEqual(["three", "https://evil.example.org/realms/three"]);
  });

  it("host games: one realm's host with another's prefix, an unknown prefix, a prefix by another spelling", () => {
    for (const c of [strict, open]) {
      expect(pick(c, "https://two.example.org/realms/three/trust/mex")).toBe("unknown_realm");
      expect(pick(c, "https://sts.example.org/realms/nowhere/trust/mex")).toBe("unknown_realm");
      expect(pick(c, "https://sts.example.org/realms/TWO/trust/mex")).toBe("unknown_realm");
      expect(pick(c, "https://sts.example.org/realms/tw%6F/trust/mex")).toBe("unknown_realm");
    }
  });

  it("a Host holding userinfo is refused, so the realm and the route are read from the same path", () => {
    for (const c of [strict, open]) {
      expect(pick(c, "https://x@sts.example.org/realms/two/oauth2/jwks")).toBe("bad_request");
      expect(pick(c, "https://x@sts.example.org/realms/nowhere/trust/mex")).toBe("bad_request");
      expect(pick(c, "https://a:b@two.example.org/trust/mex")).toBe("bad_request");
    }
    const { cfg: one, env: e1 } = base();
    expect(pick(validateConfig(one, e1), "https://x@anything.example/realms/two/trust/mex")).toBe("bad_request");
  });

  it("a Host that is no host and port is refused: the runtime puts it in the URL as sent", () => {
    // What workerd hands the worker for `Host: two.example.org?x` and a request to
    // /realms/three/…: a URL parser reads host two.example.org and a query holding the path.
    for (const c of [strict, open]) {
      for (const url of [
        "https://two.example.org?x/realms/three/trust/mex",
        "https://sts.example.org?/realms/two/trust/mex",
        "https://two.example.org#x/trust/mex",
        "https://sts.example.org\\realms\\two/trust/mex",
        'https://two.example.org"x/trust/mex',
        "https://two.example.org{x}/trust/mex",
      ]) {
        expect(pick(c, url), url).toBe("bad_request");
      }
      // What RFC 3986 allows in a host and port is served as before.
      expect(pick(c, "https://two.example.org:8443/trust/mex")).toEqual(["two", "https://two.example.org:8443"]);
      expect(pick(c, "http://[::1]:8787/trust/mex")).toEqual(["two", "http://[::1]:8787"]);
      expect(pick(c, "https://tw%6F.example.org/trust/mex")).toEqual(["two", "https://two.example.org"]);
    }
  });

  it("a Host naming its scheme's default port is the same host: the URL keeps the port, the origin drops it", () => {
    for (const c of [strict, open]) {
      expect(pick(c, "https://sts.example.org:443/realms/three/trust/mex")).toEqual(["three", "https://sts.example.org/realms/three"]);
      expect(pick(c, "http://two.example.org:80/.well-known/oauth-authorization-server")).toEqual(["two", "http://two.example.org"]);
      expect(pick(c, "https://x@sts.example.org:443/realms/two/oauth2/jwks")).toBe("bad_request");
    }
    const { cfg: one, env: e1 } = base();
    expect(pick(validateConfig(one, e1), "https://anything.example:443/trust/mex")).toEqual(["first", "https://anything.example"]);
  });

  it("a configuration without realms: only the realms folder is refused", () => {
    const { cfg: one, env: e1 } = base();
    const c = validateConfig(one, e1);
    expect(pick(c, "https://anything.example/trust/mex")).toEqual(["first", "https://anything.example"]);
    expect(pick(c, "https://anything.example/realms/two/trust/mex")).toBe("unknown_realm");
  });

  it("the router's path drops the prefix only when the URL itself carries it", () => {
    expect(routingPath("https://h/realms/two/trust/mex", "/realms/two/trust/mex")).toBe("/trust/mex");
    expect(routingPath("https://h/%72ealms/two/trust/mex", "/realms/two/trust/mex")).toBe("/realms/two/trust/mex");
    expect(routingPath("https://h/realms/two", "/realms/two")).toBe("/");
    expect(routingPath("https://h/trust/mex", "/trust/mex")).toBe("/trust/mex");
  });
});
