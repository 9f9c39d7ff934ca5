/** Validation of `relyingParties[].claimRules` (see `claim-rules.ts` and the README). */
import { claimName, claimTypeKey, claimUri } from "../token/claim-types.ts";
import { isReservedClaim } from "../token/claims.ts";
import {
  type ClaimCondition, type ClaimName, type ClaimRule, MAX_CLAIM_RULES, MAX_CLAIM_VALUES, MAX_MAP_ENTRIES,
  MAX_TEMPLATE_LENGTH, MAX_TEMPLATE_PLACEHOLDERS, SUBJECT_PLACEHOLDER, type TemplatePart,
} from "./claim-rules.ts";
import { type Issues, type Obj, arr, obj, show, text } from "./check.ts";

const RULE_FIELDS = ["claim", "value", "template", "drop", "as", "map", "when"] as const;
const SOURCES = ["claim", "value", "template", "drop"] as const;
const MAX_NAME = 256;
const MAX_VALUE = 1024;

/**
 * A claim name (input or output), at most 256 characters, never a reserved one by its name or its
 * URI (the WIF actor, the scope attribute, ...): rules never produce a protocol fact, and never
 * read one, since the subject's claims hold none.
 */
function claimNameText(x: Issues, v: unknown, path: string): string | undefined {
  const s = text(x, v, path, MAX_NAME);
  if (s === undefined) return undefined;
  if (isReservedClaim(s) || s === "__proto__") {
    x.add(path, `${show(s)} is reserved (it has a protocol meaning in tokens)`);
    return undefined;
  }
  return s;
}

/**
 * One entry of a relying party's `claims` release list. A protocol claim (`sub`, `scope`, the WIF
 * actor, …) is never released as a claim of the person — tokens state it from issuance — so
 * listing one releases nothing; `*` names a claim called `*`, not every claim (which is what no
 * list at all releases). Either is a mistake the operator would not see until a token lacks it.
 */
export function releasedClaimName(x: Issues, v: unknown, path: string): string | undefined {
  const s = text(x, v, path, MAX_NAME);
  if (s === undefined) return undefined;
  if (isReservedClaim(s)) x.add(path, `${show(s)} is never released: it has a protocol meaning, and tokens state it from issuance, not from the subject's claims`);
  else if (s === "*") x.add(path, `"*" is no claim name: a party without a claims list is released every claim`);
  else return s;
  return undefined;
}

/**
 * One name for both formats: a JWT names a table claim by its short name, as it does every
 * claim of the table, even where the rule wrote the claim-type URI.
 */
function bothFormats(name: string): ClaimName {
  return { saml: name, jwt: claimName(name) };
}

/** `as`: one name for both formats, or `{ saml, jwt }`. */
function outputName(x: Issues, v: unknown, path: string): ClaimName | undefined {
  if (typeof v === "string") {
    const s = claimNameText(x, v, path);
    return s === undefined ? undefined : bothFormats(s);
  }
  const o = obj(x, v, path, ["saml", "jwt"]);
  if (!o) return undefined;
  if (o.saml === undefined) x.add(`${path}.saml`, "is required");
  if (o.jwt === undefined) x.add(`${path}.jwt`, "is required");
  const saml = o.saml === undefined ? undefined : claimNameText(x, o.saml, `${path}.saml`);
  const jwt = o.jwt === undefined ? undefined : claimNameText(x, o.jwt, `${path}.jwt`);
  return saml === undefined || jwt === undefined ? undefined : { saml, jwt };
}

/** One value or a list of 1–64 values, each at most 1024 characters. */
function values(x: Issues, v: unknown, path: string): string[] | undefined {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || list.length > MAX_CLAIM_VALUES) {
    x.add(path, `expected 1 to ${MAX_CLAIM_VALUES} values, got ${list.length}`);
    return undefined;
  }
  const out: string[] = [];
  list.forEach((s, i) => {
    const t = text(x, s, Array.isArray(v) ? `${path}[${i}]` : path, MAX_VALUE);
    if (t !== undefined && !out.includes(t)) out.push(t);
  });
  return out.length > 0 ? out : undefined;
}

function condition(x: Issues, v: unknown, path: string): ClaimCondition | undefined {
  if (typeof v === "string") {
    const claim = claimNameText(x, v, path);
    return claim === undefined ? undefined : { claim, equals: undefined };
  }
  const o = obj(x, v, path, ["claim", "equals"]);
  if (!o) return undefined;
  if (o.claim === undefined) x.add(`${path}.claim`, "is required");
  const claim = o.claim === undefined ? undefined : claimNameText(x, o.claim, `${path}.claim`);
  const equals = o.equals === undefined ? undefined : text(x, o.equals, `${path}.equals`, MAX_VALUE);
  return claim === undefined || (o.equals !== undefined && equals === undefined) ? undefined : { claim, equals };
}

function valueMap(x: Issues, v: unknown, path: string): Map<string, string[]> | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    x.add(path, `expected an object of input value to output value(s), got ${show(v)}`);
    return undefined;
  }
  const entries = Object.entries(v);
  if (entries.length === 0 || entries.length > MAX_MAP_ENTRIES) {
    x.add(path, `expected 1 to ${MAX_MAP_ENTRIES} entries, got ${entries.length}`);
    return undefined;
  }
  const out = new Map<string, string[]>();
  for (const [from, to] of entries) {
    const p = `${path}.${from}`;
    if (text(x, from, `${path} (input value)`, MAX_VALUE) === undefined) continue;
    const mapped = values(x, to, p);
    if (mapped) out.set(from, mapped);
  }
  return out;
}

/**
 * `{name}` stands for an input claim's values, `{subject}` for the subject's name, `{{` and `}}`
 * for a brace. At most 256 characters and 8 placeholders; no placeholder may be reserved.
 */
function template(x: Issues, v: unknown, path: string): TemplatePart[] | undefined {
  const s = text(x, v, path, MAX_TEMPLATE_LENGTH);
  if (s === undefined) return undefined;
  const parts: TemplatePart[] = [];
  let lit = "";
  let placeholders = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if ((c === "{" || c === "}") && s[i + 1] === c) {
      lit += c;
      i++;
      continue;
    }
    if (c === "}") return void x.add(path, `unmatched "}" at ${i} (write "}}" for a brace)`);
    if (c !== "{") {
      lit += c;
      continue;
    }
    const end = s.indexOf("}", i + 1);
    const name = end < 0 ? "" : s.slice(i + 1, end);
    if (end < 0 || name === "" || name.includes("{")) return void x.add(path, `unmatched "{" at ${i} (write "{{" for a brace)`);
    if (name !== SUBJECT_PLACEHOLDER && claimNameText(x, name, `${path} (placeholder {${name}})`) === undefined) return undefined;
    if (++placeholders > MAX_TEMPLATE_PLACEHOLDERS) return void x.add(path, `at most ${MAX_TEMPLATE_PLACEHOLDERS} placeholders`);
    if (lit) parts.push({ text: lit });
    lit = "";
    parts.push(name === SUBJECT_PLACEHOLDER ? { subject: true } : { claim: name });
    i = end;
  }
  if (lit) parts.push({ text: lit });
  if (placeholders === 0) return void x.add(path, `names no placeholder (use "value" for a constant)`);
  return parts;
}

/** One rule: exactly one source, and only the refinements that source takes. */
function rule(x: Issues, raw: unknown, p: string): ClaimRule | undefined {
  const r = obj(x, raw, p, RULE_FIELDS);
  if (!r) return undefined;
  const sources = SOURCES.filter((k) => r[k] !== undefined);
  if (sources.length !== 1) {
    x.add(p, `expected exactly one of ${SOURCES.join(", ")}, got ${sources.length === 0 ? "none" : sources.join(" and ")}`);
    return undefined;
  }
  const source = sources[0]!;
  const refuse = (k: string, why: string) => r[k] !== undefined && x.add(`${p}.${k}`, why);
  if (source === "drop") {
    for (const k of ["as", "map", "when"]) refuse(k, `does not go with "drop"`);
    if (r.drop === "*") {
      x.add(`${p}.drop`, `"*" is no claim name: a drop removes the one claim it names (a party releasing nothing has "claims": [])`);
      return undefined;
    }
    const name = claimNameText(x, r.drop, `${p}.drop`);
    // A name matches an emitted claim by its JWT name or its SAML name, the table applied.
    return name === undefined ? undefined : { kind: "drop", names: new Set([name, claimUri(name)]) };
  }
  const when = r.when === undefined ? undefined : condition(x, r.when, `${p}.when`);
  if (r.when !== undefined && when === undefined) return undefined;
  if (source !== "claim") refuse("map", `goes only with "claim"`);
  if (source === "claim" && r.claim === "*") {
    refuse("as", `does not go with "claim": "*" (every claim keeps its name)`);
    refuse("map", `does not go with "claim": "*"`);
    return { kind: "all", when };
  }
  if (source !== "claim" && r.as === undefined) {
    x.add(`${p}.as`, `is required with "${source}"`);
    return undefined;
  }
  if (source === "claim") {
    const claim = claimNameText(x, r.claim, `${p}.claim`);
    const as = r.as === undefined ? (claim === undefined ? undefined : bothFormats(claim)) : outputName(x, r.as, `${p}.as`);
    const map = r.map === undefined ? undefined : valueMap(x, r.map, `${p}.map`);
    if (claim === undefined || as === undefined || (r.map !== undefined && map === undefined)) return undefined;
    return { kind: "claim", claim, as, map, when };
  }
  const as = outputName(x, r.as, `${p}.as`);
  if (source === "value") {
    const vs = values(x, r.value, `${p}.value`);
    return as === undefined || vs === undefined ? undefined : { kind: "value", values: vs, as, when };
  }
  const parts = template(x, r.template, `${p}.template`);
  return as === undefined || parts === undefined ? undefined : { kind: "template", parts, as, when };
}

/** The input claims a rule reads, with the field that names each. */
function reads(rule: ClaimRule): [string, string][] {
  if (rule.kind === "drop") return [];
  const out: [string, string][] = rule.when ? [[rule.when.claim, "when"]] : [];
  if (rule.kind === "claim") out.push([rule.claim, "claim"]);
  if (rule.kind === "template") for (const part of rule.parts) if ("claim" in part) out.push([part.claim, "template"]);
  return out;
}

/**
 * Validates a relying party's `claimRules` (undefined when absent: the `claims` list alone
 * decides). Rules read only what `released` (the party's `claims` list, when it has one) lets
 * through — by claim type, as release matches it (src/engine/claims.ts): a rule reading
 * anything else could never emit, which is a mistake to report.
 */
export function validateClaimRules(x: Issues, r: Obj, p: string, released: readonly string[] | undefined): ClaimRule[] | undefined {
  const list = arr(x, r, "claimRules", p);
  if (!list) return undefined;
  if (list.length > MAX_CLAIM_RULES) {
    x.add(`${p}.claimRules`, `at most ${MAX_CLAIM_RULES} rules, got ${list.length}`);
    return undefined;
  }
  const listed = released && new Set(released.map(claimTypeKey));
  const out: ClaimRule[] = [];
  const at: number[] = []; // each validated rule's index in the list
  list.forEach((raw, i) => {
    const rr = rule(x, raw, `${p}.claimRules[${i}]`);
    if (!rr) return;
    for (const [name, field] of listed ? reads(rr) : []) {
      if (!listed!.has(claimTypeKey(name))) x.add(`${p}.claimRules[${i}].${field}`, `reads ${show(name)}, which the party's claims list does not release`);
    }
    out.push(rr);
    at.push(i);
  });
  reportDeadRules(x, `${p}.claimRules`, out, at, released);
  return out;
}

/**
 * Rules that can do nothing, evaluated as src/engine/claim-rules.ts does: a drop no earlier rule
 * can emit a claim for (a `claim: "*"` rule emits whatever the release list lets through, or
 * anything without one), and a rule every claim of which a later drop removes. Both say the
 * operator meant something the rules do not do.
 */
function reportDeadRules(x: Issues, p: string, rules: readonly ClaimRule[], at: readonly number[], released: readonly string[] | undefined): void {
  const matches = (names: ReadonlySet<string>, n: ClaimName) => names.has(n.jwt) || names.has(claimUri(n.saml));
  rules.forEach((r, k) => {
    if (r.kind === "drop") {
      const before = rules.slice(0, k);
      const passed = before.some((b) => b.kind === "all");
      const fires = before.some((b) => b.kind !== "all" && b.kind !== "drop" && matches(r.names, b.as))
        || (passed && (released === undefined || released.some((n) => [...r.names].some((d) => claimTypeKey(d) === claimTypeKey(n)))));
      if (!fires) x.add(`${p}[${at[k]}].drop`, `drops ${show([...r.names][0])}, which no earlier rule emits`);
      return;
    }
    if (r.kind === "all") return;
    const j = rules.findIndex((d, m) => m > k && d.kind === "drop" && matches(d.names, r.as));
    const named = r.as.jwt === r.as.saml ? show(r.as.saml) : `${show(r.as.saml)} / ${show(r.as.jwt)}`;
    if (j >= 0) x.add(`${p}[${at[k]}]`, `emits ${named}, which claimRules[${at[j]}] drops: the rule can never give a token anything`);
  });
}
