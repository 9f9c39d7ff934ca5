import {
  type ClaimCondition, type ClaimName, type ClaimRule, MAX_CLAIM_VALUES, MAX_TOKEN_CLAIM_CHARS, type TemplatePart,
} from "../config/claim-rules.ts";
import { invalidRequest } from "../errors.ts";
import { claimUri } from "../token/claim-types.ts";

/**
 * An output claim, named for both token formats: its SAML attribute name (a claim-type table
 * name or a URI) and its JWT claim name. The token's format picks one at the end.
 */
export interface OutputClaim {
  saml: string;
  jwt: string;
  values: string[];
}

/**
 * The characters a token's claims may still take (MAX_TOKEN_CLAIM_CHARS), spent as claims and
 * values are given: the first claim or value past it refuses the request, before more is built
 * and long before a token is written — a truncated token would state less than the policy says.
 */
export class ClaimBudget {
  private left = MAX_TOKEN_CLAIM_CHARS;

  /** Spends `chars`, or refuses the request when they are not left. */
  spend(chars: number): void {
    this.left -= chars;
    if (this.left < 0) throw tooLarge();
  }
}

const tooLarge = () =>
  invalidRequest(`The claims this relying party's policy gives for this subject would take more than ${MAX_TOKEN_CLAIM_CHARS} characters, more than any token may carry.`);

/** The values of a claim the input holds (never a property every object inherits). */
function valuesOf(input: Readonly<Record<string, readonly string[]>>, name: string): readonly string[] | undefined {
  return Object.hasOwn(input, name) ? input[name] : undefined;
}

function holds(input: Readonly<Record<string, readonly string[]>>, c: ClaimCondition | undefined): boolean {
  if (!c) return true;
  const v = valuesOf(input, c.claim);
  return v !== undefined && v.length > 0 && (c.equals === undefined || v.includes(c.equals));
}

/** The claim of that name emitted so far: one claim is one pair of SAML and JWT names. */
function claimNamed<T extends ClaimName>(out: readonly T[], name: ClaimName): T | undefined {
  return out.find((o) => o.saml === name.saml && o.jwt === name.jwt);
}

/** Removes the claims a drop rule names: by their JWT name, or their SAML name with the table applied. */
function drop<T extends ClaimName>(out: T[], names: ReadonlySet<string>): void {
  for (let i = out.length - 1; i >= 0; i--) {
    const c = out[i]!;
    if (names.has(c.jwt) || names.has(claimUri(c.saml))) out.splice(i, 1);
  }
}

/**
 * Appends values to the claim of that name (made on first use), unique, each new name and value
 * spent from the budget. No count caps a claim here: a claim passed through or mapped states
 * every value the subject holds, as it would with no rules — a claim cut at some count would
 * silently lose a role or group the relying party decides by. What bounds the values is the
 * budget, and `seen` keeps the uniqueness check one lookup per value however many there are.
 */
function emit(out: OutputClaim[], name: ClaimName, values: Iterable<string>, budget: ClaimBudget, seen: Map<OutputClaim, Set<string>>): void {
  let c = claimNamed(out, name);
  if (!c) {
    budget.spend(Math.max(name.saml.length, name.jwt.length));
    out.push((c = { saml: name.saml, jwt: name.jwt, values: [] }));
  }
  let have = seen.get(c);
  if (!have) seen.set(c, (have = new Set(c.values)));
  for (const v of values) {
    if (have.has(v)) continue;
    budget.spend(v.length);
    have.add(v);
    c.values.push(v);
  }
}

/**
 * A template's values: one per combination of its placeholders' values (most placeholders hold
 * one), none when a placeholder has no value, at most MAX_CLAIM_VALUES. A value growing past
 * what any token may carry refuses the request as it is built.
 */
function expand(parts: readonly TemplatePart[], subject: string, input: Readonly<Record<string, readonly string[]>>): string[] {
  let acc = [""];
  for (const part of parts) {
    const vs = "text" in part ? [part.text] : "subject" in part ? [subject] : (valuesOf(input, part.claim) ?? []);
    if (vs.length === 0) return [];
    const next: string[] = [];
    for (const a of acc) {
      for (const v of vs) {
        if (next.length >= MAX_CLAIM_VALUES) break;
        if (a.length + v.length > MAX_TOKEN_CLAIM_CHARS) throw tooLarge();
        next.push(a + v);
      }
    }
    acc = next;
  }
  return acc;
}

/**
 * Evaluates a relying party's claim rules, in order, over the claims released to it. Pure and
 * bounded: at most 64 rules (configuration), a template giving at most 64 values, all of them
 * within the token's claims budget.
 */
export function applyClaimRules(
  rules: readonly ClaimRule[],
  subject: string,
  input: Readonly<Record<string, readonly string[]>>,
  budget: ClaimBudget = new ClaimBudget(),
): OutputClaim[] {
  const out: OutputClaim[] = [];
  const seen = new Map<OutputClaim, Set<string>>();
  for (const r of rules) {
    if (r.kind === "drop") {
      drop(out, r.names);
      continue;
    }
    if (!holds(input, r.when)) continue;
    if (r.kind === "all") {
      for (const [name, vs] of Object.entries(input)) if (vs.length > 0) emit(out, { saml: name, jwt: name }, vs, budget, seen);
    } else if (r.kind === "claim") {
      const vs = valuesOf(input, r.claim);
      if (!vs || vs.length === 0) continue;
      const map = r.map;
      emit(out, r.as, map ? vs.flatMap((v) => map.get(v) ?? []) : vs, budget, seen);
    } else if (r.kind === "value") {
      emit(out, r.as, r.values, budget, seen);
    } else {
      emit(out, r.as, expand(r.parts, subject, input), budget, seen);
    }
  }
  return out.filter((c) => c.values.length > 0);
}

/**
 * The claims the rules can emit when the input may hold claims of these names, by name, for
 * federation metadata: every rule is taken to emit (whether it does depends on values — its
 * condition, its map, its placeholders), and names, merging and drops are those evaluation uses,
 * so a claim renamed and then dropped under one name is still offered under another it keeps.
 */
export function claimNamesEmitted(rules: readonly ClaimRule[], input: readonly string[]): ClaimName[] {
  const out: ClaimName[] = [];
  const add = (name: ClaimName) => void (claimNamed(out, name) ?? out.push({ saml: name.saml, jwt: name.jwt }));
  for (const r of rules) {
    if (r.kind === "drop") drop(out, r.names);
    else if (r.kind === "all") for (const n of input) add({ saml: n, jwt: n });
    else add(r.as);
  }
  return out;
}
