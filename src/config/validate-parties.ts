/** Validation of `relyingParties` (see `validate.ts`). */
import type { JwtSignatureAlg, KeyTypeName, RelyingParty, TokenKind, XmlSignatureAlg } from "./types.ts";
import { type Issues, type Obj, arr, bool, enumList, int, obj, oneOf, show, strList, subObj, text } from "./check.ts";
import type { KeyAlgorithm } from "./pem.ts";
import { MAX_RENEWAL_GRACE_SECONDS } from "../state/types.ts";
import { validateEncryption } from "./validate-encryption.ts";
import { releasedClaimName, validateClaimRules } from "./validate-claim-rules.ts";
import { validateSubjectType } from "./validate-pairwise.ts";
import { validateReplyUrls } from "./validate-web.ts";
import { uriKey } from "./uri-key.ts";

export const TOKEN_KINDS: readonly TokenKind[] = ["saml2", "saml1", "jwt", "access_token"];
const XML_ALGS: readonly XmlSignatureAlg[] = [
  "rsa-sha256", "rsa-sha384", "rsa-sha512", "ecdsa-sha256", "ecdsa-sha384", "ecdsa-sha512",
];
export const JWT_ALGS: readonly JwtSignatureAlg[] = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "ES512"];
const RP_FIELDS = [
  "identifier", "aliases", "defaultTokenType", "tokenTypes", "tokenLifetimeSeconds",
  "maxTokenLifetimeSeconds", "claims", "xmlSignatureAlgorithm", "jwtSignatureAlgorithm", "scopes", "renewal", "encryption",
  "keyTypes", "claimRules", "subjectType", "sectorIdentifier", "replyUrls",
] as const;
const KEY_TYPES: readonly KeyTypeName[] = ["bearer", "symmetric", "public-key"];
const RENEWAL_FIELDS = ["allowed", "maxTotalLifetimeSeconds", "expiredGraceSeconds", "allowPostdating", "windowSeconds"] as const;
const DAY = 86_400;

/** Checks an absolute URI (URL or URN); http(s) URIs must also parse as URLs. */
export function absoluteUri(x: Issues, v: unknown, path: string): string | undefined {
  const s = text(x, v, path);
  if (s === undefined) return undefined;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\S+$/.exec(s)?.[1]?.toLowerCase();
  if (!scheme || ((scheme === "http" || scheme === "https") && !URL.canParse(s))) {
    x.add(path, `expected an absolute URI (https://... or urn:...), got ${show(s)}`);
    return undefined;
  }
  return s;
}

/** Relying parties, and a lookup from any identifier or alias to the canonical identifier. */
export interface ValidatedParties {
  list: RelyingParty[];
  /** False when `relyingParties` is missing or empty (references to parties are not checked then). */
  present: boolean;
  resolve(target: string): string | undefined;
}

// RFC 6749 §3.3 scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Validates `relyingParties`, fills defaults, rejects identifiers or aliases that name one party
 * (compared by `uriKey`, as requests are), and checks each party's signature algorithms have a current signing key
 * (`currentAlgorithms` undefined = key types unknown, skip that check). Encryption certificates
 * may come from secrets, looked up in `secrets`.
 */
export function validateRelyingParties(
  x: Issues,
  o: Obj,
  root: string,
  currentAlgorithms: Set<KeyAlgorithm> | undefined,
  secrets: Record<string, unknown> = {},
): ValidatedParties {
  const path = `${root}.relyingParties`;
  const list = arr(x, o, "relyingParties", root, { required: true, nonEmpty: true }) ?? [];
  const seen = new Map<string, { where: string; identifier: string }>();
  const out: RelyingParty[] = [];
  list.forEach((raw, i) => {
    const p = `${path}[${i}]`;
    const r = obj(x, raw, p, RP_FIELDS);
    if (!r) return;
    const identifier = r.identifier === undefined ? (x.add(`${p}.identifier`, "is required"), undefined)
      : absoluteUri(x, r.identifier, `${p}.identifier`);
    const aliases = strList(x, r, "aliases", p, { each: (v, ap) => absoluteUri(x, v, ap) }) ?? [];
    const names: [string, string][] = [];
    if (identifier !== undefined) names.push([identifier, `relyingParties[${i}].identifier`]);
    aliases.forEach((a, j) => names.push([a, `relyingParties[${i}].aliases[${j}]`]));
    for (const [name, where] of names) {
      const prev = seen.get(uriKey(name));
      if (prev) x.add(`${root}.${where}`, `${show(name)} duplicates ${prev.where}`);
      else if (identifier !== undefined) seen.set(uriKey(name), { where, identifier });
    }
    const tokenTypes = enumList(x, r, "tokenTypes", p, TOKEN_KINDS, TOKEN_KINDS);
    const defaultTokenType = oneOf(x, r, "defaultTokenType", p, TOKEN_KINDS);
    if (defaultTokenType !== undefined && !tokenTypes.includes(defaultTokenType)) {
      x.add(`${p}.defaultTokenType`, `${show(defaultTokenType)} is not in tokenTypes`);
    }
    const rn = subObj(x, r, "renewal", p, RENEWAL_FIELDS) ?? {};
    const rp = `${p}.renewal`;
    // No token outlives this, counted from the subject's authentication, renewed or not
    // (src/engine/issuance.ts): a token lifetime above it is a contradiction, as one above
    // maxTokenLifetimeSeconds is, and the default lifetime stays within both.
    const maxTotalLifetimeSeconds = int(x, rn, "maxTotalLifetimeSeconds", rp, 60, 365 * DAY, DAY);
    const maxTokenLifetimeSeconds = int(x, r, "maxTokenLifetimeSeconds", p, 60, 30 * DAY, 8 * 3600);
    const tokenLifetimeSeconds = int(x, r, "tokenLifetimeSeconds", p, 60, 30 * DAY, Math.min(3600, maxTokenLifetimeSeconds, maxTotalLifetimeSeconds));
    if (tokenLifetimeSeconds > maxTokenLifetimeSeconds) {
      x.add(`${p}.tokenLifetimeSeconds`, `${tokenLifetimeSeconds} exceeds maxTokenLifetimeSeconds ${maxTokenLifetimeSeconds}`);
    }
    if (tokenLifetimeSeconds > maxTotalLifetimeSeconds) {
      x.add(`${p}.tokenLifetimeSeconds`, `${tokenLifetimeSeconds} exceeds renewal.maxTotalLifetimeSeconds ${maxTotalLifetimeSeconds}, which no token outlives (counted from the authentication)`);
    }
    const claims = strList(x, r, "claims", p, { each: (v, cp) => releasedClaimName(x, v, cp) });
    const claimRules = validateClaimRules(x, r, p, claims);
    const xmlSignatureAlgorithm = oneOf(x, r, "xmlSignatureAlgorithm", p, XML_ALGS, "rsa-sha256");
    const jwtSignatureAlgorithm = oneOf(x, r, "jwtSignatureAlgorithm", p, JWT_ALGS, "ES256");
    const scopes = strList(x, r, "scopes", p, {
      each: (v, sp) => {
        if (typeof v === "string" && SCOPE_TOKEN.test(v)) return v;
        x.add(sp, `expected an RFC 6749 scope token, got ${show(v)}`);
        return undefined;
      },
    }) ?? [];
    const renewal = {
      allowed: bool(x, rn, "allowed", rp, true),
      maxTotalLifetimeSeconds,
      // Counted from the token's expiry, like the clock skew within which the token is still
      // valid (and renews without OK): the default goes past the default skew, as Apache CXF's
      // 30 minutes do, or a token issued with wst:Renewing OK="true" would gain nothing. The state objects keep a
      // renewal's proof of uniqueness only this long past expiry.
      expiredGraceSeconds: int(x, rn, "expiredGraceSeconds", rp, 0, MAX_RENEWAL_GRACE_SECONDS, 1800),
      allowPostdating: bool(x, rn, "allowPostdating", rp, false),
      // 0 = renewable at any time before expiry.
      windowSeconds: int(x, rn, "windowSeconds", rp, 0, 365 * DAY, 0),
    };
    // RSA XML signatures are covered by the "at least one current RSA key" rule on `keys`.
    if (currentAlgorithms && xmlSignatureAlgorithm?.startsWith("ecdsa") && (tokenTypes.includes("saml2") || tokenTypes.includes("saml1"))) {
      if (![...currentAlgorithms].some((a) => a.startsWith("EC"))) {
        x.add(`${p}.xmlSignatureAlgorithm`, `${xmlSignatureAlgorithm} needs a current EC key with privateKeySecret, and none is configured`);
      }
    }
    if (currentAlgorithms && jwtSignatureAlgorithm && (tokenTypes.includes("jwt") || tokenTypes.includes("access_token"))) {
      const need = jwsKeyAlgorithm(jwtSignatureAlgorithm);
      if (!currentAlgorithms.has(need)) {
        x.add(`${p}.jwtSignatureAlgorithm`, `${jwtSignatureAlgorithm} needs a current ${need} key with privateKeySecret, and none is configured`);
      }
    }
    const encryption = validateEncryption(x, r, p, secrets);
    const keyTypes = enumList(x, r, "keyTypes", p, KEY_TYPES, ["bearer"]);
    // A symmetric proof key reaches the relying party only encrypted for its certificate.
    if (keyTypes.includes("symmetric") && r.encryption === undefined) {
      x.add(`${p}.keyTypes`, `"symmetric" needs an encryption certificate (encryption), and none is configured`);
    }
    const replyUrls = validateReplyUrls(x, r, p);
    const subject = validateSubjectType(x, r, p, identifier, (v, sp) => absoluteUri(x, v, sp));
    if (identifier === undefined || defaultTokenType === undefined || !xmlSignatureAlgorithm || !jwtSignatureAlgorithm || !subject) return;
    out.push({
      identifier, aliases, defaultTokenType, tokenTypes, tokenLifetimeSeconds, maxTokenLifetimeSeconds,
      claims, claimRules, xmlSignatureAlgorithm, jwtSignatureAlgorithm, scopes, renewal, encryption, keyTypes, replyUrls, ...subject,
    });
  });
  return { list: out, present: list.length > 0, resolve: (t) => seen.get(uriKey(t))?.identifier };
}

/** The key type a JWS algorithm needs (RFC 7518 §3.1). */
export function jwsKeyAlgorithm(alg: JwtSignatureAlg): KeyAlgorithm {
  if (alg === "ES256") return "EC P-256";
  if (alg === "ES384") return "EC P-384";
  if (alg === "ES512") return "EC P-521";
  return "RSA";
}
