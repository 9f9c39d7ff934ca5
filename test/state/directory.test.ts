/**
 * The user directory's store (src/state/directory.ts) on the tests' local D1, and what keeps a
 * name from being both a configured party's and a directory user's that signs in.
 */
import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { DEV_CONFIG, DEV_DIRECTORY_USERS } from "../../src/config/dev.ts";
import { UserDirectory } from "../../src/state/directory.ts";
import { hashPassword } from "../../src/identity/password.ts";
import { trustWith, workerWith } from "../hostile/configured.ts";
import { USER_ADMIN } from "../helpers/credentials.ts";

const HASH = "pbkdf2-sha256$10000$AQEBAQEBAQEBAQEBAQEBAQ==$+DlILRc55TErTW4PLi0OEtHBbTvBfwEm6Da8AFr+KfE=";
const user = (username: string, claims: Record<string, string[]> = {}) => ({ username, passwordHash: HASH, enabled: true, claims });
const fresh = () => `u-${crypto.randomUUID().slice(0, 8)}`;

describe("UserDirectory", () => {
  it("keeps realms apart: the same name in two realms is two users, each realm sees only its own", async () => {
    const a = new UserDirectory(env.USERS_DB, "");
    const b = new UserDirectory(env.USERS_DB, `r-${crypto.randomUUID().slice(0, 6)}`);
    const name = fresh();
    expect(await a.create(user(name, { role: ["a"] }), 1)).toMatchObject({ username: name, claims: { role: ["a"] }, createdAt: 1 });
    expect(await b.get(name)).toBeUndefined();
    expect(await b.create(user(name, { role: ["b"] }), 2)).toMatchObject({ username: name, claims: { role: ["b"] }, createdAt: 2 });
    expect((await a.get(name))?.claims).toEqual({ role: ["a"] });
    expect((await b.get(name))?.claims).toEqual({ role: ["b"] });
    expect(await b.delete(name)).toMatchObject({ username: name, claims: { role: ["b"] } });
    expect(await b.delete(name)).toBeUndefined();
    expect(await a.get(name)).toBeDefined();
    expect(await b.list(undefined, 10)).toEqual([]);
  });

  it("records the claim names its users hold, per realm, from what is stored", async () => {
    const d = new UserDirectory(env.USERS_DB, `r-${crypto.randomUUID().slice(0, 6)}`);
    const other = new UserDirectory(env.USERS_DB, `r-${crypto.randomUUID().slice(0, 6)}`);
    expect(await d.claimNames()).toEqual([]);
    await d.create(user("a", { email: ["a@example.org"] }), 1);
    await d.createMany([user("b", { role: ["x"] }), user("c", { team: ["y"] })], 2);
    await d.update("a", { claimsPatch: { office: ["3"], email: null } }, 3);
    // Taken name: the stored user's claims are what count, not the refused request's.
    expect(await d.create(user("a", { refused: ["z"] }), 4)).toBeUndefined();
    expect(await d.update("nobody", { claimsPatch: { ghost: ["z"] } }, 5)).toBeUndefined();
    expect(await d.claimNames()).toEqual(["email", "office", "role", "team"]);
    expect(await other.claimNames()).toEqual([]);
    expect(await d.claimNames(2)).toEqual(["email", "office"]);
  });

  it("createMany creates the new names and reports the taken ones, in one transaction", async () => {
    const d = new UserDirectory(env.USERS_DB, `r-${crypto.randomUUID().slice(0, 6)}`);
    await d.create(user("b"), 1);
    expect(await d.createMany([user("a"), user("b"), user("c")], 5)).toEqual(["b"]);
    expect((await d.list(undefined, 10)).map((u) => [u.username, u.createdAt])).toEqual([["a", 5], ["b", 1], ["c", 5]]);
  });

  it("names lists the realm's names alone, a page at a time, in name order", async () => {
    const d = new UserDirectory(env.USERS_DB, `r-${crypto.randomUUID().slice(0, 6)}`);
    const other = new UserDirectory(env.USERS_DB, `r-${crypto.randomUUID().slice(0, 6)}`);
    await d.createMany([user("c"), user("a"), user("d"), user("b")], 1);
    await other.create(user("aa"), 1);
    expect(await d.names(undefined, 3)).toEqual(["a", "b", "c"]);
    expect(await d.names("c", 3)).toEqual(["d"]);
    expect(await d.names("d", 3)).toEqual([]);
  });

  it("update merges claims in SQL (RFC 7396), changes enabled, and says when there is no such user", async () => {
    const d = new UserDirectory(env.USERS_DB, "");
    const name = fresh();
    await d.create(user(name, { email: ["x@example.org"], role: ["user"] }), 1);
    const u = await d.update(name, { claimsPatch: { role: null, team: ["blue"] }, enabled: false }, 9);
    expect(u).toMatchObject({ enabled: false, claims: { email: ["x@example.org"], team: ["blue"] }, updatedAt: 9, createdAt: 1 });
    expect(await d.update(fresh(), { enabled: true }, 10)).toBeUndefined();
  });

  it("a row whose claims are not a JSON object (edited by hand) reads as no claims, and a change mends it instead of failing", async () => {
    const realm = `r-${crypto.randomUUID().slice(0, 6)}`;
    const d = new UserDirectory(env.USERS_DB, realm);
    const stored = [["broken", "not json{"], ["listed", '["x"]'], ["fine", '{"team":["red"]}']];
    for (const [name, claims] of stored) {
      await env.USERS_DB.prepare("INSERT INTO users (realm, username, password_hash, enabled, claims, created_at, updated_at, name_key) VALUES (?1, ?2, ?3, 1, ?4, 1, 1, ?2)")
        .bind(realm, name, HASH, claims)
        .run();
    }
    expect((await d.get("broken"))?.claims).toEqual({});
    expect(await d.update("broken", { claimsPatch: { email: ["b@example.org"] } }, 2)).toMatchObject({ claims: { email: ["b@example.org"] }, updatedAt: 2 });
    expect(await d.update("listed", { claimsPatch: { role: ["user"] } }, 3)).toMatchObject({ claims: { role: ["user"] } });
    expect(await d.update("fine", { claimsPatch: { office: ["3"] } }, 4)).toMatchObject({ claims: { team: ["red"], office: ["3"] } });
    expect(await d.claimNames()).toEqual(["email", "office", "role", "team"]);
    expect(JSON.parse((await env.USERS_DB.prepare("SELECT claims FROM users WHERE realm = ?1 AND username = 'broken'").bind(realm).first<{ claims: string }>())!.claims)).toEqual({ email: ["b@example.org"] });
  });

  it("seedOnce seeds a realm once: a seeded user deleted later stays deleted", async () => {
    const d = new UserDirectory(env.USERS_DB, `r-${crypto.randomUUID().slice(0, 6)}`);
    expect(await d.seedOnce("seeded", [user("seed-me")], 1)).toBe(true);
    expect(await d.delete("seed-me")).toMatchObject({ username: "seed-me" });
    expect(await d.seedOnce("seeded", [user("seed-me")], 2)).toBe(false);
    expect(await d.get("seed-me")).toBeUndefined();
  });

  it("holds finds names in chunks past SQLite's bound-parameter limit", async () => {
    const d = new UserDirectory(env.USERS_DB, `r-${crypto.randomUUID().slice(0, 6)}`);
    await d.createMany([user("n-5"), user("n-150")], 1);
    const names = Array.from({ length: 200 }, (_, i) => `n-${i}`);
    expect((await d.holds(names)).map((h) => h.stored).sort()).toEqual(["n-150", "n-5"]);
  });
});

describe("a configured name that is also a directory user", () => {
  it("is found by how the name looks: another case, ß for ss, σ for ς", async () => {
    const d = new UserDirectory(env.USERS_DB, `r-${crypto.randomUUID().slice(0, 6)}`);
    await d.createMany([user("ALICE"), user("STRAßE"), user("ΟΔΟΣ")], 1);
    const found = await d.holds(["alice", "strasse", "οδοσ", "bob"]);
    expect(found.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: "alice", stored: "ALICE" },
      { name: "strasse", stored: "STRAßE" },
      { name: "οδοσ", stored: "ΟΔΟΣ" },
    ]);
  });

  /**
   * A worker whose directory holds `name` (password `pw`) that looks like a configured party: the
   * `directory_name_conflict` lines it logs, the status of a metadata request (nothing to do with
   * that user), and the directory user's own sign-in.
   */
  async function conflicted(f: ReturnType<typeof workerWith>, name: string, pw: string) {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(" ")));
    try {
      const served = (await f("/.well-known/oauth-authorization-server")).status;
      const signIn = await trustWith(f, { user: name, password: pw, appliesTo: "urn:example:rp" });
      const told = lines.map((l) => JSON.parse(l) as { event?: string; level?: string; problems?: string[]; message?: string }).filter((l) => l.event === "directory_name_conflict" || l.event === "config_invalid");
      return { served, signIn, told };
    } finally {
      vi.restoreAllMocks();
    }
  }

  it("in another case: the STS serves, the directory user signs in nowhere, and the log names both spellings at start and at the refused use", async () => {
    const name = fresh();
    const pw = "conflict-pass-1";
    await new UserDirectory(env.USERS_DB, "").create({ ...user(name.toUpperCase()), passwordHash: await hashPassword(pw, { iterations: 10_000 }) }, 1);
    const f = workerWith({ ...DEV_CONFIG, users: [...(DEV_CONFIG.users ?? []), { username: name, passwordHashSecret: "DEV_BOB_PASSWORD_HASH" }] });
    const r = await conflicted(f, name.toUpperCase(), pw);
    expect(r.served).toBe(200);
    expect(r.signIn.fault).toBe("wst:FailedAuthentication");
    const text = `STS_CONFIG.users[${DEV_CONFIG.users!.length}].username: "${name}" is configured and the user directory (USERS_DB) holds "${name.toUpperCase()}", which differs from it only in case or in how its letters are written; the directory user signs in nowhere and gets no token until one of the two is removed or renamed`;
    expect(r.told).toEqual([
      { ts: expect.any(String), level: "error", event: "directory_name_conflict", problems: [text] },
      { ts: expect.any(String), level: "error", event: "directory_name_conflict", message: text },
    ]);
    // The configured user of that name is unaffected.
    expect((await trustWith(f, { user: name, password: "builder", appliesTo: "urn:example:rp" })).status).toBe(200);
  });

  it("logs the refused uses of such a user at most once a minute, not once per attempt", async () => {
    const name = fresh();
    await new UserDirectory(env.USERS_DB, "").create({ ...user(name.toUpperCase()), passwordHash: await hashPassword("conflict-pass-2", { iterations: 10_000 }) }, 1);
    const f = workerWith({ ...DEV_CONFIG, users: [...(DEV_CONFIG.users ?? []), { username: name, passwordHashSecret: "DEV_BOB_PASSWORD_HASH" }] });
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(" ")));
    try {
      for (let i = 0; i < 3; i++) {
        expect((await trustWith(f, { user: name.toUpperCase(), password: "conflict-pass-2", appliesTo: "urn:example:rp" })).fault).toBe("wst:FailedAuthentication");
      }
      const uses = lines.map((l) => JSON.parse(l) as { event?: string; message?: string }).filter((l) => l.event === "directory_name_conflict" && l.message !== undefined);
      expect(uses).toHaveLength(1);
    } finally {
      vi.restoreAllMocks();
      await new UserDirectory(env.USERS_DB, "").delete(name.toUpperCase());
    }
  });

  it("is shown disabled by the administration API, with why, whatever its row says: the STS holds it so", async () => {
    const name = fresh();
    await new UserDirectory(env.USERS_DB, "").create(user(name.toUpperCase()), 1);
    const f = workerWith({ ...DEV_CONFIG, users: [...(DEV_CONFIG.users ?? []), { username: name, passwordHashSecret: "DEV_BOB_PASSWORD_HASH" }] });
    const admin = { authorization: USER_ADMIN, "content-type": "application/json" };
    const path = `/admin/users/${name.toUpperCase()}`;
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      const held = { enabled: false, held_disabled: `its name is, or looks the same as, the configured name "${name}": remove or rename one of the two` };
      const shown = (await (await f(path, { headers: admin })).json()) as { user: Record<string, unknown> };
      expect(shown.user).toMatchObject({ username: name.toUpperCase(), ...held });
      // Enabling it changes its row, not what the STS does with it.
      const patched = (await (await f(path, { method: "PATCH", headers: admin, body: JSON.stringify({ enabled: true }) })).json()) as { user: Record<string, unknown> };
      expect(patched.user).toMatchObject(held);
      const listed = (await (await f(`/admin/users?limit=1000`, { headers: admin })).json()) as { users: Record<string, unknown>[] };
      expect(listed.users.find((u) => u.username === name.toUpperCase())).toMatchObject(held);
      // A user without a conflict is shown as its row says, with no such member.
      await new UserDirectory(env.USERS_DB, "").create(user(`${name}-other`), 1);
      const other = (await (await f(`/admin/users/${name}-other`, { headers: admin })).json()) as { user: Record<string, unknown> };
      expect(other.user.enabled).toBe(true);
      expect(Object.keys(other.user)).not.toContain("held_disabled");
    } finally {
      vi.restoreAllMocks();
      await new UserDirectory(env.USERS_DB, "").delete(name.toUpperCase());
      await new UserDirectory(env.USERS_DB, "").delete(`${name}-other`);
    }
  });

  it("of the same spelling: the configured user is the one who signs in, and the start-up log names the field", async () => {
    const name = fresh();
    await new UserDirectory(env.USERS_DB, "").create(user(name), 1);
    const f = workerWith({ ...DEV_CONFIG, users: [...(DEV_CONFIG.users ?? []), { username: name, passwordHashSecret: "DEV_BOB_PASSWORD_HASH" }] });
    const r = await conflicted(f, name, "builder");
    expect(r.served).toBe(200);
    expect(r.signIn.status).toBe(200);
    expect(r.told).toEqual([
      {
        ts: expect.any(String), level: "error", event: "directory_name_conflict",
        problems: [`STS_CONFIG.users[${DEV_CONFIG.users!.length}].username: "${name}" is configured and is also a user in the user directory (USERS_DB); the directory user signs in nowhere and gets no token until one of the two is removed or renamed`],
      },
    ]);
  });

  it("names the field that configures it: a further realm's service account by the realm's path", async () => {
    const name = fresh();
    await new UserDirectory(env.USERS_DB, "realm2").create(user(name), 1);
    const realm2 = DEV_CONFIG.realms![0]!;
    const accounts = [...(realm2.serviceAccounts ?? []), { username: name, secretHashSecret: "DEV_RP_VALIDATOR_SECRET_HASH", allowedRelyingParties: [] }];
    const f = workerWith({ ...DEV_CONFIG, realms: [{ ...realm2, serviceAccounts: accounts }] });
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(" ")));
    try {
      expect((await f("/realms/realm2/.well-known/oauth-authorization-server")).status).toBe(200);
    } finally {
      vi.restoreAllMocks();
    }
    const told = lines.map((l) => JSON.parse(l) as { event?: string; problems?: string[] }).filter((l) => l.event === "directory_name_conflict");
    expect(told.map((l) => l.problems)).toEqual([[`STS_CONFIG.realms[0].serviceAccounts[${accounts.length - 1}].username: "${name}" is configured and is also a user in the user directory (USERS_DB); the directory user signs in nowhere and gets no token until one of the two is removed or renamed`]]);
  });

  it("an OAuth client's id (in any case) does not stop the STS: everyone else is served, the directory user is refused at sign-in, and the log names the client's field", async () => {
    const name = fresh();
    const pw = "conflict-pass-2";
    await new UserDirectory(env.USERS_DB, "").create({ ...user(name.toUpperCase()), passwordHash: await hashPassword(pw, { iterations: 10_000 }) }, 1);
    const clients = [...(DEV_CONFIG.oauthClients ?? []), { clientId: name, secretHashSecret: "DEV_DEMO_CLIENT_SECRET_HASH", allowedAudiences: [] }];
    const f = workerWith({ ...DEV_CONFIG, oauthClients: clients });
    const r = await conflicted(f, name.toUpperCase(), pw);
    expect(r.served).toBe(200);
    expect(r.signIn.status).toBe(400);
    expect(r.signIn.fault).toBe("wst:FailedAuthentication");
    const text = `STS_CONFIG.oauthClients[${clients.length - 1}].clientId: "${name}" is configured and the user directory (USERS_DB) holds "${name.toUpperCase()}", which differs from it only in case or in how its letters are written; the directory user signs in nowhere and gets no token until one of the two is removed or renamed`;
    expect(r.told).toEqual([
      { ts: expect.any(String), level: "error", event: "directory_name_conflict", problems: [text] },
      { ts: expect.any(String), level: "error", event: "directory_name_conflict", message: text },
    ]);
    // Everyone else is served: alice signs in as ever.
    expect((await trustWith(f, { user: "alice", password: "wonderland", appliesTo: "urn:example:rp" })).status).toBe(200);
  });
});

describe("a development directory user under a production configuration", () => {
  it("signs in nowhere while it holds its published password, and the start-up log says so; a password of its own lets it in", async () => {
    const dave = DEV_DIRECTORY_USERS[0]!;
    const d = new UserDirectory(env.USERS_DB, "");
    // As a development run on the same database left him (seeded, or seeded earlier in this file).
    await d.create({ ...dave, claims: { ...dave.claims } }, 1);
    expect(await d.setPassword(dave.username, dave.passwordHash, 2)).toBe(true);
    // A configuration of its own, so that its directory's start-up check runs here.
    const f = workerWith({ ...DEV_CONFIG, relyingParties: [...DEV_CONFIG.relyingParties!, { identifier: `urn:example:${fresh()}`, defaultTokenType: "saml2" }] });
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(" ")));
    let refused: Awaited<ReturnType<typeof trustWith>>;
    try {
      refused = await trustWith(f, { user: "dave", password: "directory-pass-1", appliesTo: "urn:example:rp" });
    } finally {
      vi.restoreAllMocks();
    }
    expect(refused.status).toBe(400);
    expect(refused.fault).toBe("wst:FailedAuthentication");
    const told = lines.map((l) => JSON.parse(l) as { event?: string; level?: string; message?: string }).filter((l) => l.event === "development_user");
    expect(told).toEqual([
      {
        ts: expect.any(String),
        level: "warn",
        event: "development_user",
        message:
          'The user directory (USERS_DB) holds the development user "dave" with its published password (a development run used this database): it signs in nowhere under this configuration. Delete it (DELETE /admin/users/dave) or set a password of its own',
      },
    ]);
    // The same name with a password of its own is an ordinary directory user.
    await d.setPassword(dave.username, await hashPassword("dave-own-pass-7", { iterations: 10_000 }), 3);
    try {
      expect((await trustWith(f, { user: "dave", password: "dave-own-pass-7", appliesTo: "urn:example:rp" })).status).toBe(200);
    } finally {
      await d.setPassword(dave.username, dave.passwordHash, 4);
    }
  });
});

describe("a certificate principal that names no configured user or service account", () => {
  const mapping = (principal: string) => ({ ...DEV_CONFIG, requestorCertificates: { ...DEV_CONFIG.requestorCertificates!, principals: [{ subjectCommonName: "alice", principal }] } });
  const warnings = async (f: ReturnType<typeof workerWith>, path = "/healthz") => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(" ")));
    try {
      expect((await f(path)).status).toBe(200);
    } finally {
      vi.restoreAllMocks();
    }
    return lines.map((l) => JSON.parse(l) as { event?: string; message?: string }).filter((l) => l.event === "certificate_principal_unknown").map((l) => l.message);
  };

  it("is looked up in the directory at start: one it holds is quiet, one it lacks (or holds in another case) is named with its field", async () => {
    const name = fresh();
    await new UserDirectory(env.USERS_DB, "").create(user(name), 1);
    expect(await warnings(workerWith(mapping(name)))).toEqual([]);
    expect(await warnings(workerWith(mapping(name.toUpperCase())))).toEqual([
      `STS_CONFIG.requestorCertificates.principals[0].principal: "${name.toUpperCase()}" is no configured user or service account, and the user directory (USERS_DB) holds no such user (it holds "${name}": a principal names its user exactly): the certificates mapped to it authenticate nobody until it does`,
    ]);
    const absent = fresh();
    expect(await warnings(workerWith(mapping(absent)))).toEqual([
      `STS_CONFIG.requestorCertificates.principals[0].principal: "${absent}" is no configured user or service account, and the user directory (USERS_DB) holds no such user: the certificates mapped to it authenticate nobody until it does`,
    ]);
  });

  it("is named at start when no user directory is bound", async () => {
    const absent = fresh();
    const { USERS_DB: _, ...noDirectory } = env;
    const { createExecutionContext, waitOnExecutionContext } = await import("cloudflare:test");
    const { app } = await import("../../src/http/app.ts");
    const { DEV_SECRETS } = await import("../../src/config/dev.ts");
    const bare = { ...noDirectory, ...DEV_SECRETS, STS_CONFIG: JSON.stringify(mapping(absent)) };
    const f = async (path: string) => {
      const ctx = createExecutionContext();
      const res = await app.fetch(new Request("http://127.0.0.1:8787" + path), bare, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    expect(await warnings(f)).toEqual([
      `STS_CONFIG.requestorCertificates.principals[0].principal: "${absent}" is no configured user or service account, and no user directory (USERS_DB) is bound: the certificates mapped to it authenticate nobody`,
    ]);
  });
});

describe("a user directory that cannot be reached", () => {
  /** A D1 binding whose every call fails with `message`. */
  const failingDb = (message: string) => {
    const fail = () => {
      throw new Error(message);
    };
    return { prepare: fail, batch: fail, exec: fail } as unknown as D1Database;
  };
  /** The dev configuration over `db`; a clock skew of its own keeps the test's configuration (and its start-up check) apart from the others'. */
  const directoryEnv = async (db: D1Database, clockSkewSeconds: number) => {
    const { DEV_SECRETS } = await import("../../src/config/dev.ts");
    return { ...env, ...DEV_SECRETS, USERS_DB: db, STS_CONFIG: JSON.stringify({ ...DEV_CONFIG, limits: { clockSkewSeconds } }) };
  };
  const send = async (to: Record<string, unknown>, path: string, init?: RequestInit) => {
    const { createExecutionContext, waitOnExecutionContext } = await import("cloudflare:test");
    const { app } = await import("../../src/http/app.ts");
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request("http://127.0.0.1:8787" + path, init), to, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
  /** The log lines (console.log and console.error) written while `run` runs, parsed. */
  const loggedWhile = async (run: () => Promise<void>) => {
    const lines: string[] = [];
    const keep = (...a: unknown[]) => void lines.push(a.map(String).join(" "));
    vi.spyOn(console, "log").mockImplementation(keep);
    vi.spyOn(console, "error").mockImplementation(keep);
    try {
      await run();
    } finally {
      vi.restoreAllMocks();
    }
    return lines.map((l) => JSON.parse(l) as { event?: string; level?: string; message?: string; failures?: number });
  };
  const METADATA = "/.well-known/oauth-authorization-server";
  /** After failures, the database answers again: the one directory_reachable line that says so. */
  const reachableAgain = async (failing: Record<string, unknown>) => {
    const lines = await loggedWhile(async () => {
      expect((await send({ ...failing, USERS_DB: env.USERS_DB }, METADATA)).status).toBe(200);
    });
    const back = lines.filter((l) => l.event === "directory_reachable");
    expect(back).toHaveLength(1);
    return back[0]!;
  };

  it("stops nothing that needs no directory user: the failure is logged and configured users still sign in", async () => {
    const { envelope } = await import("../helpers/soap.ts");
    const down = await directoryEnv(failingDb("D1_ERROR: the database is unreachable"), 299);
    const lines = await loggedWhile(async () => {
      expect((await send(down, METADATA)).status).toBe(200);
      const e = envelope({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp" });
      expect((await send(down, "/trust/13/usernamemixed", { method: "POST", headers: e.headers, body: e.body })).status).toBe(200);
    });
    const logged = lines.filter((l) => l.event === "directory_unavailable");
    // The first failure at once; the next, a moment later, counted but not logged again.
    expect(logged.length).toBe(1);
    expect(logged[0]?.message).toContain("the database is unreachable");
    // Checked again on the next request, not once and forgotten: once it answers, one line says
    // so and counts every failure (the start-up check's of both requests, the metadata's).
    const back = await reachableAgain(down);
    expect(back).toMatchObject({ level: "info" });
    expect(back.failures).toBeGreaterThanOrEqual(2);
    expect(back.message).toBe(`The user directory (USERS_DB) is reachable again after ${back.failures} failures`);
  });

  it("a sign-in that needs a directory user is refused as the STS's failure, not the password's, and logged without a stack", async () => {
    const { envelope } = await import("../helpers/soap.ts");
    const down = await directoryEnv(failingDb("D1_ERROR: the database is unreachable"), 297);
    const faults: string[] = [];
    const lines = await loggedWhile(async () => {
      for (let i = 0; i < 3; i++) {
        const e = envelope({ user: "dave", password: "directory-pass-1", appliesTo: "urn:example:rp" });
        const res = await send(down, "/trust/13/usernamemixed", { method: "POST", headers: e.headers, body: e.body });
        expect(res.status).toBe(500);
        faults.push(await res.text());
      }
    });
    for (const f of faults) {
      expect(f).toContain("RequestFailed");
      expect(f).toContain("The user directory is unavailable; try again later.");
    }
    const events = lines.map((l) => l.event);
    expect(events).not.toContain("unhandled_error");
    // Three failing requests (a start-up check and a look-up each): at most one line.
    expect(events.filter((e) => e === "directory_unavailable").length).toBeLessThanOrEqual(1);
    // The database answers again: one line says so, counting the look-ups with the rest.
    expect((await reachableAgain(down)).failures).toBeGreaterThanOrEqual(6);
  });

  it("whose schema is behind this version (a migration not applied) is logged with the command that mends it", async () => {
    // What D1 answers when 0003_name_key.sql was never applied.
    const behind = await directoryEnv(failingDb("D1_ERROR: no such column: name_key at offset 17: SQLITE_ERROR"), 298);
    // A working database first (under a configuration of its own: the start-up check runs once
    // per configuration): whatever the tests before left, this failure starts a run and is logged.
    await loggedWhile(async () => void (await send(await directoryEnv(env.USERS_DB, 296), METADATA)));
    const lines = await loggedWhile(async () => {
      expect((await send(behind, METADATA)).status).toBe(200);
    });
    const logged = lines.filter((l) => l.event === "directory_unavailable");
    expect(logged[0]?.message).toBe(
      "The user directory (USERS_DB) could not be checked: D1_ERROR: no such column: name_key at offset 17: SQLITE_ERROR — its schema is older than this version's: apply the migrations (npx wrangler d1 migrations apply USERS_DB --remote)",
    );
  });
});
