/**
 * `/admin/users`: the user directory's administration, for a service account holding the
 * `manage-users` operation (src/admin/door.ts authenticates, limits and audits every call).
 *
 * - `POST /admin/users` `{"username", "password" | "passwordHash", "claims"?, "enabled"?}` → 201
 * - `POST /admin/users/import` `{"users": [{"username", "passwordHash", "claims"?, "enabled"?}, …]}` → 200
 * - `GET /admin/users?cursor=&limit=` → 200 `{"users", "next_cursor"}`, in name order
 * - `GET /admin/users/{username}` → 200
 * - `PATCH /admin/users/{username}` `{"claims"?: merge patch, "enabled"?, "revokeTokens"?}` → 200
 * - `PUT /admin/users/{username}/password` `{"password"} | {"passwordHash"}` → 204
 * - `DELETE /admin/users/{username}` → 204, revoking the user's outstanding tokens
 *
 * A user is shown without its hash. Names the configuration holds (users and service accounts)
 * are not the directory's: creating one is a conflict, reading one is not found.
 */
import { firstValues } from "../web/form-urlencoded.ts";
import type { Context, Env as HonoEnv, Hono } from "hono";
import type { RequestServices, StsContext } from "../engine/types.ts";
import { configuredNameLike, heldDisabled, localNameLike } from "../engine/users.ts";
import { invalidRequest } from "../errors.ts";
import { hashPassword } from "../identity/password.ts";
import { CLAIM_BOUNDS, type DirectoryUser, type NewDirectoryUser, type UserDirectory } from "../state/directory.ts";
import { nameKey } from "../token/subject.ts";
import { NO_STORE } from "../web/headers.ts";
import { type AdminCall, AdminError, throughDoor } from "./door.ts";
import { object, readJsonRequest } from "./json-body.ts";
import {
  MAX_IMPORT_USERS,
  encodeCursor,
  readClaims,
  readClaimsPatch,
  readBoolean,
  readPage,
  readPassword,
  readPasswordHash,
  readExistingUsername,
  readUsername,
} from "./user-request.ts";

const REFUSED = "Send the credentials of a service account allowed to manage users, with HTTP Basic.";

const CREATE_SHAPE = '{"username": "...", "password": "..." | "passwordHash": "pbkdf2-sha256$...", "claims"?: {...}, "enabled"?: true}';
const IMPORT_SHAPE = '{"users": [{"username": "...", "passwordHash": "pbkdf2-sha256$...", "claims"?: {...}, "enabled"?: true}, ...]}';
const PATCH_SHAPE = '{"claims"?: {"name": "value" | ["values"] | null}, "enabled"?: false, "revokeTokens"?: true}';
const PASSWORD_SHAPE = '{"password": "..."} or {"passwordHash": "pbkdf2-sha256$..."}';

/**
 * The user as the API shows it: never the hash. A user the STS holds disabled whatever its row
 * says (engine/users.ts, `heldDisabled`) is shown disabled, with why in `held_disabled`: its
 * row's `enabled` alone would tell the operator it signs in.
 */
function shown(ctx: StsContext, u: DirectoryUser) {
  const held = heldDisabled(ctx.config, u);
  return {
    username: u.username,
    enabled: u.enabled && held === undefined,
    ...(held === undefined ? {} : { held_disabled: held.reason }),
    claims: u.claims,
    created_at: new Date(u.createdAt).toISOString(),
    updated_at: new Date(u.updatedAt).toISOString(),
  };
}

function directoryOf(ctx: StsContext): UserDirectory {
  if (ctx.directory === undefined) {
    throw new AdminError(503, "directory_unavailable", "This deployment has no user directory: bind a D1 database as USERS_DB and apply the migrations (README, \"User directory\").");
  }
  return ctx.directory;
}

/**
 * Whether a configured user, service account or OAuth client has this name, or one that looks the
 * same ({@link nameKey}). A client is named by its id where it acts (`act.sub`, a `may_act` that
 * names it, its revocation state): a user of that name would be taken for it there.
 */
function looksConfigured(ctx: StsContext, username: string): boolean {
  return configuredNameLike(ctx.config, username) !== undefined;
}

const exists = (username: string, ctx: StsContext) =>
  new AdminError(
    409,
    "user_exists",
    looksConfigured(ctx, username)
      ? `'${username}' is, or looks the same as, a configured user, service account or OAuth client.`
      : `A user named '${username}', or one whose name differs from it only in case or Unicode form, already exists.`,
  );
/**
 * The 404 for a name no directory user has. A name that differs from a user's only in case or
 * Unicode form says which one it looks like: names are taken as stored here, and an operator who
 * typed `DAVE` to disable dave must not read the 404 as "no such person".
 */
async function notFound(username: string, ctx: StsContext): Promise<AdminError> {
  const like = await localNameLike(ctx, username).catch(() => undefined);
  const hint = like !== undefined && like !== username ? ` '${like}' differs from it only in case or Unicode form: name it as it is stored.` : "";
  return new AdminError(
    404,
    "user_not_found",
    (ctx.config.users.has(username)
      ? `'${username}' is a configured user: change it in the configuration.`
      : ctx.config.serviceAccounts.has(username)
        ? `'${username}' is a configured service account, not a user: change it in the configuration.`
        : `There is no user named '${username}'.`) + hint,
  );
}

/** The path's user, read as a name, and noted as the audit line's subject. */
function pathUser(c: Context, call: AdminCall): string {
  const username = readExistingUsername(c.req.param("username"), "username (path)");
  call.ctx.audit.subject = username;
  return username;
}

/** The stored hash for a body holding exactly one of `password` and `passwordHash`. */
async function storedHash(o: Record<string, unknown>, shape: string): Promise<string> {
  if ((o.password === undefined) === (o.passwordHash === undefined)) throw invalidRequest(`Send exactly one of 'password' and 'passwordHash': ${shape}.`);
  return o.password !== undefined ? hashPassword(readPassword(o.password)) : readPasswordHash(o.passwordHash);
}

export function registerUserRoutes<E extends HonoEnv>(app: Hono<E>, services: (c: Context<E>) => RequestServices): void {
  const door = (c: Context<E>, operation: string, work: (call: AdminCall) => Promise<Response>) =>
    throughDoor(c, services, { route: "manage-users", operation, refused: REFUSED }, work);
  const body = (c: Context<E>, call: AdminCall, fields: readonly string[], shape: string) =>
    readJsonRequest(c.req.raw, call.ctx.config.limits.maxBodyBytes, fields, shape);

  app.post("/admin/users", (c) =>
    door(c, "admin.users.create", async (call) => {
      const { ctx } = call;
      const directory = directoryOf(ctx);
      const o = await body(c, call, ["username", "password", "passwordHash", "claims", "enabled"], CREATE_SHAPE);
      const username = readUsername(o.username);
      ctx.audit.subject = username;
      const claims = o.claims === undefined ? {} : readClaims(o.claims);
      const enabled = o.enabled === undefined ? true : readBoolean(o.enabled);
      if (looksConfigured(ctx, username)) throw exists(username, ctx);
      const passwordHash = await storedHash(o, CREATE_SHAPE);
      const user = await directory.create({ username, passwordHash, enabled, claims }, ctx.now().getTime());
      if (!user) throw exists(username, ctx);
      ctx.audit.outcome = "created";
      return c.json({ user: shown(ctx, user) }, 201, NO_STORE);
    }),
  );

  app.post("/admin/users/import", (c) =>
    door(c, "admin.users.import", async (call) => {
      const { ctx } = call;
      const directory = directoryOf(ctx);
      const o = await body(c, call, ["users"], IMPORT_SHAPE);
      if (!Array.isArray(o.users) || o.users.length === 0 || o.users.length > MAX_IMPORT_USERS) {
        throw invalidRequest(`'users' must be an array of 1 to ${MAX_IMPORT_USERS} users: ${IMPORT_SHAPE}.`);
      }
      // Keyed as the directory keys names: two entries that differ only in case or Unicode form
      // are one user named twice, not a user that "already exists" when the second is reached.
      const seen = new Map<string, string>();
      const fresh: NewDirectoryUser[] = [];
      const skipped: { username: string; error: string; error_description: string }[] = [];
      o.users.forEach((raw, i) => {
        const p = `users[${i}]`;
        const u = object(raw, ["username", "passwordHash", "claims", "enabled"], p, IMPORT_SHAPE);
        const username = readUsername(u.username, `${p}.username`);
        const first = seen.get(nameKey(username));
        if (first !== undefined) {
          throw invalidRequest(`'${p}.username' names '${username}' a second time${first === username ? "" : ` (as '${first}', in another case or Unicode form)`}.`);
        }
        seen.set(nameKey(username), username);
        const passwordHash = readPasswordHash(u.passwordHash, `${p}.passwordHash`);
        const claims = u.claims === undefined ? {} : readClaims(u.claims, `${p}.claims`);
        const enabled = u.enabled === undefined ? true : readBoolean(u.enabled, `${p}.enabled`);
        if (looksConfigured(ctx, username)) skipped.push({ username, error: "user_exists", error_description: exists(username, ctx).message });
        else fresh.push({ username, passwordHash, enabled, claims });
      });
      const taken = await directory.createMany(fresh, ctx.now().getTime());
      for (const username of taken) skipped.push({ username, error: "user_exists", error_description: exists(username, ctx).message });
      const created = fresh.length - taken.length;
      ctx.audit.outcome = `created ${created}, skipped ${skipped.length}`;
      return c.json({ created, skipped }, 200, NO_STORE);
    }),
  );

  app.get("/admin/users", (c) =>
    door(c, "admin.users.list", async ({ ctx }) => {
      const directory = directoryOf(ctx);
      // The shared parser, which refuses a query whose escapes are not UTF-8 (Hono's keeps them as sent).
      const query = firstValues({ query: c.req.url });
      const page = readPage(query.get("cursor") ?? undefined, query.get("limit") ?? undefined);
      // One more than asked tells whether a next page exists without a second query.
      const users = await directory.list(page.after, page.limit + 1);
      const more = users.length > page.limit;
      const shownUsers = users.slice(0, page.limit);
      const last = shownUsers[shownUsers.length - 1];
      return c.json({ users: shownUsers.map((u) => shown(ctx, u)), next_cursor: more && last ? encodeCursor(last.username) : null }, 200, NO_STORE);
    }),
  );

  app.get("/admin/users/:username", (c) =>
    door(c, "admin.users.read", async (call) => {
      const username = pathUser(c, call);
      const user = await directoryOf(call.ctx).get(username);
      if (!user) throw await notFound(username, call.ctx);
      return c.json({ user: shown(call.ctx, user) }, 200, NO_STORE);
    }),
  );

  app.patch("/admin/users/:username", (c) =>
    door(c, "admin.users.update", async (call) => {
      const { ctx, state } = call;
      const directory = directoryOf(ctx);
      const username = pathUser(c, call);
      const o = await body(c, call, ["claims", "enabled", "revokeTokens"], PATCH_SHAPE);
      const claimsPatch = o.claims === undefined ? undefined : readClaimsPatch(o.claims);
      const enabled = o.enabled === undefined ? undefined : readBoolean(o.enabled);
      const revoke = o.revokeTokens === undefined ? false : readBoolean(o.revokeTokens, "revokeTokens");
      if (claimsPatch === undefined && enabled === undefined && !revoke) throw invalidRequest(`Nothing to change: ${PATCH_SHAPE}.`);
      const now = ctx.now().getTime();
      const user = await directory.update(username, { ...(claimsPatch && { claimsPatch }), ...(enabled !== undefined && { enabled }) }, now);
      if (!user) throw await notFound(username, ctx);
      if (user === "claims-over-bounds") {
        throw invalidRequest(`'claims' as merged would hold more than ${CLAIM_BOUNDS.names} claims or ${CLAIM_BOUNDS.jsonChars} characters of JSON: remove some (name: null) with the change.`);
      }
      const did = [claimsPatch && "claims", enabled === false && "disabled", enabled === true && "enabled"].filter(Boolean);
      const answer: Record<string, unknown> = { user: shown(ctx, user) };
      if (revoke) {
        const cutoff = await state.revokeSubject({ subject: username });
        answer.tokens_revoked_before = new Date(cutoff).toISOString();
        did.push("tokens revoked");
      }
      ctx.audit.outcome = did.join(", ");
      return c.json(answer, 200, NO_STORE);
    }),
  );

  app.put("/admin/users/:username/password", (c) =>
    door(c, "admin.users.set_password", async (call) => {
      const { ctx } = call;
      const directory = directoryOf(ctx);
      const username = pathUser(c, call);
      const o = await body(c, call, ["password", "passwordHash"], PASSWORD_SHAPE);
      const passwordHash = await storedHash(o, PASSWORD_SHAPE);
      if (!(await directory.setPassword(username, passwordHash, ctx.now().getTime()))) throw await notFound(username, ctx);
      ctx.audit.outcome = "password set";
      return c.body(null, 204, NO_STORE);
    }),
  );

  app.delete("/admin/users/:username", (c) =>
    door(c, "admin.users.delete", async (call) => {
      const { ctx, state } = call;
      const username = pathUser(c, call);
      const directory = directoryOf(ctx);
      // A deleted user's tokens end with it, so that a user later created under the same name
      // starts clean. The row goes only once the revocation is written: were it deleted first, a
      // revocation that failed would leave the tokens good with nobody left to delete (a retry
      // is a 404), and a new user of that name would bring them back. Disabled first, so that no
      // token is issued between the revocation and the delete; a call that fails part-way
      // leaves a disabled user, and calling again finishes the job.
      if (!(await directory.update(username, { enabled: false }, ctx.now().getTime()))) throw await notFound(username, ctx);
      ctx.audit.outcome = "disabled";
      await state.revokeSubject({ subject: username });
      ctx.audit.outcome = "disabled, tokens revoked";
      const removed = await directory.delete(username);
      // Enabled again when it went: another administrator's PATCH landed while this call waited
      // for the cut-off, and the user may have signed in after it. Now that no sign-in can read
      // the row, a second cut-off ends those tokens too (a sign-in that read it before the
      // delete authenticated before this cut-off).
      if (removed?.enabled) await state.revokeSubject({ subject: username });
      ctx.audit.outcome = "deleted, tokens revoked";
      return c.body(null, 204, NO_STORE);
    }),
  );
}
