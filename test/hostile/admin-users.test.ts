/**
 * `/admin/users` under hostile input: every malformed request is a 400 naming what is wrong (or
 * the body limit's 413), never a 500 and never a change to what is stored; markup sent in is
 * never echoed unescaped as HTML; the per-account request rate holds.
 */
import { describe, expect, it } from "vitest";
import { ADMIN_REQUESTS_PER_MINUTE } from "../../src/admin/door.ts";
import { DEV_CONFIG } from "../../src/config/dev.ts";
import { call } from "../helpers/worker.ts";
import { workerWith } from "./configured.ts";
import { USER_ADMIN as ADMIN } from "../helpers/credentials.ts";

const fresh = () => `h-${crypto.randomUUID().slice(0, 8)}`;

function admin(path: string, method = "GET", body?: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return call(path, { method, headers: { authorization: ADMIN, "content-type": "application/json", ...headers }, ...(body === undefined ? {} : { body }) });
}

describe("hostile bodies and paths", () => {
  it("malformed JSON, wrong types, deep nesting, huge claims, bad UTF-8: 400 and nothing stored", async () => {
    const name = fresh();
    const deep = "[".repeat(5000) + "]".repeat(5000);
    const bodies: BodyInit[] = [
      "",
      "null",
      "[]",
      `{"username": "${name}", "password": ${deep}}`,
      JSON.stringify({ username: name, password: "long-enough-1", claims: { role: Array.from({ length: 65 }, (_, i) => `r${i}`) } }),
      JSON.stringify({ username: name, password: "long-enough-1", claims: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`c${i}`, "v"])) }),
      JSON.stringify({ username: name, password: "long-enough-1", claims: { role: "x".repeat(1025) } }),
      JSON.stringify({ username: name, password: "long-enough-1", claims: { ["__proto__"]: "x" } }),
      JSON.stringify({ username: name, password: "x".repeat(1025) }),
      JSON.stringify({ username: "a".repeat(257), password: "long-enough-1" }),
      JSON.stringify({ username: "cafe\u0301", password: "long-enough-1" }),
      JSON.stringify({ username: name, password: "long-enough-1", enabled: "yes" }),
      // An unpaired surrogate (valid JSON, no UTF-8 form): as a claim name and as a username.
      `{"username": "${name}", "password": "long-enough-1", "claims": {"dept\\ud800": "x"}}`,
      `{"username": "${name}\\udc00", "password": "long-enough-1"}`,
      new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    ];
    for (const body of bodies) {
      const res = await admin("/admin/users", "POST", body);
      const text = await res.text();
      expect(res.status, String(body).slice(0, 80)).toBe(400);
      expect(JSON.parse(text).error).toBe("invalid_request");
    }
    expect((await admin(`/admin/users/${name}`)).status).toBe(404);
  });

  it("a member named twice in one object is 400 naming it, and nothing is stored or changed", async () => {
    // JSON.parse would keep the last value; a gateway or a log in front may read the first.
    const name = fresh();
    const created = await admin("/admin/users", "POST", `{"username": "${fresh()}", "username": "${name}", "password": "long-enough-1"}`);
    expect(created.status).toBe(400);
    expect(await created.json()).toEqual({ error: "invalid_request", error_description: "The body names 'username' more than once in one object; send each field once." });
    expect((await admin(`/admin/users/${name}`)).status).toBe(404);
    expect((await admin("/admin/users", "POST", JSON.stringify({ username: name, password: "long-enough-1" }))).status).toBe(201);
    for (const body of ['{"enabled": false, "enabled": true}', '{"claims": {"role": ["user"], "role": ["admin"]}}']) {
      const res = await admin(`/admin/users/${name}`, "PATCH", body);
      expect(res.status, body).toBe(400);
      expect(((await res.json()) as { error: string }).error, body).toBe("invalid_request");
    }
    expect(await (await admin(`/admin/users/${name}`)).json()).toMatchObject({ user: { enabled: true, claims: {} } });
  });

  it("a body over the limit is refused before it is read whole", async () => {
    const res = await admin("/admin/users", "POST", JSON.stringify({ username: fresh(), password: "x".repeat(2 * 1024 * 1024) }));
    // 413, with the code every 400 of the administration API has (README), not WS-Trust's BadRequest.
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: "invalid_request", error_description: "The request body exceeds the limit of 1048576 bytes." });
  });

  it("hostile names in the path: 400 naming the path, never a 500", async () => {
    for (const p of ["%00", "a%0Ab", "..%2F..%2Fetc", "%3Cscript%3E", "a".repeat(300), "%FF%FE", "urn%3Ax%23alice"]) {
      const res = await admin(`/admin/users/${p}`);
      expect(res.status, p).toBe(400);
      const text = await res.text();
      expect(text).not.toContain("<script>");
      expect(JSON.parse(text).error_description).toContain("username (path)");
    }
  });

  it("markup in a claim is stored as text and answered as JSON, never as HTML", async () => {
    const name = fresh();
    const res = await admin("/admin/users", "POST", JSON.stringify({ username: name, password: "long-enough-1", claims: { display_name: "<img src=x onerror=alert(1)>" } }));
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(((await res.json()) as { user: { claims: Record<string, string[]> } }).user.claims.display_name).toEqual(["<img src=x onerror=alert(1)>"]);
  });

  it("PATCH with nothing to change, or with unknown fields, is 400 and changes nothing", async () => {
    const name = fresh();
    await admin("/admin/users", "POST", JSON.stringify({ username: name, password: "long-enough-1", claims: { role: "user" } }));
    for (const body of [{}, { password: "new-password-1" }, { enabled: 0 }, { claims: ["role"] }, { revokeTokens: "yes" }]) {
      const res = await admin(`/admin/users/${name}`, "PATCH", JSON.stringify(body));
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const { user } = (await (await admin(`/admin/users/${name}`)).json()) as { user: { enabled: boolean; claims: unknown } };
    expect(user).toMatchObject({ enabled: true, claims: { role: ["user"] } });
  });

  it("PATCH cannot grow claims past the bounds create keeps, nor add a claim named __proto__", async () => {
    const name = fresh();
    const many = (prefix: string, n: number, value: string | string[] = "v") => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, value]));
    expect((await admin("/admin/users", "POST", JSON.stringify({ username: name, password: "long-enough-1", claims: many("c", 60) }))).status).toBe(201);
    // Each patch is within the bounds alone; merged, the names pass 64 or the JSON passes 32 KiB.
    const tooMany = await admin(`/admin/users/${name}`, "PATCH", JSON.stringify({ claims: many("d", 5), enabled: false }));
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { error_description: string }).error_description).toMatch(/'claims' as merged would hold more than 64 claims/);
    const bulky = { claims: { c0: Array.from({ length: 20 }, () => "x".repeat(1000)), c1: Array.from({ length: 20 }, () => "y".repeat(1000)) } };
    expect((await admin(`/admin/users/${name}`, "PATCH", JSON.stringify(bulky))).status).toBe(400);
    expect((await admin(`/admin/users/${name}`, "PATCH", JSON.stringify({ claims: { ["__proto__"]: ["x"] } }))).status).toBe(400);
    // Nothing of a refused patch is kept, its enabled: false included; a patch that also removes enough is fine.
    const { user } = (await (await admin(`/admin/users/${name}`)).json()) as { user: { enabled: boolean; claims: Record<string, string[]> } };
    expect(user.enabled).toBe(true);
    expect(Object.keys(user.claims).sort()).toEqual(Object.keys(many("c", 60)).sort());
    const swap = { claims: { ...many("d", 5), c0: null, c1: null, c2: null, c3: null, c4: null } };
    const ok = await admin(`/admin/users/${name}`, "PATCH", JSON.stringify(swap));
    expect(ok.status).toBe(200);
    expect(Object.keys(((await ok.json()) as { user: { claims: object } }).user.claims)).toHaveLength(60);
  });
});

describe("the request rate per account", () => {
  it(`after ${ADMIN_REQUESTS_PER_MINUTE} requests in a minute: 429 with Retry-After`, async () => {
    // An account of its own, so that no other test's calls count against it or are refused.
    const f = workerWith({
      ...DEV_CONFIG,
      serviceAccounts: [...(DEV_CONFIG.serviceAccounts ?? []), { username: "rate-admin", secretHashSecret: "DEV_USER_ADMIN_SECRET_HASH", allowedRelyingParties: [], operations: ["manage-users"] }],
    });
    const authorization = "Basic " + btoa("rate-admin:user-admin-secret-7a6b5c4d3e2f1a0b");
    let limited: Response | undefined;
    let served = 0;
    for (let i = 0; i <= ADMIN_REQUESTS_PER_MINUTE + 1 && !limited; i++) {
      const res = await f("/admin/users?limit=1", { headers: { authorization } });
      if (res.status === 429) limited = res;
      else {
        expect(res.status).toBe(200);
        served++;
        await res.body?.cancel();
      }
    }
    expect(limited).toBeDefined();
    // A minute's window can turn during the loop; within one window exactly the limit is served.
    expect(served).toBeGreaterThanOrEqual(ADMIN_REQUESTS_PER_MINUTE);
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await limited!.json()) as { error: string }).error).toBe("rate_limited");
  });
});
