/**
 * WS-Trust 1.3 §5: an Issue request may say `<wst:Renewing Allow="false"/>` — the token must
 * never be renewed. Issuance stores nothing, so the fact travels in the token itself: its ID
 * (SAML `ID`/`AssertionID`, JWT `jti`) starts with a mark. The ID is covered by the token's
 * signature, so the mark cannot be removed or added by the holder.
 *
 * The mark must be something the random part of an ID can never produce, or a random ID would
 * now and then read as not renewable: it ends in ".", which is in neither alphabet our random
 * parts use (hex for SAML IDs, base64url for `jti`s) and is allowed in an xs:ID (an NCName).
 */
const MARK = "nr.";

/**
 * The mark written before it carried the ".": recognised only in exactly the shape it was
 * minted in — the mark followed by a whole random part (32 hex digits after "_", or the 22
 * base64url characters of a 128-bit `jti`). An unmarked random ID is shorter than that, so it
 * can never match, whatever its first characters.
 */
const EARLIER_MARK = /^(?:_nr-[0-9a-f]{32}|nr-[A-Za-z0-9_-]{22})$/;

/**
 * The ID for a token that must not be renewed. A SAML ID keeps its leading "_" before the mark;
 * a `jti` is marked in front of its whole random part, whose base64url may itself begin with "_"
 * (a pairwise `jti` is a sealed subject, which `randomPartOf` must give back whole).
 * @param id a freshly generated random ID, with no "." in it
 * @param saml whether `id` is a SAML ID (`_` and the random part) rather than a `jti`
 */
export function notRenewableId(id: string, saml: boolean): string {
  if (id.includes(".")) throw new Error("A random token ID never contains '.'; the not-renewable mark relies on it.");
  return saml && id.startsWith("_") ? `_${MARK}${id.slice(1)}` : `${MARK}${id}`;
}

/** Whether a token ID of ours carries the not-renewable mark. */
export function isNotRenewable(id: string): boolean {
  return id.startsWith(MARK) || id.startsWith(`_${MARK}`) || EARLIER_MARK.test(id);
}

/**
 * The random part an ID of ours was made from: without a SAML ID's leading "_" (`saml`; a
 * `jti`'s random part may itself begin with "_") and without the not-renewable mark. A `jti`
 * whose random part began with "_" was once marked after that "_" (`_nr.` and the rest): its
 * random part is that "_" and the rest.
 */
export function randomPartOf(id: string, saml: boolean): string {
  if (!saml && id.startsWith(`_${MARK}`)) return `_${id.slice(1 + MARK.length)}`;
  const bare = saml && id.startsWith("_") ? id.slice(1) : id;
  return bare.startsWith(MARK) ? bare.slice(MARK.length) : bare;
}
