/**
 * Every failed authentication at one door costs the same work, so response time does not tell
 * a service account from a user or from a name that does not exist. Measured by counting
 * PBKDF2 derivations and their iteration counts (spying on WebCrypto in the worker's own
 * isolate), never by the clock.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:test";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { resetConfigCache } from "../../src/config/load.ts";
import { app } from "../../src/http/app.ts";
import { hashPassword } from "../../src/identity/password.ts";
import { UserDirectory } from "../../src/state/directory.ts";
import { envelope } from "../helpers/soap.ts";
import { call, faultCode } from "../helpers/worker.ts";
import { literalBasic, USER_ADMIN } from "../helpers/credentials.ts";

const ADMIN = { user: "sts-admin", password: "sts-admin-secret-5e4d3c2b1a0f9e8d" };
const VALIDATOR = { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" };

let nextAddress = 1;
/** A fresh client address per request: these tests are about cost, not about the limits. */
const freshAddress = () => `2001:db8:c0:${(nextAddress++).toString(16)}::1`;

/** The iteration counts of the PBKDF2 derivations `run` makes. */
async function derivationsOf(run: () => Promise<Response>): Promise<{ status: number; text: string; iterations: number[] }> {
  const spy = vi.spyOn(crypto.subtle, "deriveBits");
  try {
    const res = await run();
    const text = await res.text();
    const iterations = spy.mock.calls
      .map(([alg]) => alg as { name?: string; iterations?: number })
      .filter((a) => a.name === "PBKDF2")
      .map((a) => a.iterations!);
    return { status: res.status, text, iterations };
  } finally {
    spy.mockRestore();
  }
}

function issue(user: string, password: string, via: (r: Request) => Promise<Response> = (r) => call(new URL(r.url).pathname, r)): Promise<Response> {
  const e = envelope({ user, password, appliesTo: "urn:example:rp" });
  return via(new Request("http://127.0.0.1:8787/trust/13/usernamemixed", { method: "POST", headers: { ...e.headers, "CF-Connecting-IP": freshAddress() }, body: e.body }));
}

/** The status of `run`'s answer and how many times it read the user directory. */
async function reads(run: () => Promise<Response>): Promise<[number, number]> {
  const spy = vi.spyOn(UserDirectory.prototype, "get");
  try {
    const res = await run();
    await res.text();
    return [res.status, spy.mock.calls.length];
  } finally {
    spy.mockRestore();
  }
}

function revoke(user: string, password: string): Promise<Response> {
  return call("/admin/revoke-subject", {
    method: "POST",
    headers: { authorization: literalBasic(user, password), "content-type": "application/json", "CF-Connecting-IP": freshAddress() },
    body: JSON.stringify({ subject: `carol-${crypto.randomUUID()}` }),
  });
}

afterEach(() => {
  resetConfigCache();
  vi.restoreAllMocks();
});

describe("WS-Trust UsernameToken: one derivation of the users' cost for every failure", () => {
  it("a wrong service-account secret, a wrong user password and an unknown name each cost one 100,000-iteration derivation", async () => {
    const cases = {
      "service account, wrong secret": () => issue(VALIDATOR.user, "rp-validator-secret-wrong"),
      "admin service account, wrong secret": () => issue(ADMIN.user, "sts-admin-secret-wrong"),
      "user, wrong password": () => issue("alice", "not-wonderland"),
      "unknown name": () => issue(`nobody-${crypto.randomUUID()}`, "wonderland"),
    };
    for (const [name, run] of Object.entries(cases)) {
      const r = await derivationsOf(run);
      expect(r.status, name).toBe(400);
      expect(r.iterations, name).toEqual([100_000]);
    }
  });

  it("a service account's right secret is not slowed: no derivation", async () => {
    const r = await derivationsOf(() => issue(VALIDATOR.user, VALIDATOR.password));
    // Authenticated (a service account may not Issue for itself, which is another fault).
    expect(faultCode(r.text)).toBe("wst:RequestFailed");
    expect(r.iterations).toEqual([]);
  });
});

describe("every failure reads the directory once, so its time does not tell which names are configured", () => {
  it("a configured user's, a service account's, a directory user's and an unknown name's failure: one directory read each; a configured user's success: none", async () => {
    for (const [name, run] of Object.entries({
      "configured user, wrong password": () => issue("alice", "not-wonderland"),
      "service account, wrong secret": () => issue(VALIDATOR.user, "rp-validator-secret-wrong"),
      "directory user, wrong password": () => issue("dave", "directory-pass-2"),
      "unknown name": () => issue(`nobody-${crypto.randomUUID()}`, "wonderland"),
    })) {
      expect(await reads(run), name).toEqual([400, 1]);
    }
    expect(await reads(() => issue("alice", "wonderland"))).toEqual([200, 0]);
  });

  it("at the admin door a configured user's right password, refused, reads the directory as a wrong one does", async () => {
    for (const [name, run] of Object.entries({
      "configured user, right password": () => revoke("alice", "wonderland"),
      "configured user, wrong password": () => revoke("alice", "not-wonderland"),
      "directory user, right password": () => revoke("dave", "directory-pass-1"),
      "unknown name": () => revoke(`nobody-${crypto.randomUUID()}`, "wonderland"),
    })) {
      expect(await reads(run), name).toEqual([401, 1]);
    }
  });
});

describe("directory users (D1) cost what configured users cost", () => {
  it("a directory user's wrong password, a disabled directory user's right one: one 100,000-iteration derivation, the same fault", async () => {
    const disabled = `disabled-${crypto.randomUUID().slice(0, 8)}`;
    const made = await call("/admin/users", {
      method: "POST",
      headers: { authorization: USER_ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ username: disabled, password: "right-password-1", enabled: false }),
    });
    expect(made.status).toBe(201);
    const unknown = await derivationsOf(() => issue(`nobody-${crypto.randomUUID()}`, "wonderland"));
    for (const [name, run] of Object.entries({
      "directory user, wrong password": () => issue("dave", "directory-pass-2"),
      "disabled directory user, right password": () => issue(disabled, "right-password-1"),
    })) {
      const r = await derivationsOf(run);
      expect(r.iterations, name).toEqual([100_000]);
      expect(r.text, name).toBe(unknown.text);
    }
    const dave = await derivationsOf(() => issue("dave", "directory-pass-1"));
    expect(dave.status).toBe(200);
    expect(dave.iterations).toEqual([100_000]);
  });
});

describe("the admin door: every caller it does not admit costs one derivation, as a wrong password does", () => {
  it("right and wrong user passwords, unknown names, service accounts without the operation, wrong admin secrets", async () => {
    const cases = {
      "user, right password": () => revoke("alice", "wonderland"),
      "user, wrong password": () => revoke("alice", "not-wonderland"),
      "unknown name": () => revoke(`nobody-${crypto.randomUUID()}`, "x"),
      "service account without revoke-subject, right secret": () => revoke(VALIDATOR.user, VALIDATOR.password),
      "service account without revoke-subject, wrong secret": () => revoke(VALIDATOR.user, "wrong"),
      "admin, wrong secret": () => revoke(ADMIN.user, "wrong"),
    };
    for (const [name, run] of Object.entries(cases)) {
      const r = await derivationsOf(run);
      expect(r.status, name).toBe(401);
      expect(r.iterations, name).toEqual([100_000]);
    }
    const admin = await derivationsOf(() => revoke(ADMIN.user, ADMIN.password));
    expect(admin.status).toBe(200);
    expect(admin.iterations).toEqual([]);
  });
});

describe("the stand-in derivation has the iteration count most users have", () => {
  it("with users hashed at 20,000 (and one at 30,000), an unknown name and a wrong service secret derive 20,000 times", async () => {
    const hashes = {
      U1_PW: await hashPassword("one", { iterations: 20_000 }),
      U2_PW: await hashPassword("two", { iterations: 20_000 }),
      U3_PW: await hashPassword("three", { iterations: 30_000 }),
    };
    const config = {
      ...DEV_CONFIG,
      users: [
        { username: "u1", passwordHashSecret: "U1_PW" },
        { username: "u2", passwordHashSecret: "U2_PW" },
        { username: "u3", passwordHashSecret: "U3_PW" },
      ],
      // Its certificate principal (alice) is not among these users.
      requestorCertificates: undefined,
    };
    const bindings = { ...env, ...DEV_SECRETS, ...hashes, STS_CONFIG: JSON.stringify(config) };
    const exec = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    const via = (r: Request) => Promise.resolve(app.fetch(r, bindings, exec));
    expect((await derivationsOf(() => issue("u1", "one", via))).iterations).toEqual([20_000]);
    expect((await derivationsOf(() => issue("u1", "wrong", via))).iterations).toEqual([20_000]);
    expect((await derivationsOf(() => issue(`nobody-${crypto.randomUUID()}`, "one", via))).iterations).toEqual([20_000]);
    expect((await derivationsOf(() => issue(VALIDATOR.user, "wrong", via))).iterations).toEqual([20_000]);
    // A user hashed with another count answers in another time: the documented reason to hash
    // every password with the same count.
    expect((await derivationsOf(() => issue("u3", "wrong", via))).iterations).toEqual([30_000]);
  });
});
