/**
 * Proof of possession: the key a token's holder must prove it holds before a relying party
 * accepts the token. A token without a confirmation is a bearer token.
 *
 * - `symmetric`: a shared secret (WS-Trust SymmetricKey). The requestor gets it in the RSTR
 *   (wst:RequestedProofToken); the relying party gets it inside the token, encrypted for its
 *   certificate (SAML holder-of-key SubjectConfirmation with an xenc:EncryptedKey).
 * - `public-key`: the requestor's own public key (WS-Trust PublicKey, wst:UseKey), stated in the
 *   token as a ds:KeyInfo (SAML) or `cnf.jwk` (JWT, RFC 7800).
 * - `dpop`: the SHA-256 JWK thumbprint of the key behind an OAuth DPoP proof (RFC 9449), stated
 *   as `cnf.jkt`.
 */
export type Confirmation =
  | {
      method: "symmetric";
      /** The proof key. Never logged, never stored. */
      key: Uint8Array;
      sealed?: undefined;
    }
  | {
      method: "symmetric";
      key?: undefined;
      /**
       * The proof key as the relying party already has it: the xenc:EncryptedKey of a verified
       * token of ours, which we cannot decrypt (it is for the relying party's key). A renewal
       * carries it into the new token unchanged, so the holder keeps proving the same key.
       */
      sealed: SealedElement;
    }
  | {
      method: "public-key";
      /** The public key as a JWK (public members only). */
      jwk: JsonWebKey;
      /** The DER certificate the key came in, when it came in one (kept for SAML ds:X509Data). */
      certificate?: Uint8Array | undefined;
    }
  | {
      method: "dpop";
      /** RFC 7638 SHA-256 thumbprint of the proof key, base64url. */
      jkt: string;
    };

/**
 * An XML element as plain data: the shape of the tree writer's element (src/xml/tree-writer.ts
 * `TreeElement`, which this layer may not import), so a token's element can be remembered,
 * frozen and written again.
 */
export interface SealedElement {
  readonly ns: string;
  readonly qname: string;
  readonly prefix: string;
  readonly attrs: readonly (readonly [string, string])[];
  readonly children: readonly (SealedElement | string)[];
  readonly qattrs?: readonly (readonly [string, string, string, string])[] | undefined;
}
