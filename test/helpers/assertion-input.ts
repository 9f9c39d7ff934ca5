/**
 * The statements of a SAML assertion for tests, benchmarks and interop checks: one default, each
 * caller naming only what it varies. It imports nothing but src/, so the node scripts load it as
 * they load src/ (Node 22 strips the types), and the vitest tests import it as any helper.
 */
import { type AssertionInput, newSamlId } from "../../src/saml/assertion-input.ts";
import { AC_PASSWORD_PROTECTED_TRANSPORT } from "../../src/saml/ns.ts";

/** The development STS's issuer (its origin under `wrangler dev`). */
export const DEV_STS_ISSUER = "http://127.0.0.1:8787/";

export interface AssertionInputOptions extends Partial<AssertionInput> {
  /** When it is issued, valid from and the subject authenticated, unless those are given (default: now). */
  at?: Date;
  /** How long it is valid from `at`, unless `expires` is given (default: an hour). */
  validForMs?: number;
}

/**
 * alice's bearer assertion from the development STS for `urn:example:rp`, authenticated by
 * password over TLS, stating her e-mail address, signed RSA-SHA256, valid for an hour from `at`,
 * with a fresh ID; any field given replaces its default.
 */
export function assertionInput(o: AssertionInputOptions = {}): AssertionInput {
  const { at = new Date(), validForMs = 3_600_000, ...fields } = o;
  return {
    id: newSamlId(),
    issuer: DEV_STS_ISSUER,
    subject: "alice",
    audience: "urn:example:rp",
    issuedAt: at,
    notBefore: at,
    expires: new Date(at.getTime() + validForMs),
    authnInstant: at,
    authnMethod: AC_PASSWORD_PROTECTED_TRANSPORT,
    claims: { email: ["alice@example.com"] },
    signatureAlgorithm: "rsa-sha256",
    ...fields,
  };
}
