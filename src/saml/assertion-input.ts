import { randomBytes, toHex } from "../bytes.ts";
import type { XmlSignatureAlg } from "../config/types.ts";
import type { TreeElement } from "../xml/tree-writer.ts";

/** Everything a SAML assertion states; built by the engine, protocol-free. */
export interface AssertionInput {
  id: string;
  issuer: string;
  subject: string;
  nameIdFormat?: string | undefined;
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

/** xs:dateTime in UTC, as SAML requires (SAML 2.0 core §1.3.3: no time zone other than Z). */
export function samlTime(d: Date): string {
  return d.toISOString();
}

/** A fresh SAML ID: xs:ID must be an NCName, so it starts with '_' (128 random bits). */
export function newSamlId(): string {
  return "_" + toHex(randomBytes(16));
}
