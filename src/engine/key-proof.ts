/**
 * Proof of the key a presented token is bound to, asked of whoever presents it as evidence for
 * a new token.
 */
import { invalidDpopProof, invalidRequest, invalidToken } from "../errors.ts";
import { confirmationThumbprint } from "../keys/keyring.ts";
import type { Confirmation } from "./types.ts";

/**
 * RFC 9449 §7.1, RFC 7800 §3: a token bound to a key is good only with a proof of that key.
 * Whoever presents one as evidence for a new token must prove it, or the new token would be a
 * bearer copy of a bound one.
 * - OAuth token exchange (`proof`: the verified DPoP proof's thumbprint; undefined without one),
 *   where holding the token is the client's only right to its subject: the proof must be made
 *   with the key — a DPoP binding's `jkt`, or a public key's (holder-of-key SAML, JWT `cnf.jwk`)
 *   RFC 7638 thumbprint. A symmetric key cannot be proved there at all.
 * - WS-Trust (`proof` null) carries no DPoP proof, so a DPoP-bound token cannot serve there. A
 *   holder-of-key token can: OnBehalfOf and ActAs are how a service passes on the token whose
 *   key its caller proved to it, and the service's right to that subject is the authorization
 *   rule's, not possession of the token.
 * @param what the token's role, for messages ("subject_token", "OnBehalfOf token", ...)
 * @throws StsError invalid_dpop_proof or invalid_token (OAuth), invalid_request (WS-Trust)
 */
export async function requireKeyProof(confirmation: Confirmation | undefined, proof: { jkt: string } | undefined | null, what: string): Promise<void> {
  if (confirmation === undefined) return;
  if (confirmation.method === "dpop") {
    if (proof === null) throw invalidRequest(`The ${what} is bound to a DPoP key; WS-Trust cannot carry a DPoP proof, so it cannot be used here. Use OAuth token exchange with a DPoP proof.`);
    if (proof === undefined) throw invalidDpopProof(`The ${what} is DPoP-bound: send a DPoP proof made with its key.`);
    if (proof.jkt !== (await confirmationThumbprint(confirmation))) throw invalidDpopProof(`The DPoP proof was not made with the key the ${what} is bound to.`);
    return;
  }
  if (proof === null) return;
  if (confirmation.method === "symmetric") {
    throw invalidToken(`The ${what} is bound to a symmetric proof key, which token exchange has no way to prove: present it where its key is proved (WS-Trust), or a token not bound to a key.`);
  }
  if (proof === undefined) throw invalidDpopProof(`The ${what} is bound to a key: send a DPoP proof made with it.`);
  if (proof.jkt !== (await confirmationThumbprint(confirmation))) throw invalidDpopProof(`The DPoP proof was not made with the key the ${what} is bound to.`);
}
