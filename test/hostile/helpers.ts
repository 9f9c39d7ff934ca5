/**
 * Helpers for the adversarial suite: present a token to WS-Trust Validate (status and
 * transformation) and to the OAuth token-exchange endpoint, and read what came back.
 */
import { expect } from "vitest";
import type { Element } from "@xmldom/xmldom";
import { DEV_KEY_MATERIALS } from "../../src/config/dev-keys.ts";
import { KeyRing, type SigningKey } from "../../src/keys/keyring.ts";
import { parseXml } from "../../src/xml/parse.ts";
import { signEnveloped } from "../../src/xmldsig/sign.ts";
import { NS, TT } from "../helpers/soap.ts";
import { faultCode, trust } from "../helpers/worker.ts";
import { TX, b64url, exchange, jwtParts } from "../oauth/helpers.ts";

export const VALIDATOR = { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" };
export const STATUS_VALID = `${NS.t13}/status/valid`;
export const STATUS_INVALID = `${NS.t13}/status/invalid`;
export const DS = "http://www.w3.org/2000/09/xmldsig#";

export function statusCode(text: string): string | undefined {
  return /<wst:Code>([^<]+)<\/wst:Code>/.exec(text)?.[1];
}

/** WS-Trust Validate with TokenType RSTR/Status: the wst:Code, or the fault code. */
export async function validateStatus(token: string): Promise<{ status: number; code: string | undefined; fault: string | undefined }> {
  const r = await trust({
    ...VALIDATOR,
    requestType: "Validate",
    tokenType: `${NS.t13}/RSTR/Status`,
    extra: `<wst:ValidateTarget>${token}</wst:ValidateTarget>`,
  });
  return { status: r.status, code: statusCode(r.text), fault: faultCode(r.text) };
}

/**
 * WS-Trust Validate as token transformation into a JWT, asked by alice (a transformation is an
 * issuance, which only the subject itself or a service account with `issue` may ask for): the
 * subject of the new token, or undefined when the STS refused (fault). Shows *whose* token a
 * validated input became.
 */
export async function validateToJwtSubject(token: string): Promise<string | undefined> {
  const r = await trust({
    user: "alice",
    password: "wonderland",
    requestType: "Validate",
    tokenType: TT.jwt,
    appliesTo: "https://api.example.com/",
    extra: `<wst:ValidateTarget>${token}</wst:ValidateTarget>`,
  });
  const m = /<wsse:BinarySecurityToken[^>]*>([^<]+)<\/wsse:BinarySecurityToken>/.exec(r.text);
  if (!m) {
    expect(faultCode(r.text)).toBeDefined();
    return undefined;
  }
  return jwtParts(atob(m[1]!)).payload.sub as string;
}

/**
 * Token exchange with `subject_token` (SAML as base64url, JWT as is). Returns the issued
 * token's `sub`, or the OAuth error code.
 */
export async function exchangeSubject(token: string, kind: "saml2" | "saml1" | "jwt"): Promise<{ status: number; sub?: string; error?: string }> {
  const r = await exchange({
    subject_token: kind === "jwt" ? token : b64url(token),
    subject_token_type: TX[kind],
    audience: "https://api.example.com/",
    requested_token_type: TX.jwt,
  });
  if (r.status === 200) {
    const at = r.json.access_token as string;
    return { status: 200, sub: jwtParts(at).payload.sub as string };
  }
  return { status: r.status, error: r.json.error as string };
}

let ours: Promise<SigningKey> | undefined;

/** The STS's own (published, development-only) RSA signing key: lets a test mint a genuine assertion. */
export function ourRsaKey(): Promise<SigningKey> {
  ours ??= KeyRing.load([DEV_KEY_MATERIALS[0]!]).then((r) => r.all()[0]!);
  return ours;
}

/** Re-signs a SAML 2.0 or 1.1 assertion (its signature, if any, removed first) with `key`. */
export async function resign(xml: string, key: SigningKey): Promise<string> {
  const root = parseXml(xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "")).documentElement as Element;
  // SAML 2.0: after its Issuer, under ID; SAML 1.1: first, under AssertionID.
  const issuer = root.getElementsByTagNameNS(NS.saml2, "Issuer").item(0);
  await signEnveloped(root, { key, referenceId: root.getAttribute(root.hasAttribute("ID") ? "ID" : "AssertionID")!, insertAfter: issuer });
  return root.toString();
}
