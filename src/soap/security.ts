import type { Element } from "@xmldom/xmldom";
import { StsError, badRequest, messageExpired, unsupportedToken } from "../errors.ts";
import { text } from "./envelope.ts";
import { childElements, firstChild } from "../xml/dom.ts";
import { PASSWORD_DIGEST, PASSWORD_TEXT, WSSE_NS, WSU_NS } from "./ns.ts";
import { parseXsDateTime } from "../xml/datetime.ts";

export interface UsernameToken {
  username: string;
  password: string;
  /** Base64 nonce, if sent (for replay detection together with `created`). */
  nonce: string | undefined;
  created: Date | undefined;
}

export interface SecurityHeader {
  timestamp: { created: Date; expires: Date | undefined } | undefined;
  usernameToken: UsernameToken | undefined;
}

/**
 * Reads wsse:Security (WS-Security 1.1 §5): the Timestamp (checked for freshness with the
 * configured skew, §10) and a UsernameToken (Username Token Profile 1.1). Only PasswordText is
 * accepted: PasswordDigest needs the clear password on the server, and we store only hashes.
 */
export function readSecurity(header: Element | null, now: Date, skewSeconds: number): SecurityHeader {
  const result: SecurityHeader = { timestamp: undefined, usernameToken: undefined };
  if (!header) return result;
  const secs = childElements(header, WSSE_NS, "Security");
  if (secs.length === 0) return result;
  if (secs.length > 1) throw new StsError("bad_request", "Only one wsse:Security header is accepted.");
  const sec = secs[0]!;
  const skew = skewSeconds * 1000;

  const ts = childElements(sec, WSU_NS, "Timestamp");
  if (ts.length > 1) throw badRequest("Only one wsu:Timestamp is accepted.");
  if (ts.length === 1) {
    const createdEl = firstChild(ts[0]!, WSU_NS, "Created");
    const created = createdEl ? parseXsDateTime(text(createdEl)) : undefined;
    if (!created) throw badRequest("wsu:Timestamp must carry a valid wsu:Created.");
    const expiresEl = firstChild(ts[0]!, WSU_NS, "Expires");
    const expires = expiresEl ? parseXsDateTime(text(expiresEl)) : undefined;
    if (expiresEl && !expires) throw badRequest("wsu:Timestamp has an invalid wsu:Expires.");
    if (created.getTime() > now.getTime() + skew) throw messageExpired("The message timestamp is in the future.");
    if (expires && expires.getTime() < now.getTime() - skew) throw messageExpired("The message has expired.");
    if (expires && expires.getTime() < created.getTime()) throw badRequest("wsu:Timestamp expires before it was created.");
    result.timestamp = { created, expires };
  }

  const uts = childElements(sec, WSSE_NS, "UsernameToken");
  if (uts.length > 1) throw badRequest("Only one wsse:UsernameToken is accepted.");
  if (uts.length === 1) result.usernameToken = readUsernameToken(uts[0]!, now, skew);
  for (const c of childElements(sec)) {
    if (c.namespaceURI === WSSE_NS && c.localName === "BinarySecurityToken") {
      throw unsupportedToken("Binary security tokens are not accepted for authentication here; send a UsernameToken.");
    }
  }
  return result;
}

/** At most one child of this name: a repeated credential element is ambiguous (which one did a
 * proxy or WAF check?), so it is refused rather than resolved by taking the first. */
function single(parent: Element, ns: string, local: string): Element | null {
  const found = childElements(parent, ns, local);
  if (found.length > 1) throw badRequest(`wsse:UsernameToken must not repeat ${local}.`);
  return found[0] ?? null;
}

function readUsernameToken(ut: Element, now: Date, skew: number): UsernameToken {
  const userEl = single(ut, WSSE_NS, "Username");
  const passEl = single(ut, WSSE_NS, "Password");
  if (!userEl || !passEl) throw badRequest("wsse:UsernameToken needs wsse:Username and wsse:Password.");
  const type = passEl.getAttribute("Type") || PASSWORD_TEXT;
  if (type === PASSWORD_DIGEST) {
    throw unsupportedToken(
      "PasswordDigest is not supported: this STS stores only password hashes. Send the password as PasswordText over TLS.",
    );
  }
  if (type !== PASSWORD_TEXT) throw unsupportedToken("Unsupported wsse:Password Type; send PasswordText over TLS.");
  const nonceEl = single(ut, WSSE_NS, "Nonce");
  const createdEl = single(ut, WSU_NS, "Created");
  let created: Date | undefined;
  if (createdEl) {
    created = parseXsDateTime(text(createdEl));
    if (!created) throw badRequest("wsse:UsernameToken has an invalid wsu:Created.");
    if (created.getTime() > now.getTime() + skew) throw messageExpired("The UsernameToken was created in the future.");
  }
  // Password and username are taken verbatim (no trimming of the password: spaces are legal).
  return {
    username: (userEl.textContent ?? "").trim(),
    password: passEl.textContent ?? "",
    nonce: nonceEl ? text(nonceEl) : undefined,
    created,
  };
}
