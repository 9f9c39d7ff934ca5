import { type ClaimCondition, type ClaimName, type ClaimRule, MAX_CLAIM_VALUES, type TemplatePart } from "../config/claim-rules.ts";
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

/** The values of a claim the input holds (never a property every object inherits). */
function valuesOf(input: Readonly<Record<string, readonly string[]>>, name: string): readonly string[] | undefined {
  return Object.hasOwn(input, name) ? input[name] : undefined;
}

function holds(input: Readonly<Record<string, readonly string[]>>, c: ClaimCondition | undefined): boolean {
  if (!c) return true;
  const v = valuesOf(input, c.claim);
  return v !== undefined && v.length > 0 && (c.equals === undefined || v.includes(c.equals));
}

/** Appends values to the claim of that name (made on first use), unique, at most MAX_CLAIM_VALUES. */
function emit(out: OutputClaim[], name: ClaimName, values: Iterable<string>): void {
  let c = out.find((o) => o.saml === name.saml && o.jwt === name.jwt);
  if (!c) out.push((c = { saml: name.saml, jwt: name.jwt, values: [] }));
  for (const v of values) {
    if (c.values.length >= MAX_CLAIM_VALUES) return;
    if (!c.values.includes(v)) c.values.push(v);
  }
}

/**
 * A template's values: one per combination of its placeholders' values (most placeholders hold
 * one), none when a placeholder has no value, at most MAX_CLAIM_VALUES.
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
        next.push(a + v);
      }
    }
    acc = next;
  }
  return acc;
}

/**
 * Evaluates a relying party's claim rules, in order, over the claims released to it. Pure and
 * bounded: at most 64 rules (configuration), each emitting at most 64 values into a claim.
 */
export function applyClaimRules(rules: readonly ClaimRule[], subject: string, input: Readonly<Record<string, readonly string[]>>): OutputClaim[] {
  const out: OutputClaim[] = [];
  for (const r of rules) {
    if (r.kind === "drop") {
      for (let i = out.length - 1; i >= 0; i--) {
        const c = out[i]!;
        if (r.names.has(c.jwt) || r.names.has(claimUri(c.saml))) out.splice(i, 1);
      }
      continue;
    }
    if (!holds(input, r.when)) continue;
    if (r.kind === "all") {
      for (const [name, vs] of Object.entries(input)) if (vs.length > 0) emit(out, { saml: name, jwt: name }, vs);
    } else if (r.kind === "claim") {
      const vs = valuesOf(input, r.claim);
      if (!vs || vs.length === 0) continue;
      const map = r.map;
      emit(out, r.as, map ? vs.flatMap((v) => map.get(v) ?? []) : vs);
    } else if (r.kind === "value") {
      emit(out, r.as, r.values);
    } else {
      emit(out, r.as, expand(r.parts, subject, input));
    }
  }
  return out.filter((c) => c.values.length > 0);
}
