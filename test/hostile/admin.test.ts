/**
 * The admin door (`POST /admin/revoke-subject`) under attack, black box over HTTP: it must not
 * tell a user's right password from a wrong one, it applies the failed-authentication limits
 * every other door applies (and shares their counters), it reads its body under the body limit,
 * and it answers a malformed body with a 400 naming the field, never the generic 500.
 */
import { describe, expect, it } from "vitest";
import { envelope } from "../helpers/soap.ts";
import { call, faultCode } from "../helpers/worker.ts";
import { literalBasic, USER_ADMIN } from "../helpers/credentials.ts";

const ADMIN = { user: "sts-admin", password: "sts-admin-secret-5e4d3c2b1a0f9e8d" };
const VALIDATOR = { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" };
const LIMIT = 10; // the default limits.maxFailedAuthPerWindow
const MAX_BODY = 1024 * 1024; // the default limits.maxBodyBytes

let nextAddress = 1;
/** A client address no other test in this file uses (the limits count per address). */
const freshAddress = () => `2001:db8:ad:${(nextAddress++).toString(16)}::1`;

function revoke(body: BodyInit | null, o: { authorization?: string; ip?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json", ...o.headers };
  if (o.authorization !== undefined) headers.authorization = o.authorization;
  if (o.ip !== undefined) headers["cf-connecting-ip"] = o.ip;
  return call("/admin/revoke-subject", { method: "POST", headers, body, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit);
}
const asAdmin = (body: unknown, ip = freshAddress()) => revoke(JSON.stringify(body), { authorization: literalBasic(ADMIN.user, ADMIN.password), ip });

/** Status, every header and the body text: what a caller can compare between two answers. */
async function observable(res: Response): Promise<{ status: number; headers: [string, string][]; body: string }> {
  return { status: res.status, headers: [...res.headers].filter(([k]) => k !== "date"), body: await res.text() };
}

describe("the admin door is not a password oracle", () => {
  it("a user's right password, a wrong one, an unknown name, a service account without revoke-subject: the same 401", async () => {
    const body = JSON.stringify({ subject: "carol" });
    const callers: Record<string, string | undefined> = {
      "alice, right password": literalBasic("alice", "wonderland"),
      "alice, wrong password": literalBasic("alice", "not-wonderland"),
      "unknown name": literalBasic(`nobody-${crypto.randomUUID()}`, "wonderland"),
      "rp-validator, right secret (no revoke-subject)": literalBasic(VALIDATOR.user, VALIDATOR.password),
      "rp-validator, wrong secret": literalBasic(VALIDATOR.user, "rp-validator-secret-wrong"),
      "sts-admin, wrong secret": literalBasic(ADMIN.user, "sts-admin-secret-wrong"),
      "no Authorization header": undefined,
      "a Bearer token": "Bearer abc",
      "malformed Basic": "Basic %%%",
    };
    const seen: Record<string, Awaited<ReturnType<typeof observable>>> = {};
    for (const [name, authorization] of Object.entries(callers)) {
      seen[name] = await observable(await revoke(body, { ...(authorization === undefined ? {} : { authorization }), ip: freshAddress() }));
    }
    const reference = seen["alice, wrong password"]!;
    expect(reference.status).toBe(401);
    expect(JSON.parse(reference.body)).toMatchObject({ error: "authentication_failed" });
    expect(reference.headers).toContainEqual(["www-authenticate", 'Basic realm="sts-admin"']);
    for (const [name, o] of Object.entries(seen)) expect(o, name).toEqual(reference);
  });

  it("the authorized service account still revokes (200)", async () => {
    const res = await asAdmin({ subject: `carol-${crypto.randomUUID()}` });
    expect(res.status).toBe(200);
  });
});

describe("the admin door applies the failed-authentication limits", () => {
  it("the 11th failure for one name is 429 with Retry-After, and then even the right password is refused there", async () => {
    const ip = freshAddress();
    // A user's right password is a failure at this door: counting it too keeps the count from
    // telling right from wrong. (No other test here fails as bob.)
    for (let i = 0; i < LIMIT; i++) {
      const r = await revoke("{}", { authorization: literalBasic("bob", i % 2 ? "builder" : `guess-${i}`), ip });
      expect(r.status, `attempt ${i + 1}`).toBe(401);
    }
    const over = await revoke("{}", { authorization: literalBasic("bob", "guess-x"), ip });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(((await over.json()) as { error: string }).error).toBe("rate_limited");
    const right = await revoke("{}", { authorization: literalBasic("bob", "builder"), ip });
    expect(right.status).toBe(429);
  });

  it("shares its counters with WS-Trust: a name guessed over WS-Trust from an address is refused at the admin door too", async () => {
    const ip = freshAddress();
    const who = `mallory-${crypto.randomUUID()}`;
    for (let i = 0; i <= LIMIT; i++) {
      const e = envelope({ user: who, password: `guess-${i}`, appliesTo: "urn:example:rp" });
      const r = await call("/trust/13/usernamemixed", { method: "POST", headers: { ...e.headers, "cf-connecting-ip": ip }, body: e.body });
      const text = await r.text();
      expect(faultCode(text)).toBe(i < LIMIT ? "wst:FailedAuthentication" : "wst:RequestFailed");
    }
    const r = await revoke("{}", { authorization: literalBasic(who, "guess-admin"), ip });
    expect(r.status).toBe(429);
  });

  it("failures at the admin door count at WS-Trust too", async () => {
    const ip = freshAddress();
    const who = `mallory-${crypto.randomUUID()}`;
    for (let i = 0; i <= LIMIT; i++) await revoke("{}", { authorization: literalBasic(who, `guess-${i}`), ip });
    const e = envelope({ user: who, password: "guess-trust", appliesTo: "urn:example:rp" });
    const r = await call("/trust/13/usernamemixed", { method: "POST", headers: { ...e.headers, "cf-connecting-ip": ip }, body: e.body });
    expect(r.status).toBe(429);
  });
});

describe("the admin door reads its body under the body limit", () => {
  it("a 3 MB chunked body is refused with a JSON 413 after reading little more than the limit", async () => {
    let pulled = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= 3 * 1024 * 1024) return controller.close();
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const res = await revoke(stream, { authorization: literalBasic(ADMIN.user, ADMIN.password), ip: freshAddress() });
    // 413 with the administration API's one 400 code, as its README lists it.
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: "invalid_request", error_description: `The request body exceeds the limit of ${MAX_BODY} bytes.` });
    expect(pulled).toBeLessThan(MAX_BODY + 4 * chunk.byteLength);
  });

  it("a declared Content-Length over the limit is refused without reading", async () => {
    const big = "[" + " ".repeat(MAX_BODY + 10) + "]";
    const res = await revoke(big, { authorization: literalBasic(ADMIN.user, ADMIN.password), ip: freshAddress() });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: "invalid_request", error_description: `The request body exceeds the limit of ${MAX_BODY} bytes.` });
  });
});

describe("malformed bodies get a 400 naming the field, never a 500", () => {
  const cases: [string, string, string][] = [
    ["null", "null", "body"],
    ["an array", "[]", "body"],
    ["an array holding an object", '[{"subject":"alice"}]', "body"],
    ["a string", '"alice"', "body"],
    ["a number", "42", "body"],
    ["not JSON", "{subject: alice}", "body"],
    ["empty", "", "body"],
    ["no subject", "{}", "subject"],
    ["a numeric subject", '{"subject": 5}', "subject"],
    ["an object subject", '{"subject": {"toString": "alice"}}', "subject"],
    ["an array subject", '{"subject": ["alice"]}', "subject"],
    ["an empty subject", '{"subject": ""}', "subject"],
    ["a 2,000-character subject", JSON.stringify({ subject: "a".repeat(2000) }), "subject"],
    ["a year the runtime cannot hold", '{"subject": "alice", "before": "+275760-09-13T00:00:00.001Z"}', "before"],
    ["year 300000", '{"subject": "alice", "before": "+300000-01-01T00:00:00Z"}', "before"],
    ["year 300000 unsigned", '{"subject": "alice", "before": "300000-01-01T00:00:00Z"}', "before"],
    ["a day the calendar does not have", '{"subject": "alice", "before": "2020-02-30T00:00:00Z"}', "before"],
    ["a time zone past ±14:00", '{"subject": "alice", "before": "2020-02-01T00:00:00-23:59"}', "before"],
    ["the runtime's earliest date", '{"subject": "alice", "before": "-271821-04-20T00:00:00.000Z"}', "before"],
    ["a number of milliseconds", '{"subject": "alice", "before": 1700000000000}', "before"],
    ["a huge number", '{"subject": "alice", "before": 1e300}', "before"],
    ["null before", '{"subject": "alice", "before": null}', "before"],
    ["a bare year", '{"subject": "alice", "before": "5"}', "before"],
    ["a date without a time", '{"subject": "alice", "before": "2020-01-01"}', "before"],
    ["a date in words", '{"subject": "alice", "before": "Jan 1 2020"}', "before"],
    ["an object before", '{"subject": "alice", "before": {}}', "before"],
    ["the future", '{"subject": "alice", "before": "2999-01-01T00:00:00Z"}', "before"],
    ["a subject and a pseudonym", `{"subject": "alice", "pseudonym": "${"A".repeat(43)}", "sector": "urn:x"}`, "subject"],
    ["a subject with a relying party", '{"subject": "alice", "relying_party": "urn:example:pairwise-rp"}', "relying_party"],
    ["a subject with a sector", '{"subject": "alice", "sector": "urn:example:sector:pairwise-rp"}', "sector"],
    ["a pseudonym of 42 characters", `{"pseudonym": "${"A".repeat(42)}", "sector": "urn:x"}`, "pseudonym"],
    ["a pseudonym that is no base64url", `{"pseudonym": "${"A".repeat(42)}=", "sector": "urn:x"}`, "pseudonym"],
    ["a numeric pseudonym", '{"pseudonym": 5, "sector": "urn:x"}', "pseudonym"],
    ["a pseudonym alone", `{"pseudonym": "${"A".repeat(43)}"}`, "pseudonym"],
    ["a pseudonym with a relying party and a sector", `{"pseudonym": "${"A".repeat(43)}", "relying_party": "urn:x", "sector": "urn:x"}`, "pseudonym"],
    ["an empty sector", `{"pseudonym": "${"A".repeat(43)}", "sector": ""}`, "sector"],
    ["a numeric relying party", `{"pseudonym": "${"A".repeat(43)}", "relying_party": 7}`, "relying_party"],
    // Which of two subjects a JSON parser keeps differs between parsers (RFC 8259 §4).
    ["a subject given twice", '{"subject": "alice", "subject": "bob"}', "subject"],
  ];
  for (const [name, body, field] of cases) {
    it(`${name} → 400 naming '${field}'`, async () => {
      const res = await revoke(body, { authorization: literalBasic(ADMIN.user, ADMIN.password), ip: freshAddress() });
      const text = await res.text();
      expect(res.status, text).toBe(400);
      const json = JSON.parse(text) as { error: string; error_description: string };
      expect(json.error).toBe("invalid_request");
      expect(json.error_description).toContain(`'${field}'`);
      expect(res.headers.get("cache-control")).toBe("no-store");
    });
  }

  it("a body that does not say it is JSON (what a page elsewhere can send without asking) is refused, and creates no user", async () => {
    const subject = `carol-${crypto.randomUUID()}`;
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""]) {
      const res = await revoke(JSON.stringify({ subject }), { authorization: literalBasic(ADMIN.user, ADMIN.password), ip: freshAddress(), headers: { "content-type": type } });
      expect(res.status, type).toBe(400);
      expect(((await res.json()) as { error_description: string }).error_description).toContain("Content-Type: application/json");
    }
    const users = await call("/admin/users", { method: "POST", headers: { authorization: USER_ADMIN, "content-type": "text/plain" }, body: JSON.stringify({ username: subject, password: "long-enough-1" }) });
    expect(users.status).toBe(400);
    expect((await call(`/admin/users/${subject}`, { headers: { authorization: USER_ADMIN } })).status).toBe(404);
    const ok = await asAdmin({ subject });
    expect(ok.status).toBe(200);
  });

  it("a well-formed before in the past is accepted, and answered in the canonical form", async () => {
    const res = await asAdmin({ subject: `carol-${crypto.randomUUID()}`, before: "2020-01-01T01:00:00+01:00" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { revoked_before: string }).revoked_before).toBe("2020-01-01T00:00:00.000Z");
    // RFC 3339 §5.6 NOTE: "T" and "Z" may be lower case.
    for (const before of ["2020-01-01t01:00:00+01:00", "2020-01-01t00:00:00z", "2020-01-01T00:00:00z"]) {
      const lower = await asAdmin({ subject: `carol-${crypto.randomUUID()}`, before });
      expect(lower.status, before).toBe(200);
      expect(((await lower.json()) as { revoked_before: string }).revoked_before, before).toBe("2020-01-01T00:00:00.000Z");
    }
  });

  it("a before with digits past the millisecond revokes a token stated as issued in that millisecond", async () => {
    const revokedBefore = async (before: string) => {
      const res = await asAdmin({ subject: `carol-${crypto.randomUUID()}`, before });
      expect(res.status, before).toBe(200);
      return ((await res.json()) as { revoked_before: string }).revoked_before;
    };
    // An IssueInstant of .123 is earlier than .1234: the cut-off must be past it.
    expect(await revokedBefore("2020-01-01T00:00:00.1234Z")).toBe("2020-01-01T00:00:00.124Z");
    expect(await revokedBefore("2020-01-01T00:00:00.000000001Z")).toBe("2020-01-01T00:00:00.001Z");
    expect(await revokedBefore("2020-01-01T00:00:00.123000000Z")).toBe("2020-01-01T00:00:00.123Z");
  });
});
