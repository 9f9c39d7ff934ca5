/**
 * The key a holder-of-key assertion confirms, as a message signature must prove it: a public
 * key stated in its ds:KeyInfo (KeyValue or X509Data), or a symmetric proof key sealed for this
 * STS in an xenc:EncryptedKey (opened with our `decryptionKeys`, never anyone else's key).
 */
import type { Element } from "@xmldom/xmldom";
import { authenticationFailed, isStsError } from "../errors.ts";
import { decryptionKeyFor } from "../keys/encryption-keys.ts";
import { type SignatureAlg, importParams } from "../keys/keyring.ts";
import type { NamedCurve } from "../keys/ecdsa-sig.ts";
import type { ConfirmedKey } from "../soap/message-signature.ts";
import { childElements } from "../xml/dom.ts";
import { readPublicKeyInfo } from "../xmldsig/key-info.ts";
import { XENC_NS } from "../xmlenc/algorithms.ts";
import { decryptKey } from "../xmlenc/decrypt.ts";
import type { StsContext } from "./types.ts";

/** A proof key shorter than this proves nothing worth having (WS-Trust's KeySize minimum). */
const MIN_PROOF_KEY_BYTES = 16;

/** @throws StsError authentication_failed, saying why the key cannot be used. */
export async function confirmedKey(ctx: StsContext, keyInfo: Element): Promise<ConfirmedKey> {
  const sealed = childElements(keyInfo, XENC_NS, "EncryptedKey");
  if (sealed.length > 0) {
    if (sealed.length !== 1 || childElements(keyInfo).length !== 1) throw authenticationFailed("The assertion's proof key must be one xenc:EncryptedKey.");
    for (const k of ctx.config.decryptionKeys) {
      try {
        const secret = await decryptKey(sealed[0]!, await decryptionKeyFor(k.privateKeyPem, k.certificatePem));
        if (secret.length < MIN_PROOF_KEY_BYTES) throw authenticationFailed("The assertion's proof key is shorter than 128 bits.");
        return { secret };
      } catch (e) {
        if (isStsError(e)) throw e;
        // Not for this key (or not decryptable with it): try the next one.
      }
    }
    throw authenticationFailed("The assertion's proof key is not encrypted for a decryption key of this STS.");
  }
  let key;
  try {
    key = await readPublicKeyInfo(keyInfo);
  } catch (e) {
    throw authenticationFailed(e instanceof Error ? e.message : "The assertion's key is not acceptable.");
  }
  const jwk = key.jwk;
  const imported = new Map<SignatureAlg, Promise<CryptoKey>>();
  return {
    publicKey: {
      certificateDer: key.certificate ?? new Uint8Array(0),
      publicKeyFor(alg: SignatureAlg): Promise<CryptoKey> {
        let p = imported.get(alg);
        if (!p) {
          try {
            const [, params] = importParams(alg, jwk.kty === "EC" ? "EC" : "RSA", jwk.crv as NamedCurve | undefined);
            p = crypto.subtle.importKey("jwk", jwk, params, false, ["verify"]);
          } catch (e) {
            return Promise.reject(e); // the key type does not fit the algorithm
          }
          imported.set(alg, p);
        }
        return p;
      },
    },
  };
}
