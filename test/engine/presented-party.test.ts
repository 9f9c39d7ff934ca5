/**
 * A trusted SAML issuer's pinned certificates as the engine uses them (src/engine/presented-party.ts):
 * configuration reads each at start, but should the key ring still refuse one, a token naming that
 * issuer is refused as unverifiable (invalid_token), never an internal error, and the operator is
 * told once which field to fix.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEV_KEY_MATERIALS } from "../../src/config/dev-keys.ts";
import type { ResolvedConfig, TrustedIssuer } from "../../src/config/types.ts";
import { requireKeyProof } from "../../src/engine/key-proof.ts";
import { partyFromSaml } from "../../src/engine/presented-party.ts";
import type { StsContext } from "../../src/engine/types.ts";
import { StsError } from "../../src/errors.ts";
import { KeyRing, jwkThumbprint } from "../../src/keys/keyring.ts";
import { derToPem } from "../../src/keys/pem.ts";
import { parseXml } from "../../src/xml/parse.ts";

afterEach(() => vi.restoreAllMocks());

const ISSUER = "urn:bad-saml";

function issuer(certificates: string[], name = ISSUER): TrustedIssuer {
  return {
    issuer: name, kind: "saml", certificates, algorithms: ["RS256"], clockSkewSeconds: 300, localSubjects: false,
    grantsDelegation: false, displayName: name, jwksUri: undefined, jwks: undefined, expectedAudience: undefined, passiveSignInUrl: undefined,
  };
}

async function ctxWith(t: TrustedIssuer): Promise<StsContext> {
  const config = { root: "STS_CONFIG", trustedIssuers: [issuer([DEV_KEY_MATERIALS[0]!.certificatePem], "urn:good-saml"), t], limits: { clockSkewSeconds: 300 } } as unknown as ResolvedConfig;
  return { config, keys: await KeyRing.load(DEV_KEY_MATERIALS), issuer: "https://sts.example.org", origin: "https://sts.example.org", now: () => new Date(), begun: new Date(), audit: {} };
}

const ASSERTION =
  '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" IssueInstant="2026-12-06T03:00:00Z" Version="2.0">' +
  `<saml:Issuer>${ISSUER}</saml:Issuer><saml:Subject><saml:NameID>bob</saml:NameID></saml:Subject></saml:Assertion>`;

const noState = { status: () => Promise.reject(new Error("not reached")), rememberNonce: () => Promise.reject(new Error("not reached")) };

describe("a trusted SAML issuer whose pinned certificate the key ring refuses", () => {
  it("refuses the token as unverifiable (invalid_token) and logs config_invalid naming the certificate, once", async () => {
    const logged = vi.spyOn(console, "log").mockImplementation(() => undefined);
    // The first issuer is another one: the field named is the second's.
    const ctx = await ctxWith(issuer([derToPem(Uint8Array.of(0x30, 0x00, 0x00), "CERTIFICATE")]));
    const el = parseXml(ASSERTION).documentElement!;
    for (let i = 0; i < 2; i++) {
      const err = await partyFromSaml(ctx, noState, el, "subject_token").then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(StsError);
      expect((err as StsError).code).toBe("invalid_token");
      expect((err as StsError).message).toBe("The token's issuer is trusted with certificates this STS cannot use, so the token cannot be verified.");
    }
    const lines = logged.mock.calls.map((c) => JSON.parse(String(c[0])) as Record<string, unknown>).filter((l) => l.event === "config_invalid");
    expect(lines).toHaveLength(1);
    expect(lines[0]!.problems).toEqual([expect.stringMatching(/^STS_CONFIG\.trustedIssuers\[1\]\.certificates\[0\]: key #0: bad certificate: /)]);
  });
});

describe("a presented token bound to a key (requireKeyProof)", () => {
  const code = (p: Promise<void>) => p.then(() => "accepted", (e: unknown) => (e instanceof StsError ? e.code : String(e)));

  it("at token exchange needs a DPoP proof made with its key, whatever the binding; over WS-Trust only a DPoP binding is refused", async () => {
    const kp = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const jwk = (await crypto.subtle.exportKey("jwk", kp.publicKey)) as JsonWebKey;
    const jkt = await jwkThumbprint(jwk);
    const publicKey = { method: "public-key" as const, jwk };
    const symmetric = { method: "symmetric" as const, key: new Uint8Array(32) };
    const dpop = { method: "dpop" as const, jkt };
    const other = { jkt: "x".repeat(43) };
    const rows: [string, Parameters<typeof requireKeyProof>[0], Parameters<typeof requireKeyProof>[1], string][] = [
      ["bearer, exchange", undefined, undefined, "accepted"],
      ["bearer, WS-Trust", undefined, null, "accepted"],
      ["public key, no proof", publicKey, undefined, "invalid_dpop_proof"],
      ["public key, another key's proof", publicKey, other, "invalid_dpop_proof"],
      ["public key, its own key's proof", publicKey, { jkt }, "accepted"],
      ["public key, WS-Trust", publicKey, null, "accepted"],
      ["symmetric, exchange with a proof", symmetric, { jkt }, "invalid_token"],
      ["symmetric, exchange without", symmetric, undefined, "invalid_token"],
      ["symmetric, WS-Trust", symmetric, null, "accepted"],
      ["DPoP, no proof", dpop, undefined, "invalid_dpop_proof"],
      ["DPoP, another key's proof", dpop, other, "invalid_dpop_proof"],
      ["DPoP, its own key's proof", dpop, { jkt }, "accepted"],
      ["DPoP, WS-Trust", dpop, null, "invalid_request"],
    ];
    for (const [what, confirmation, proof, expected] of rows) {
      expect(await code(requireKeyProof(confirmation, proof, "subject_token")), what).toBe(expected);
    }
  });
});
