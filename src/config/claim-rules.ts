/**
 * Claim rules: a relying party's small declarative language for the claims its tokens carry
 * (`relyingParties[].claimRules`, documented in the README). The operator writes
 * `ClaimRuleInput`s; validation (`validate-claim-rules.ts`) turns them into `ClaimRule`s, with
 * every name resolved and every template parsed, so evaluation (src/engine/claim-rules.ts) does
 * no parsing and no checking per request. There is no code, no regular expression and no loop
 * in the language: a rule's cost is bounded by the limits below.
 */

/** At most this many rules per relying party. */
export const MAX_CLAIM_RULES = 64;
/** At most this many characters in a template. */
export const MAX_TEMPLATE_LENGTH = 256;
/** At most this many placeholders in a template. */
export const MAX_TEMPLATE_PLACEHOLDERS = 8;
/** At most this many entries in a rule's value map. */
export const MAX_MAP_ENTRIES = 256;
/** At most this many values in one output claim (constants, a map entry, a template's expansion). */
export const MAX_CLAIM_VALUES = 64;
/**
 * At most this many characters of claims (names and values) in one token, whatever the policy.
 * Rules multiply what they read — 64 rules of 64 values of 8 placeholders each over the
 * subject's longest claim — and no configuration bounds what a user or a trusted issuer's token
 * brings, so the bound is kept at issuance (src/engine/claim-rules.ts `ClaimBudget`): evaluation
 * stops the moment its output passes it, and the request is refused.
 */
export const MAX_TOKEN_CLAIM_CHARS = 128 * 1024;
/** The template placeholder that stands for the subject's name (any other names an input claim). */
export const SUBJECT_PLACEHOLDER = "subject";

/** An output claim's name: `as` alone names it in both formats; the object names each. */
export type ClaimNameInput = string | { saml: string; jwt: string };

/** `when`: emit only when an input claim has a value (any, or the one given). */
export type ClaimConditionInput = string | { claim: string; equals?: string };

/**
 * One rule, as the operator writes it: exactly one of `claim` (an input claim, or `*` for every
 * one), `value` (a constant), `template` (built from other claims) or `drop` (remove an output
 * claim emitted so far); `as`, `map` and `when` refine the first three.
 */
export interface ClaimRuleInput {
  claim?: string;
  value?: string | string[];
  template?: string;
  drop?: string;
  as?: ClaimNameInput;
  /** With `claim`: input value → output value(s); values not in the map are not emitted. */
  map?: Record<string, string | string[]>;
  when?: ClaimConditionInput;
}

/** An output claim's names: the SAML attribute name and the JWT claim name. */
export interface ClaimName {
  saml: string;
  jwt: string;
}

export interface ClaimCondition {
  claim: string;
  equals: string | undefined;
}

/** A template, parsed: literal text and placeholders (an input claim's name, or the subject). */
export type TemplatePart = { text: string } | { claim: string } | { subject: true };

/** A validated rule. */
export type ClaimRule =
  | { kind: "all"; when: ClaimCondition | undefined }
  | { kind: "claim"; claim: string; as: ClaimName; map: ReadonlyMap<string, readonly string[]> | undefined; when: ClaimCondition | undefined }
  | { kind: "value"; values: readonly string[]; as: ClaimName; when: ClaimCondition | undefined }
  | { kind: "template"; parts: readonly TemplatePart[]; as: ClaimName; when: ClaimCondition | undefined }
  | { kind: "drop"; names: ReadonlySet<string> };
