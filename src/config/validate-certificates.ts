/** Validation of `requestorCertificates`: who may authenticate with a signed message (see `validate.ts`). */
import { certificateFlaw, issuerFlaw } from "../keys/cert-path.ts";
import type { ParsedCertificate } from "../keys/x509.ts";
import { DIRECTORY_USERNAME_RULE, isDirectoryUsername } from "../identity/username.ts";
import type { RequestorCertificates, ResolvedConfig } from "./types.ts";
import { type Issues, type Obj, arr, bool, obj, show, str, subObj, text } from "./check.ts";
import { checkCertificatePem } from "./pem.ts";

const FIELDS = ["authorities", "principals", "allowSha1Signatures", "allowTimestampOnlySignatures"] as const;
const PRINCIPAL_FIELDS = ["principal", "sha256", "subjectCommonName"] as const;

/** A SHA-256 thumbprint as 64 hex digits, with or without colons (as `openssl x509 -fingerprint` prints it). */
function thumbprint(x: Issues, v: unknown, path: string): string | undefined {
  const s = text(x, v, path, 200);
  if (s === undefined) return undefined;
  const hex = s.replaceAll(":", "").toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    x.add(path, `expected a SHA-256 thumbprint (64 hex digits, colons allowed), got ${show(s)}`);
    return undefined;
  }
  return hex;
}

/**
 * Validates `requestorCertificates`. Each `principals[]` entry maps certificates to a user or
 * service account: by SHA-256 thumbprint (that certificate is trusted as it is, pinned) or by
 * subject common name (any certificate a configured authority issued with that name).
 * `known(name)` says whether a principal name is configured. A name that is not may be a user
 * of the user directory, which is looked up when a certificate is presented (as a
 * UsernameToken's name is), so it must be a name the directory can hold.
 */
export function validateRequestorCertificates(
  x: Issues,
  o: Obj,
  root: string,
  known: (name: string) => boolean,
): RequestorCertificates | undefined {
  const p = `${root}.requestorCertificates`;
  const c = subObj(x, o, "requestorCertificates", root, FIELDS);
  if (!c) return undefined;
  const authorities: ParsedCertificate[] = [];
  const authoritiesGiven = arr(x, c, "authorities", p) ?? [];
  authoritiesGiven.forEach((raw, i) => {
    const ap = `${p}.authorities[${i}]`;
    const s = text(x, raw, ap, 16_384, true);
    if (s === undefined) return;
    const r = checkCertificatePem(s);
    if (typeof r === "string") return x.add(ap, r);
    const cert = r.cert;
    const cannotIssue = issuerFlaw(cert);
    if (cannotIssue) x.add(ap, cert.extensions.ca ? `${cannotIssue}, so no certificate it issued would authenticate anyone` : `${cannotIssue}; pin end certificates in principals[].sha256 instead`);
    const flaw = certificateFlaw(cert);
    if (flaw) x.add(ap, `${flaw}, so no certificate it issued would authenticate anyone`);
    authorities.push(cert);
  });
  const principals: RequestorCertificates["principals"] = [];
  const pinned = new Set<string>();
  (arr(x, c, "principals", p, { required: true, nonEmpty: true }) ?? []).forEach((raw, i) => {
    const pp = `${p}.principals[${i}]`;
    const e = obj(x, raw, pp, PRINCIPAL_FIELDS);
    if (!e) return;
    const principal = str(x, e, "principal", pp, { required: true });
    if (principal !== undefined && !known(principal) && !isDirectoryUsername(principal)) {
      x.add(`${pp}.principal`, `names no configured user or service account, and no directory user can have that name (${DIRECTORY_USERNAME_RULE}): ${show(principal)}`);
    }
    if ((e.sha256 === undefined) === (e.subjectCommonName === undefined)) return x.add(pp, "needs exactly one of sha256 or subjectCommonName");
    const sha256 = e.sha256 === undefined ? undefined : thumbprint(x, e.sha256, `${pp}.sha256`);
    const subjectCommonName = str(x, e, "subjectCommonName", pp, { max: 256 });
    // Only when none was given: an authority that does not parse has its own error already, and
    // "authorities is empty" beside it would send the reader looking for a missing section.
    if (subjectCommonName !== undefined && authoritiesGiven.length === 0) {
      x.add(`${pp}.subjectCommonName`, "matches only certificates a configured authority issued, and authorities is empty");
    }
    if (sha256 !== undefined) {
      if (pinned.has(sha256)) x.add(`${pp}.sha256`, "the same certificate is mapped twice");
      pinned.add(sha256);
    }
    if (subjectCommonName !== undefined && principals.some((q) => q.subjectCommonName === subjectCommonName)) {
      x.add(`${pp}.subjectCommonName`, `the common name ${show(subjectCommonName)} is mapped twice`);
    }
    if (principal !== undefined) principals.push({ principal, sha256, subjectCommonName });
  });
  return {
    trust: { authorities, pinnedSha256: pinned },
    principals,
    allowSha1Signatures: bool(x, c, "allowSha1Signatures", p, false),
    allowTimestampOnlySignatures: bool(x, c, "allowTimestampOnlySignatures", p, false),
  };
}

/**
 * The `principals[]` entries that name no configured user or service account, each with its
 * field: they authenticate as the user directory's user of that name, when there is one.
 */
export function directoryPrincipals(config: ResolvedConfig): { field: string; name: string }[] {
  const out: { field: string; name: string }[] = [];
  config.requestorCertificates?.principals.forEach((p, i) => {
    if (!config.users.has(p.principal) && !config.serviceAccounts.has(p.principal)) {
      out.push({ field: `${config.root}.requestorCertificates.principals[${i}].principal`, name: p.principal });
    }
  });
  return out;
}
