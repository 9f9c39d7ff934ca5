/**
 * The fields and parameters of `/admin/users` (their bodies are read by json-body.ts), each
 * refusal an invalid_request naming the field, so a malformed call is the caller's 400 and never
 * reaches the directory.
 */
import { characterCount, fromBase64Url, strictUtf8, toBase64Url, utf8 } from "../bytes.ts";
import { Issues } from "../config/check.ts";
import { validateClaims } from "../config/validate-principals.ts";
import { invalidRequest } from "../errors.ts";
import { MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, parsePasswordHash } from "../identity/password.ts";
import { DIRECTORY_USERNAME, DIRECTORY_USERNAME_RULE, MAX_USERNAME_CHARS, isDirectoryUsername } from "../identity/username.ts";
import { CLAIM_BOUNDS } from "../state/directory.ts";
import { isXmlText } from "../xml/prescan.ts";

/** Bounds that keep one user's row small (it is read on every sign-in). */
const MAX_CLAIMS = CLAIM_BOUNDS.names;
const MAX_VALUES = 64;
const MAX_VALUE_CHARS = 1024;
/** Users one import request may carry. */
export const MAX_IMPORT_USERS = 1000;
/** Users one list page may hold. */
export const MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;

/** A new user's name: the whole rule ({@link isDirectoryUsername}). */
export function readUsername(v: unknown, path = "username"): string {
  if (typeof v !== "string" || !isDirectoryUsername(v)) throw invalidRequest(`'${path}' must be ${DIRECTORY_USERNAME_RULE}.`);
  return v;
}

/**
 * The name of a user who may already exist: the name's shape only. A user created before a rule
 * for new names was added (one mixing Latin and Cyrillic letters, say) must still be shown,
 * disabled and deleted by its name.
 */
export function readExistingUsername(v: unknown, path: string): string {
  if (typeof v !== "string" || !DIRECTORY_USERNAME.test(v)) {
    throw invalidRequest(`'${path}' must be a user's name: 1 to ${MAX_USERNAME_CHARS} letters, digits or . _ @ + - (starting with a letter or digit).`);
  }
  return v;
}

export function readPassword(v: unknown, path = "password"): string {
  if (typeof v !== "string" || characterCount(v) < MIN_PASSWORD_CHARS || characterCount(v) > MAX_PASSWORD_CHARS) {
    throw invalidRequest(`'${path}' must be a string of ${MIN_PASSWORD_CHARS} to ${MAX_PASSWORD_CHARS} characters.`);
  }
  // A password is sent as XML text in a UsernameToken and as UTF-8 everywhere: one holding a
  // character neither carries could never be presented. An unpaired surrogate is worse: UTF-8
  // cannot hold it, so the hash is made of U+FFFD in its place, and any such password (or
  // U+FFFD itself) would then match.
  if (!isXmlText(v)) {
    throw invalidRequest(
      `'${path}' has a character no client can send (a control character other than tab, line feed and carriage return, U+FFFE, U+FFFF or an unpaired surrogate).`,
    );
  }
  return v;
}

export function readPasswordHash(v: unknown, path = "passwordHash"): string {
  const parsed = typeof v === "string" ? parsePasswordHash(v) : "expected a string";
  if (typeof parsed === "string") throw invalidRequest(`'${path}' is not a usable password hash: ${parsed}.`);
  return v as string;
}

export function readBoolean(v: unknown, path = "enabled"): boolean {
  if (typeof v !== "boolean") throw invalidRequest(`'${path}' must be true or false.`);
  return v;
}

/** Claims as a user is created with them: name → a string or strings. */
export function readClaims(v: unknown, path = "claims"): Record<string, string[]> {
  const x = new Issues();
  const claims = validateClaims(x, v, path, "a claim is removed with null");
  const first = x.lines[0];
  if (first !== undefined) throw invalidRequest(`'${first.replace(": ", "': ")}.`);
  bound(claims, path);
  return claims;
}

/** A claims merge patch (RFC 7396): as `readClaims`, and a name mapped to null is removed. */
export function readClaimsPatch(v: unknown, path = "claims"): Record<string, string[] | null> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw invalidRequest(`'${path}' must be an object of claim name to value(s) or null.`);
  const entries = Object.entries(v);
  // fromEntries defines own properties: a claim named __proto__ is checked (and refused) here as in readClaims.
  const set = Object.fromEntries(entries.filter(([, value]) => value !== null));
  const removed = entries.filter(([, value]) => value === null).map(([name]) => name);
  const patch: Record<string, string[] | null> = readClaims(set, path);
  for (const name of removed) {
    if (name === "__proto__") throw invalidRequest(`'${path}.${name}' is not a usable claim name.`);
    patch[name] = null;
  }
  if (Object.keys(patch).length > MAX_CLAIMS) throw invalidRequest(`'${path}' may name at most ${MAX_CLAIMS} claims.`);
  return patch;
}

function bound(claims: Record<string, string[]>, path: string): void {
  const names = Object.keys(claims);
  if (names.length > MAX_CLAIMS) throw invalidRequest(`'${path}' may hold at most ${MAX_CLAIMS} claims.`);
  if (JSON.stringify(claims).length > CLAIM_BOUNDS.jsonChars) throw invalidRequest(`'${path}' may take at most ${CLAIM_BOUNDS.jsonChars} characters as JSON.`);
  for (const name of names) {
    const values = claims[name] ?? [];
    if (values.length > MAX_VALUES) throw invalidRequest(`'${path}.${name}' may hold at most ${MAX_VALUES} values.`);
    if (values.some((s) => s.length > MAX_VALUE_CHARS)) throw invalidRequest(`'${path}.${name}' values must be at most ${MAX_VALUE_CHARS} characters.`);
  }
}

/** The list page asked for: `cursor` (opaque, from a previous page) and `limit`. */
export function readPage(cursor: string | undefined, limit: string | undefined): { after: string | undefined; limit: number } {
  let n = DEFAULT_PAGE;
  if (limit !== undefined) {
    n = /^[1-9][0-9]{0,3}$/.test(limit) ? Number(limit) : 0;
    if (n < 1 || n > MAX_PAGE) throw invalidRequest(`'limit' must be an integer from 1 to ${MAX_PAGE}.`);
  }
  if (cursor === undefined || cursor === "") return { after: undefined, limit: n };
  const after = decodeCursor(cursor);
  if (after === undefined) throw invalidRequest("'cursor' is not a cursor this API gave out.");
  return { after, limit: n };
}

/** A cursor names the last user of a page; it is opaque to callers, who only pass it back. */
export function encodeCursor(username: string): string {
  return toBase64Url(utf8(username));
}

function decodeCursor(cursor: string): string | undefined {
  const bytes = cursor.length <= 1400 ? fromBase64Url(cursor) : undefined;
  if (bytes === undefined) return undefined;
  try {
    const name = strictUtf8.decode(bytes);
    return DIRECTORY_USERNAME.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}
