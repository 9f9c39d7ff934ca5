/** Validation of `trustedIssuers` and URL-valued fields (see `validate.ts`). */
import { MAX_CLOCK_SKEW_SECONDS } from "../state/types.ts";
import type { TrustedIssuer } from "./types.ts";
import { type Issues, type Obj, arr, bool, enumList, int, obj, oneOf, show, str, text } from "./check.ts";
import { NAMESPACE_SEPARATOR, namespacePrefix } from "../token/subject.ts";
import { isLoopbackHost } from "./loopback.ts";
import { checkCertificatePem } from "./pem.ts";
import { keyWeakness } from "../keys/strength.ts";
import { JWT_ALGS, absoluteUri } from "./validate-parties.ts";
import { validateJwks } from "./validate-jwks.ts";

const ISSUER_FIELDS = [
  "issuer", "kind", "jwksUri", "jwks", "certificates", "algorithms", "expectedAudience", "clockSkewSeconds",
  "localSubjects", "grantsDelegation", "passiveSignInUrl", "displayName",
] as const;

/**
 * Checks an https URL (http only for loopback hosts, for local testing) without credentials.
 * With `bare`, also refuses query and fragment, as RFC 8414 §2 requires of an issuer identifier.
 */
export function httpsUrl(x: Issues, v: unknown, path: string, bare: boolean): string | undefined {
  const s = text(x, v, path);
  if (s === undefined) return undefined;
  const u = URL.canParse(s) ? new URL(s) : undefined;
  // Not echoed: what stands before the `@` is a password. Each of these URLs is logged
  // (jwks_unavailable), published (issuer) or sent to browsers (passiveSignInUrl), and a fetch of
  // one with credentials throws (Fetch standard, "new Request"), so it could never work either.
  if (u && (u.username !== "" || u.password !== "")) {
    x.add(path, "must not contain credentials (user:password@ before the host): this URL is logged, published or sent to browsers, and fetch refuses one; what is written here is not shown");
    return undefined;
  }
  if (!u || !(u.protocol === "https:" || (u.protocol === "http:" && isLoopbackHost(u.hostname)))) {
    x.add(path, `expected an https:// URL (http:// only for localhost), got ${show(s)}`);
    return undefined;
  }
  if (bare && (u.search !== "" || u.hash !== "" || s.includes("?") || s.includes("#"))) {
    x.add(path, "must not contain a query or fragment (RFC 8414 §2)");
    return undefined;
  }
  return s;
}

/**
 * The STS's own issuer: an https URL without query or fragment (RFC 8414 §2, also the JWT
 * `iss`), or a URN (SAML entity IDs may be URNs, SAML 2.0 Core §8.3.6).
 */
export function validateIssuer(x: Issues, o: Obj, root: string): string | undefined {
  if (o.issuer === undefined) return undefined;
  const p = `${root}.issuer`;
  if (typeof o.issuer === "string" && /^urn:[a-z0-9][a-z0-9-]{0,31}:\S+$/i.test(o.issuer)) return o.issuer;
  return httpsUrl(x, o.issuer, p, true);
}

/** Validates `trustedIssuers`: JWT issuers need exactly one of jwksUri/jwks, SAML ones pinned certificates. */
export function validateTrustedIssuers(x: Issues, o: Obj, root: string, defaultSkew: number): TrustedIssuer[] {
  const out: TrustedIssuer[] = [];
  const seen = new Set<string>();
  (arr(x, o, "trustedIssuers", root) ?? []).forEach((raw, i) => {
    const p = `${root}.trustedIssuers[${i}]`;
    const t = obj(x, raw, p, ISSUER_FIELDS);
    if (!t) return;
    // A SAML entity ID is a URI (SAML 2.0 Core §8.3.6), and so is every JWT issuer a partner
    // publishes metadata for (RFC 8414 §2, OpenID Connect Discovery §3): a name with spaces or
    // without a scheme is a mistake, not an issuer.
    const issuer = t.issuer === undefined ? (x.add(`${p}.issuer`, "is required"), undefined) : absoluteUri(x, t.issuer, `${p}.issuer`);
    if (issuer !== undefined && seen.has(issuer)) x.add(`${p}.issuer`, `duplicate issuer ${show(issuer)}`);
    // Its subjects are named `<issuer>#<subject>` (src/token/subject.ts): a `#` in the issuer
    // would let two issuers' names coincide.
    if (issuer?.includes(NAMESPACE_SEPARATOR)) x.add(`${p}.issuer`, `must not contain "${NAMESPACE_SEPARATOR}" (it separates the issuer from its subjects in the names we issue)`);
    const kind = oneOf(x, t, "kind", p, ["jwt", "saml"] as const);
    let jwksUri: string | undefined;
    let jwks: { keys: JsonWebKey[] } | undefined;
    const certificates: string[] = [];
    const algorithms = enumList(x, t, "algorithms", p, JWT_ALGS, ["RS256", "ES256"]);
    if (kind === "jwt") {
      if ((t.jwksUri === undefined) === (t.jwks === undefined)) x.add(p, "a jwt issuer needs exactly one of jwksUri or jwks");
      if (t.jwksUri !== undefined) jwksUri = httpsUrl(x, t.jwksUri, `${p}.jwksUri`, false);
      if (t.jwks !== undefined) jwks = validateJwks(x, t.jwks, `${p}.jwks`, algorithms);
      if (t.certificates !== undefined) x.add(`${p}.certificates`, "applies only to saml issuers");
    } else if (kind === "saml") {
      if (t.jwksUri !== undefined || t.jwks !== undefined) x.add(p, "jwksUri and jwks apply only to jwt issuers");
      // Each pinned certificate is read here, at start: one the key ring could not import would
      // fail every token naming this issuer, and one with a weak key would let a forger sign.
      (arr(x, t, "certificates", p, { required: true, nonEmpty: true }) ?? []).forEach((c, j) => {
        const cp = `${p}.certificates[${j}]`;
        const s = text(x, c, cp, 16_384, true);
        if (s === undefined) return;
        const r = checkCertificatePem(s);
        const weak = typeof r === "string" ? undefined : keyWeakness(r.cert);
        if (typeof r === "string") x.add(cp, r);
        else if (weak) x.add(cp, `the certificate has ${weak}`);
        else certificates.push(r.pem);
      });
    }
    const expectedAudience = str(x, t, "expectedAudience", p);
    const clockSkewSeconds = int(x, t, "clockSkewSeconds", p, 0, MAX_CLOCK_SKEW_SECONDS, defaultSkew);
    const localSubjects = bool(x, t, "localSubjects", p, false);
    const grantsDelegation = bool(x, t, "grantsDelegation", p, false);
    if (grantsDelegation && !localSubjects) {
      x.add(`${p}.grantsDelegation`, "needs localSubjects: true (a grant names a party in the issuer's namespace, and only local parties request over WS-Trust)");
    }
    let passiveSignInUrl: string | undefined;
    if (t.passiveSignInUrl !== undefined) {
      if (kind === "jwt") x.add(`${p}.passiveSignInUrl`, "applies only to saml issuers (WS-Federation passive sign-in carries SAML tokens)");
      else passiveSignInUrl = httpsUrl(x, t.passiveSignInUrl, `${p}.passiveSignInUrl`, false);
    }
    const displayName = str(x, t, "displayName", p) ?? issuer;
    if (displayName !== undefined && displayName.length > 100) x.add(`${p}.displayName`, "must be at most 100 characters");
    if (issuer === undefined || kind === undefined || seen.has(issuer)) return;
    seen.add(issuer);
    out.push({
      issuer, kind, jwksUri, jwks, certificates, algorithms, expectedAudience, clockSkewSeconds, localSubjects, grantsDelegation,
      passiveSignInUrl, displayName: displayName ?? issuer,
    });
  });
  return out;
}

/**
 * No local name lies in a trusted issuer's namespace: a user or service account named
 * `<issuer>#...` would be the same subject as one of that issuer's (src/token/subject.ts).
 */
export function checkNamespaces(x: Issues, o: Obj, root: string, issuers: readonly TrustedIssuer[]): void {
  const prefixes = issuers.filter((t) => !t.localSubjects).map((t) => namespacePrefix(t.issuer));
  for (const section of ["users", "serviceAccounts"] as const) {
    const list = o[section];
    if (!Array.isArray(list)) continue;
    list.forEach((entry, i) => {
      const name = typeof entry === "object" && entry !== null ? (entry as Obj).username : undefined;
      if (typeof name !== "string") return;
      const prefix = prefixes.find((pre) => name.startsWith(pre));
      if (prefix) x.add(`${root}.${section}[${i}].username`, `${show(name)} lies in the namespace of trusted issuer ${show(prefix.slice(0, -1))}`);
    });
  }
}
