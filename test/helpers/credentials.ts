/**
 * HTTP Basic credentials for requests to the worker, and the development service accounts' and
 * OAuth client's (the development configuration's, src/config/dev.ts) as ready header values.
 */

/**
 * Basic as RFC 6749 §2.3.1 asks of an OAuth client: id and secret each form-encoded first.
 * Credentials of unreserved characters only (all the development ones) read the same either way.
 */
export function basic(id: string, secret: string): string {
  return "Basic " + btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`);
}

/** Basic as RFC 7617 and the clients that skip §2.3.1 send it: id and secret as written, UTF-8. */
export function literalBasic(id: string, secret: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(`${id}:${secret}`)) bin += String.fromCharCode(b);
  return "Basic " + btoa(bin);
}

/** The development OAuth client. */
export const DEMO = basic("demo-client", "demo-secret");
/** The development service account that manages directory users (/admin/users). */
export const USER_ADMIN = basic("user-admin", "user-admin-secret-7a6b5c4d3e2f1a0b");
/** The development service account that revokes subjects and reads the audit (/admin/revoke-subject). */
export const STS_ADMIN = basic("sts-admin", "sts-admin-secret-5e4d3c2b1a0f9e8d");
