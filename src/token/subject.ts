/**
 * Names of parties from other issuers. RFC 7519 §4.1.2: a `sub` is unique only in the context
 * of its issuer — a trusted issuer's `alice` is not ours. The tokens we issue state our names,
 * so a subject (or actor) from another issuer is named in that issuer's namespace:
 * `<issuer>#<subject>`, e.g. `https://idp.example.org#alice` (as Google's STS names federated
 * principals by pool and subject, and CXF's STS keeps a principal relative to its realm).
 * Configuration refuses a trusted issuer whose identifier contains `#` and a local user or
 * service account whose name begins with `<trusted issuer>#`, so the first `#` splits a
 * qualified name unambiguously and no qualified name is ever a local one.
 */
export const NAMESPACE_SEPARATOR = "#";

/** Our name for `subject` as named by `issuer`. */
export function qualifiedSubject(issuer: string, subject: string): string {
  return issuer + NAMESPACE_SEPARATOR + subject;
}

/** The namespace prefix of an issuer's subjects (`<issuer>#`). */
export function namespacePrefix(issuer: string): string {
  return issuer + NAMESPACE_SEPARATOR;
}

/**
 * What a name looks like, for telling local names apart (users and service accounts, configured
 * or in the directory): Unicode NFKC (fullwidth letters and ligatures as the letters they show),
 * then case folded — upper case, then lower, so that `ß` and `ss`, or `σ` and the word-final `ς`,
 * are one letter as they are to a case-insensitive comparison (lower case alone keeps them
 * apart). Two names with one key are one name to a person reading a token, and to relying
 * parties that ignore case: a realm holds one of them.
 */
export function nameKey(name: string): string {
  return name.normalize("NFKC").toUpperCase().toLowerCase().normalize("NFKC");
}
