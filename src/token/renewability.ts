/**
 * WS-Trust 1.3 §5: an Issue request's `wst:Renewing` decides whether the token may be renewed
 * (`Allow`, default true) and whether it may still be renewed after it has expired (`OK`, default
 * false). Issuance stores nothing, so the decision travels in the token itself: its ID (SAML
 * `ID`/`AssertionID`, JWT `jti`) starts with a mark. The ID is covered by the token's signature,
 * so a mark cannot be removed or added by the holder.
 *
 * A mark must be something the random part of an ID can never produce, or a random ID would now
 * and then read as marked: each ends in ".", which is in neither alphabet our random parts use
 * (hex for SAML IDs, base64url for `jti`s and sealed pairwise subjects) and is allowed in an
 * xs:ID (an NCName). The two marks differ before their ".", so neither reads as the other.
 */
const NOT_RENEWABLE = "nr.";
/** `wst:Renewing OK="true"`: renewable after expiry, within the relying party's grace. */
const AFTER_EXPIRY = "ok.";
const MARKS = [NOT_RENEWABLE, AFTER_EXPIRY] as const;

/**
 * The mark written before it carried the ".": recognised only in exactly the shape it was
 * minted in — the mark followed by a whole random part (32 hex digits after "_", or the 22
 * base64url characters of a 128-bit `jti`). An unmarked random ID is shorter than that, so it
 * can never match, whatever its first characters.
 */
const EARLIER_MARK = /^(?:_nr-[0-9a-f]{32}|nr-[A-Za-z0-9_-]{22})$/;

/** What the `wst:Renewing` of the request that returns a token decided about it (WS-Trust 1.3 §5). */
export interface RenewingMarks {
  /** `Allow="false"`: the token must never be renewed. */
  notRenewable?: boolean | undefined;
  /** `OK="true"`: the token may be renewed after it has expired. */
  renewableAfterExpiry?: boolean | undefined;
}

/**
 * The ID for a token with the decided marks. A SAML ID keeps its leading "_" before the mark; a
 * `jti` is marked in front of its whole random part, whose base64url may itself begin with "_"
 * (a pairwise `jti` is a sealed subject, which `randomPartOf` must give back whole).
 *
 * `Allow="false"` wins over `OK="true"`: a token that may never be renewed is not renewable
 * after expiry either. §5 has OK qualify a renewable token, and Apache CXF's STS records both
 * and refuses a not-renewable token before it asks whether an expired one may renew; refusing
 * the request instead would fail clients that send OK="true" by habit with every Renewing.
 * @param id a freshly generated random ID, with no "." in it
 * @param saml whether `id` is a SAML ID (`_` and the random part) rather than a `jti`
 */
export function markedId(id: string, marks: RenewingMarks, saml: boolean): string {
  const mark = marks.notRenewable ? NOT_RENEWABLE : marks.renewableAfterExpiry ? AFTER_EXPIRY : undefined;
  if (mark === undefined) return id;
  if (id.includes(".")) throw new Error("A random token ID never contains '.'; the renewability marks rely on it.");
  return saml && id.startsWith("_") ? `_${mark}${id.slice(1)}` : `${mark}${id}`;
}

/** The ID for a token that must not be renewed (see `markedId`). */
export function notRenewableId(id: string, saml: boolean): string {
  return markedId(id, { notRenewable: true }, saml);
}

/** Whether a token ID of ours carries the not-renewable mark. */
export function isNotRenewable(id: string): boolean {
  return hasMark(id, NOT_RENEWABLE) || EARLIER_MARK.test(id);
}

/** Whether a token ID of ours carries the renewable-after-expiry mark (`wst:Renewing OK="true"`). */
export function isRenewableAfterExpiry(id: string): boolean {
  return hasMark(id, AFTER_EXPIRY);
}

/** A SAML ID's mark follows its "_"; a jti's once did too, when its random part began with "_". */
function hasMark(id: string, mark: string): boolean {
  return id.startsWith(mark) || id.startsWith(`_${mark}`);
}

/**
 * The random part an ID of ours was made from: without a SAML ID's leading "_" (`saml`; a
 * `jti`'s random part may itself begin with "_") and without a renewability mark. A `jti`
 * whose random part began with "_" was once marked after that "_" (`_nr.` and the rest): its
 * random part is that "_" and the rest.
 */
export function randomPartOf(id: string, saml: boolean): string {
  if (!saml && id.startsWith(`_${NOT_RENEWABLE}`)) return `_${id.slice(1 + NOT_RENEWABLE.length)}`;
  const bare = saml && id.startsWith("_") ? id.slice(1) : id;
  const mark = MARKS.find((m) => bare.startsWith(m));
  return mark === undefined ? bare : bare.slice(mark.length);
}
