// Where the CLI sends a request: under the STS base URL the user gave.

/**
 * `path` (starting with "/") under the STS base URL `base`, its origin and path kept: a realm
 * reached by its prefix (`http://127.0.0.1:8787/realms/realm2`) has every endpoint under it,
 * which `new URL("/trust/mex", base)` would drop. Throws ERR_INVALID_URL for a malformed base.
 */
export function stsUrl(base, path) {
  const u = new URL(base);
  return `${u.origin}${u.pathname.replace(/\/+$/, "")}${path}`;
}
