/**
 * WS-Trust 1.3 §5: an Issue request may say `<wst:Renewing Allow="false"/>` — the token must
 * never be renewed. Issuance stores nothing, so the fact travels in the token itself: its ID
 * (SAML `ID`/`AssertionID`, JWT `jti`) starts with a mark. The ID is covered by the token's
 * signature, so the mark cannot be removed or added by the holder.
 */
const MARK = "nr-";

/** The ID prefix for a token that must not be renewed (SAML IDs keep their leading "_"). */
export function notRenewableId(id: string): string {
  return id.startsWith("_") ? `_${MARK}${id.slice(1)}` : `${MARK}${id}`;
}

export function isNotRenewable(id: string): boolean {
  return id.startsWith(MARK) || id.startsWith(`_${MARK}`);
}
