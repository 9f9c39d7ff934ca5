/** Validation of `users`, `oauthClients` and `serviceAccounts` (see `validate.ts`). */
import { isReservedClaim, newClaims } from "../token/claims.ts";
import type { OAuthClient, ServiceAccount, User } from "./types.ts";
import { type Issues, type Obj, arr, bool, enumList, obj, secretRef, show, str, strList, text } from "./check.ts";
import { parsePasswordHash } from "../identity/password.ts";
import { parseSecretHash } from "../identity/secret.ts";
import { isXmlText } from "../xml/prescan.ts";
import { nameKey } from "../token/subject.ts";
import type { ValidatedParties } from "./validate-parties.ts";
import { CLIENT_ASSERTION_ALGS, validateJwks } from "./validate-jwks.ts";

const USER_FIELDS = ["username", "passwordHashSecret", "claims", "enabled"] as const;
const CLIENT_FIELDS = [
  "clientId", "secretHashSecret", "jwks", "allowedAudiences", "allowedActors", "mayIntrospect", "resourceServerFor",
] as const;
const ACCOUNT_FIELDS = ["username", "secretHashSecret", "allowedRelyingParties", "operations"] as const;
const OPERATIONS = ["validate", "renew", "cancel", "issue", "revoke-subject", "manage-users"] as const;

/**
 * The local names given so far (users, then service accounts), by {@link nameKey}: where each
 * was given and as what. Names that differ only in case or in how their letters are written
 * are one name to a reader of a token and to relying parties that ignore case, as the user
 * directory holds them (src/state/directory.ts), so configuration holds one of them too.
 */
export type LocalNames = Map<string, { where: string; name: string }>;

/** Records `name`, given at `root.where`; false (and reported) when it is taken. */
function newName(x: Issues, names: LocalNames, name: string, root: string, where: string): boolean {
  const key = nameKey(name);
  const first = names.get(key);
  if (first === undefined) {
    names.set(key, { where, name });
    return true;
  }
  const section = (w: string) => w.slice(0, w.indexOf("["));
  if (first.name !== name) {
    x.add(`${root}.${where}`, `${show(name)} differs from ${first.where} ${show(first.name)} only in case or in how its letters are written; remove one of the two`);
  } else {
    x.add(`${root}.${where}`, section(first.where) === section(where) ? `duplicate username ${show(name)}` : `${show(name)} is also a user's username`);
  }
  return false;
}

/** Validates `users`: unique names, resolvable PBKDF2 hashes, claims normalised to arrays. */
export function validateUsers(x: Issues, o: Obj, root: string, secrets: Record<string, unknown>, names: LocalNames): Map<string, User> {
  const users = new Map<string, User>();
  (arr(x, o, "users", root) ?? []).forEach((raw, i) => {
    const p = `${root}.users[${i}]`;
    const u = obj(x, raw, p, USER_FIELDS);
    if (!u) return;
    const username = str(x, u, "username", p, { required: true, max: 256 });
    let unique = false;
    if (username !== undefined && username !== username.normalize("NFC")) {
      // Sign-in compares names in NFC (src/abuse/guard.ts): a name written otherwise could never sign in.
      x.add(`${p}.username`, `${show(username)} is not in Unicode NFC, the form sign-in compares names in; write it composed: ${show(username.normalize("NFC"))}`);
    } else if (username !== undefined) {
      unique = newName(x, names, username, root, `users[${i}].username`);
    }
    const stored = secretRef(x, u, "passwordHashSecret", p, secrets, { required: true });
    let passwordHash: string | undefined;
    if (stored !== undefined) {
      const parsed = parsePasswordHash(stored);
      if (typeof parsed === "string") x.add(`${p}.passwordHashSecret`, `secret binding "${String(u.passwordHashSecret)}": ${parsed}`);
      else passwordHash = stored;
    }
    const claims = validateClaims(x, u.claims, `${p}.claims`);
    const enabled = bool(x, u, "enabled", p, true);
    if (username !== undefined && passwordHash !== undefined && unique) {
      users.set(username, { username, passwordHash, claims, enabled });
    }
  });
  return users;
}

const UNWRITABLE = "has a character XML 1.0 cannot carry (a control character other than tab, line feed and carriage return, U+FFFE, U+FFFF or an unpaired surrogate), so no SAML token could state it";

/**
 * Validates a user's claims: an object of claim name to a string or strings, no reserved names,
 * nothing a token cannot state.
 */
export function validateClaims(x: Issues, v: unknown, path: string, removal = "leave the claim out instead"): Record<string, string[]> {
  const out = newClaims();
  if (v === undefined) return out;
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    x.add(path, `expected an object of claim name to value(s), got ${show(v)}`);
    return out;
  }
  for (const [name, value] of Object.entries(v)) {
    const p = `${path}.${name}`;
    if (text(x, name, `${path} (claim name)`, 1024) === undefined) continue;
    if (!isXmlText(name)) {
      x.add(`${path} (claim name)`, UNWRITABLE);
      continue;
    }
    if (name === "__proto__") {
      x.add(p, "is not a usable claim name");
      continue;
    }
    if (isReservedClaim(name)) {
      x.add(p, `claim name ${show(name)} is reserved (it has a protocol meaning in tokens)`);
      continue;
    }
    const values = Array.isArray(value) ? value : [value];
    // A claim with no value is no claim: kept, it would be stated nowhere (a user's claims are
    // read without it), yet count against the bounds and be offered in federation metadata.
    if (values.length === 0) {
      x.add(p, `must hold at least one value (${removal})`);
      continue;
    }
    const ok: string[] = [];
    values.forEach((s, j) => {
      const at = Array.isArray(value) ? `${p}[${j}]` : p;
      if (typeof s !== "string") x.add(at, `expected a string or an array of strings, got ${show(s)}`);
      // A SAML token states the value as XML text: one XML cannot carry would fail every
      // token and sign-in of its holder, so it is refused here, where it is given.
      else if (!isXmlText(s)) x.add(at, UNWRITABLE);
      else ok.push(s);
    });
    out[name] = ok;
  }
  return out;
}

/** Resolves relying-party references (identifier or alias) to canonical identifiers. */
function targets(x: Issues, o: Obj, key: string, p: string, parties: ValidatedParties, required = true): string[] {
  const out = new Set<string>();
  strList(x, o, key, p, { required })?.forEach((t, j) => {
    const id = parties.resolve(t);
    if (id === undefined && parties.present) x.add(`${p}.${key}[${j}]`, `${show(t)} is not a configured relying party identifier or alias`);
    else if (id !== undefined) out.add(id);
  });
  return [...out];
}

function resolveSecretHash(x: Issues, o: Obj, p: string, secrets: Record<string, unknown>, required: boolean): string | undefined {
  const stored = secretRef(x, o, "secretHashSecret", p, secrets, { required });
  if (stored === undefined) return undefined;
  const parsed = parseSecretHash(stored);
  if (typeof parsed === "string") {
    x.add(`${p}.secretHashSecret`, `secret binding "${String(o.secretHashSecret)}": ${parsed}`);
    return undefined;
  }
  return stored.toLowerCase();
}

/**
 * No user may have an OAuth client's id as its name, in any case or Unicode form ({@link nameKey}):
 * a client is named by its id where it acts (`act.sub`, a `may_act` naming it, its revocation
 * state), so a person signing in under that name would be taken for the client there — a
 * `may_act` meant for the client would let the user act. A service account may share a client's
 * id: both are the operator's machine identities, often one party reaching both doors.
 * @param names the local names validateUsers recorded
 */
export function checkClientsAgainstUsers(x: Issues, names: LocalNames, clients: ReadonlyMap<string, OAuthClient>, root: string): void {
  [...clients.keys()].forEach((clientId, i) => {
    const taken = names.get(nameKey(clientId));
    if (taken === undefined || !taken.where.startsWith("users[")) return;
    x.add(`${root}.${taken.where}`, `${show(taken.name)} is ${taken.name === clientId ? "" : "written like "}oauthClients[${i}].clientId ${show(clientId)}: a client is named by its id where it acts, so a user of that name would be taken for it; rename one of the two`);
  });
}

/** Validates `oauthClients`: unique ids (RFC 6749 §2.2), an authentication method, audiences. */
export function validateClients(
  x: Issues, o: Obj, root: string, secrets: Record<string, unknown>, parties: ValidatedParties,
): Map<string, OAuthClient> {
  const clients = new Map<string, OAuthClient>();
  (arr(x, o, "oauthClients", root) ?? []).forEach((raw, i) => {
    const p = `${root}.oauthClients[${i}]`;
    const c = obj(x, raw, p, CLIENT_FIELDS);
    if (!c) return;
    const clientId = str(x, c, "clientId", p, { required: true, max: 256 });
    if (clientId !== undefined && clients.has(clientId)) x.add(`${p}.clientId`, `duplicate clientId ${show(clientId)}`);
    // RFC 6749 §2.3.1: ids travel in HTTP Basic, so ":" would be ambiguous after form-decoding.
    if (clientId !== undefined && !/^[\x20-\x7e]+$/.test(clientId)) x.add(`${p}.clientId`, "must be printable ASCII (RFC 6749 VSCHAR)");
    const secretHash = resolveSecretHash(x, c, p, secrets, false);
    const jwks = c.jwks === undefined ? undefined : validateJwks(x, c.jwks, `${p}.jwks`, CLIENT_ASSERTION_ALGS);
    if (c.secretHashSecret === undefined && c.jwks === undefined) x.add(p, "needs secretHashSecret or jwks to authenticate");
    const allowedAudiences = targets(x, c, "allowedAudiences", p, parties);
    const allowedActors = strList(x, c, "allowedActors", p) ?? [];
    const mayIntrospect = bool(x, c, "mayIntrospect", p, true);
    const resourceServerFor = targets(x, c, "resourceServerFor", p, parties, false);
    if (!mayIntrospect && resourceServerFor.length > 0) {
      x.add(`${p}.resourceServerFor`, "a resource server introspects tokens, which mayIntrospect: false forbids");
    }
    if (clientId !== undefined && !clients.has(clientId)) {
      clients.set(clientId, { clientId, secretHash, jwks, allowedAudiences, allowedActors, mayIntrospect, resourceServerFor });
    }
  });
  return clients;
}

/**
 * Validates `serviceAccounts`. Their names share the WS-Trust UsernameToken namespace with
 * users (`names`, as {@link validateUsers} left it), so a name used by both is refused rather
 * than resolved by precedence.
 */
export function validateServiceAccounts(
  x: Issues, o: Obj, root: string, secrets: Record<string, unknown>, parties: ValidatedParties, names: LocalNames,
): Map<string, ServiceAccount> {
  const accounts = new Map<string, ServiceAccount>();
  (arr(x, o, "serviceAccounts", root) ?? []).forEach((raw, i) => {
    const p = `${root}.serviceAccounts[${i}]`;
    const a = obj(x, raw, p, ACCOUNT_FIELDS);
    if (!a) return;
    const username = str(x, a, "username", p, { required: true, max: 256 });
    const unique = username !== undefined && newName(x, names, username, root, `serviceAccounts[${i}].username`);
    const secretHash = resolveSecretHash(x, a, p, secrets, true);
    const allowedRelyingParties = targets(x, a, "allowedRelyingParties", p, parties);
    const operations = enumList(x, a, "operations", p, OPERATIONS, ["validate", "renew", "cancel"]);
    if (username !== undefined && secretHash !== undefined && unique) {
      accounts.set(username, { username, secretHash, allowedRelyingParties, operations });
    }
  });
  return accounts;
}
