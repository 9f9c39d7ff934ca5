/**
 * The one place a user is looked up by name: the configuration's users first, then the realm's
 * user directory. A name is never both a configured party's and a directory user's that signs
 * in (the administration API refuses to create one; one found in the directory is held disabled
 * here and logged), so the order only saves the directory a query for configured users. And the
 * one place every user's name is listed.
 */
import type { StsContext } from "./types.ts";
import type { ResolvedConfig } from "../config/types.ts";
import { nameKey } from "../token/subject.ts";
import { PUBLISHED_PASSWORD_HASHES } from "../config/dev.ts";
import { StsError } from "../errors.ts";
import { RepeatedFailureLog } from "../web/log.ts";
import { directoryReachable, directoryUnavailable } from "./directory-outage.ts";

/**
 * Each refused use of a directory user named like a configured party is logged: the first at
 * once, then at most one line a minute per name and isolate (with how many were not), so that
 * sign-in attempts under that name cannot flood the log with one line each.
 */
const conflicts = new RepeatedFailureLog();

/** A user the STS knows, wherever it is kept. */
export interface KnownUser {
  username: string;
  passwordHash: string;
  claims: Record<string, string[]>;
  /** A disabled user (configured with `enabled: false`, or a directory user disabled) authenticates nowhere. */
  enabled: boolean;
  /** A directory user's: when its row was made, and when it was last disabled (epoch ms). */
  createdAt?: number | undefined;
  disabledAt?: number | undefined;
}

/**
 * Whether what happened to `user`'s account since `at` (epoch ms) ends a browser session begun
 * then: it was disabled at or after that time — enabling it again does not bring such a session
 * back, as disabling a user ends their sessions for good in AD FS and Keycloak — or, with
 * `made`, its row was made after it (deleted and made again: maybe for someone else). A
 * configured user's file says only whether it is enabled now: its disables are recorded in the
 * state store instead (http/configured-disables.ts), which the session's status check reads.
 */
export function endedSince(user: KnownUser, at: number, made = false): boolean {
  return (user.disabledAt !== undefined && user.disabledAt >= at) || (made && user.createdAt !== undefined && user.createdAt > at);
}

export async function findUser(ctx: StsContext, username: string): Promise<KnownUser | undefined> {
  const configured = ctx.config.users.get(username);
  if (configured) return configured;
  if (!mayBeDirectoryName(username)) return undefined;
  const stored = await lookUp(ctx, username);
  if (stored === undefined) return undefined;
  const held = heldDisabled(ctx.config, stored);
  if (held === undefined) return stored;
  const conflict = held.conflict;
  if (conflict !== undefined) {
    conflicts.failed(`${ctx.config.realm ?? ""}\n${stored.username}`, () => ({ level: "error", event: "directory_name_conflict", message: nameConflict(ctx.config, conflict, stored.username) }));
  }
  return { ...stored, enabled: false };
}

/**
 * Why the STS holds a directory user disabled whatever its row says (it signs in nowhere and no
 * token is made from its tokens), or undefined. Asked at each use (`findUser`) and by the
 * administration API, which shows it, so that an operator is not told such a user is enabled.
 * - Its password is in the repository: under a production configuration, until an
 *   administrator gives it a password of its own or deletes it.
 * - Its name is, or looks the same as, a configured user's, service account's or OAuth client's
 *   (`conflict`; a row written by hand, or a party configured after the user was made): it would
 *   be taken for that party where it is named, a client by its id. Held disabled at each use,
 *   and logged, rather than refused at start: one database row must not stop the whole service,
 *   and the operator learns which two names to part.
 */
export function heldDisabled(
  config: Pick<ResolvedConfig, "mode" | "users" | "serviceAccounts" | "oauthClients">,
  stored: Pick<KnownUser, "username" | "passwordHash">,
): { reason: string; conflict?: string } | undefined {
  if (config.mode !== "development" && PUBLISHED_PASSWORD_HASHES.has(stored.passwordHash)) {
    return { reason: "its password is one published with this STS's source: give it a password of its own" };
  }
  const conflict = configuredNameLike(config, stored.username);
  if (conflict !== undefined) {
    return { reason: `its name is, or looks the same as, the configured name ${JSON.stringify(conflict)}: remove or rename one of the two`, conflict };
  }
  return undefined;
}

/**
 * What the log says of a directory user `stored` whose name is, or looks the same as, the
 * configured name `name`: both names, the field that configures it, and what to do.
 */
export function nameConflict(config: ResolvedConfig, name: string, stored: string): string {
  const holds = name === stored
    ? `is configured and is also a user in the user directory (USERS_DB)`
    : `is configured and the user directory (USERS_DB) holds ${JSON.stringify(stored)}, which differs from it only in case or in how its letters are written`;
  return `${configuredAt(config, name)}: ${JSON.stringify(name)} ${holds}; the directory user signs in nowhere and gets no token until one of the two is removed or renamed`;
}

/** The field that configures a user, service account or OAuth client of this name (`STS_CONFIG.users[2].username`). */
function configuredAt(config: ResolvedConfig, name: string): string {
  const user = [...config.users.keys()].indexOf(name);
  if (user >= 0) return `${config.root}.users[${user}].username`;
  const account = [...config.serviceAccounts.keys()].indexOf(name);
  if (account >= 0) return `${config.root}.serviceAccounts[${account}].username`;
  return `${config.root}.oauthClients[${[...config.oauthClients.keys()].indexOf(name)}].clientId`;
}

/**
 * The directory's answer for `username`. An unreachable directory is the STS's failure, not the
 * requestor's: answered as one (a Receiver fault, a server_error) rather than as a wrong password,
 * which would count toward the name's lockout, and logged as directory_unavailable, at most once a
 * minute while it lasts, rather than as a bug with its stack on every sign-in.
 */
async function lookUp(ctx: StsContext, username: string) {
  if (!ctx.directory) return undefined;
  try {
    const stored = await ctx.directory.get(username);
    directoryReachable();
    return stored;
  } catch (e) {
    directoryUnavailable("A user could not be looked up: the user directory (USERS_DB) could not be read", e);
    throw new StsError("internal_error", "The user directory is unavailable; try again later.");
  }
}

/** A partner's subject (`issuer#sub`) or a client's URI-like name is never a directory user's. */
function mayBeDirectoryName(username: string): boolean {
  return !username.includes("#") && !username.includes(":");
}

/**
 * The directory read an unknown name's failed sign-in makes, made for a configured name's failed
 * sign-in too (its answer unused: a configured name is never a directory user's), so that the
 * time of a failure does not tell which names are configured. Not made on success: a caller who
 * knows the password learns nothing from it. An unreachable directory changes nothing here.
 */
export async function matchDirectoryCost(ctx: StsContext, username: string): Promise<void> {
  if (mayBeDirectoryName(username)) await ctx.directory?.get(username).catch(() => undefined);
}

/** The user, if it exists and may sign in now. */
export async function findEnabledUser(ctx: StsContext, username: string): Promise<KnownUser | undefined> {
  const u = await findUser(ctx, username);
  return u?.enabled ? u : undefined;
}

/**
 * Every name the configuration gives a local party: users, service accounts and OAuth clients
 * (a client is named by its id where it acts: `act.sub`, a `may_act` naming it, its revocation
 * state). The user directory holds none of them, nor one that looks the same (`nameKey`).
 */
export function configuredNames(config: Pick<ResolvedConfig, "users" | "serviceAccounts" | "oauthClients">): string[] {
  return [...config.users.keys(), ...config.serviceAccounts.keys(), ...config.oauthClients.keys()];
}

const configuredByKey = new WeakMap<object, ReadonlyMap<string, string>>();

/** The configured name ({@link configuredNames}) that `name` is or looks the same as (`nameKey`), if any. */
export function configuredNameLike(config: Pick<ResolvedConfig, "users" | "serviceAccounts" | "oauthClients">, name: string): string | undefined {
  let byKey = configuredByKey.get(config);
  if (!byKey) {
    byKey = new Map(configuredNames(config).map((n) => [nameKey(n), n]));
    configuredByKey.set(config, byKey);
  }
  return byKey.get(nameKey(name));
}

/**
 * The local party's name that `name` stands for when typed by a person: itself when a party has
 * it, else the configured or directory name it looks the same as (`nameKey`, with the white
 * space at its ends dropped, as a name copied from a list or a terminal often has; no directory
 * name has any); undefined when it looks like none. Tokens
 * state the stored name, so an operator's `Alice`, ` alice` or decomposed `zoë` must find
 * `alice` or `zoë` to reach her tokens.
 * @throws StsError internal_error when the directory cannot be read (logged as directory_unavailable)
 */
export async function localNameLike(ctx: StsContext, name: string): Promise<string | undefined> {
  const trimmed = name.trim();
  const configured = configuredNameLike(ctx.config, trimmed);
  if (configured !== undefined || !ctx.directory || !mayBeDirectoryName(trimmed)) return configured;
  try {
    const [held] = await ctx.directory.holds([trimmed]);
    directoryReachable();
    return held?.stored;
  } catch (e) {
    directoryUnavailable("A name could not be looked up: the user directory (USERS_DB) could not be read", e);
    throw new StsError("internal_error", "The user directory is unavailable; try again later.");
  }
}

/** Names the directory is read in, per query. */
const NAMES_PER_PAGE = 1000;

/** Every user's name, a page at a time: the configured users, then the directory's in name order. */
export async function* userNames(ctx: StsContext): AsyncGenerator<string[]> {
  const configured = [...ctx.config.users.keys()];
  if (configured.length > 0) yield configured;
  const directory = ctx.directory;
  if (!directory) return;
  let after: string | undefined;
  for (;;) {
    const page = await directory.names(after, NAMES_PER_PAGE);
    if (page.length > 0) yield page;
    if (page.length < NAMES_PER_PAGE) return;
    after = page[page.length - 1];
  }
}
