/**
 * Assertions of the development federation partner (`urn:example:partner-idp`, its published key
 * in test/fixtures/dev-credentials/), as a partner identity provider issues them to this STS, and
 * encrypted for this STS as a partner that read our federation metadata sends them.
 */
import type { Element } from "@xmldom/xmldom";
import { KeyRing } from "../../src/keys/keyring.ts";
import { buildSaml1Assertion } from "../../src/saml/saml1.ts";
import { buildSaml2Assertion } from "../../src/saml/saml2.ts";
import { DEV_DECRYPTION_KEY } from "../../src/config/dev-keys.ts";
import { loadEncryptionCertificate } from "../../src/keys/encryption-keys.ts";
import type { TreeElement } from "../../src/xml/tree-writer.ts";
import { encryptElement } from "../../src/xmlenc/encrypt.ts";
import { parseXml } from "../../src/xml/parse.ts";
import { signEnveloped } from "../../src/xmldsig/sign.ts";
import { C14N_10, EXC_C14N, canonicalizeToBytes } from "../../src/xml/c14n.ts";
import { DSIG_NS } from "../../src/xml/dom.ts";
import { toBase64 } from "../../src/bytes.ts";
import PARTNER_CERT from "../fixtures/dev-credentials/partner-idp.cert.pem?raw";
import PARTNER_KEY from "../fixtures/dev-credentials/partner-idp.key.pem?raw";
import { assertionInput } from "./assertion-input.ts";
import { ORIGIN } from "./worker.ts";

export const PARTNER = "urn:example:partner-idp";
let partnerKeys: Promise<KeyRing> | undefined;

export interface AssertionOptions {
  kind?: "saml2" | "saml1";
  /** Holder-of-key: the ds:KeyInfo of the key the assertion confirms. */
  holderOfKey?: TreeElement;
  issuer?: string;
  audience?: string;
  subject?: string;
  expiresInSeconds?: number;
  keys?: KeyRing;
  /** The attributes the partner states (default: an e-mail address and a role). */
  claims?: Record<string, string[]>;
}

function partnerRing(): Promise<KeyRing> {
  return (partnerKeys ??= KeyRing.load([{ status: "current", privateKeyPem: PARTNER_KEY, certificatePem: PARTNER_CERT }]));
}

export async function partnerAssertion(o: AssertionOptions = {}): Promise<string> {
  const keys = o.keys ?? (await partnerRing());
  const input = assertionInput({
    issuer: o.issuer ?? PARTNER,
    subject: o.subject ?? "carol",
    audience: o.audience ?? ORIGIN,
    validForMs: (o.expiresInSeconds ?? 600) * 1000,
    claims: o.claims ?? { email: ["carol@partner.example"], role: ["partner-user"] },
    holderOfKey: o.holderOfKey,
  });
  return o.kind === "saml1" ? buildSaml1Assertion(input, keys) : buildSaml2Assertion(input, keys);
}

export const SAML2 = "urn:oasis:names:tc:SAML:2.0:assertion";

/**
 * A partner assertion (SAML 2.0 or 1.1) with `edit` applied to its text, signed again with the
 * partner's key: what the partner itself could have issued, for statements the builder does not make.
 */
export async function restated(assertion: string, edit: (xml: string) => string): Promise<string> {
  const root = parseXml(edit(assertion.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, ""))).documentElement as Element;
  const saml2 = root.namespaceURI === SAML2;
  const issuer = saml2 ? root.getElementsByTagNameNS(SAML2, "Issuer").item(0) : null;
  const key = (await partnerRing()).all()[0]!;
  await signEnveloped(root, { key, referenceId: root.getAttribute(saml2 ? "ID" : "AssertionID")!, insertAfter: issuer });
  return root.toString();
}

/** As a partner that read our metadata encrypts: the signed assertion inside EncryptedData. */
export async function encrypted(assertion: string, o: { certificatePem?: string; dataAlgorithm?: string; bare?: boolean } = {}): Promise<string> {
  const recipient = await loadEncryptionCertificate(o.certificatePem ?? DEV_DECRYPTION_KEY.certificatePem);
  const ed = await encryptElement(assertion, recipient, o.dataAlgorithm ? { dataAlgorithm: o.dataAlgorithm } : {});
  return o.bare ? ed : `<saml:EncryptedAssertion xmlns:saml="${SAML2}">${ed}</saml:EncryptedAssertion>`;
}

/**
 * A partner assertion signed with inclusive canonicalization (C14N 1.0, which SAML allows beside
 * exclusive) instead of the builder's exclusive one: its signature covers every namespace in
 * scope, so it verifies only where the assertion sees the namespaces it was signed with.
 */
export async function inclusivelySigned(assertion: string): Promise<string> {
  const root = parseXml(assertion.replaceAll(`Algorithm="${EXC_C14N}"`, `Algorithm="${C14N_10}"`)).documentElement as Element;
  const signature = root.getElementsByTagNameNS(DSIG_NS, "Signature").item(0)!;
  const signedInfo = signature.getElementsByTagNameNS(DSIG_NS, "SignedInfo").item(0)!;
  const digest = await crypto.subtle.digest("SHA-256", canonicalizeToBytes(root, { algorithm: C14N_10, exclude: (n) => n === signature }));
  signedInfo.getElementsByTagNameNS(DSIG_NS, "DigestValue").item(0)!.textContent = toBase64(new Uint8Array(digest));
  const key = await (await partnerRing()).all()[0]!.privateKeyFor("RS256");
  const value = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, canonicalizeToBytes(signedInfo, { algorithm: C14N_10 }));
  signature.getElementsByTagNameNS(DSIG_NS, "SignatureValue").item(0)!.textContent = toBase64(new Uint8Array(value));
  return root.toString();
}
