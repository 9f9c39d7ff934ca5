import { randomBytes, toHex } from "../bytes.ts";
import type { XmlSignatureAlg } from "../config/types.ts";
import type { TreeElement } from "../xml/tree-writer.ts";
import { NAMEID_UNSPECIFIED } from "./ns.ts";

/** Everything a SAML assertion states; built by the engine, protocol-free. */
export interface AssertionInput {
  id: string;
  issuer: string;
  subject: string;
  nameIdFormat?: string | undefined;
  /** NameID / NameIdentifier `NameQualifier` (a pairwise subject's issuer). */
  nameQualifier?: string | undefined;
  /** SAML 2.0 NameID `SPNameQualifier` (the sector a pairwise subject is for). */
  spNameQualifier?: string | undefined;
  audience: string;
  issuedAt: Date;
  notBefore: Date;
  expires: Date;
  authnInstant: Date;
  authnMethod: string;
  /** Claim name → values, already filtered by relying-party policy. */
  claims: Record<string, string[]>;
  signatureAlgorithm: XmlSignatureAlg;
  /**
   * Holder-of-key: the ds:KeyInfo of the key the holder must prove (an xenc:EncryptedKey of a
   * symmetric proof key, or a public key). Absent: a bearer assertion.
   */
  holderOfKey?: TreeElement | undefined;
}

/**
 * The attributes of the subject's NameID (SAML 2.0 core §2.2.2) or NameIdentifier (SAML 1.1
 * core §2.4.2.2, which has no SPNameQualifier).
 */
export function nameIdAttributes(a: AssertionInput, saml2: boolean): Record<string, string> {
  const out: Record<string, string> = { Format: a.nameIdFormat ?? NAMEID_UNSPECIFIED };
  if (a.nameQualifier !== undefined) out.NameQualifier = a.nameQualifier;
  if (saml2 && a.spNameQualifier !== undefined) out.SPNameQualifier = a.spNameQualifier;
  return out;
}

/** xs:dateTime in UTC, as SAML requires (SAML 2.0 core §1.3.3: no time zone other than Z). */
export function samlTime(d: Date): string {
  return d.toISOString();
}

/** A fresh SAML ID: xs:ID must be an NCName, so it starts with '_' (128 random bits). */
export function newSamlId(): string {
  return "_" + toHex(randomBytes(16));
}
