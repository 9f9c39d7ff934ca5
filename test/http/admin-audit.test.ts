import { afterEach, describe, expect, it, vi } from "vitest";
import { NS, TT } from "../helpers/soap.ts";
import { call, trust } from "../helpers/worker.ts";
import { literalBasic, STS_ADMIN } from "../helpers/credentials.ts";

const validator = { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" };

async function issueFor(user: string, password: string): Promise<string> {
  const r = await trust({ user, password, appliesTo: "urn:example:rp", tokenType: TT.saml2 });
  return /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(r.text)![0];
}
async function status(tok: string): Promise<string> {
  const r = await trust({ ...validator, requestType: "Validate", tokenType: `${NS.t13}/RSTR/Status`, extra: `<wst:ValidateTarget>${tok}</wst:ValidateTarget>` });
  return /<wst:Code>[^<]*status\/(\w+)<\/wst:Code>/.exec(r.text)![1]!;
}
function revoke(body: unknown, auth = STS_ADMIN) {
  return call("/admin/revoke-subject", { method: "POST", headers: { authorization: auth, "content-type": "application/json" }, body: JSON.stringify(body) });
}

describe("administrative subject revocation", () => {
  it("revokes every token alice holds, issued before now, with one call; bob's stay valid; new ones work", async () => {
    const a1 = await issueFor("alice", "wonderland");
    const a2 = await issueFor("alice", "wonderland");
    const b1 = await issueFor("bob", "builder");
    await new Promise((r) => setTimeout(r, 5));
    const res = await revoke({ subject: "alice" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { subject: string }).subject).toBe("alice");
    expect(await status(a1)).toBe("invalid");
    expect(await status(a2)).toBe("invalid");
    expect(await status(b1)).toBe("valid");
    await new Promise((r) => setTimeout(r, 5));
    expect(await status(await issueFor("alice", "wonderland"))).toBe("valid");
  });

  it("refuses callers without the revoke-subject operation as it refuses a wrong secret (test/hostile/admin.test.ts)", async () => {
    expect((await revoke({ subject: "alice" }, literalBasic(validator.user, validator.password))).status).toBe(401);
    const r = await revoke({ subject: "alice" }, literalBasic("sts-admin", "wrong"));
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toContain("Basic");
    expect((await revoke({ subject: "alice" }, "")).status).toBe(401);
  });

  it("refuses bad bodies with 400", async () => {
    expect((await revoke({})).status).toBe(400);
    expect((await revoke({ subject: "alice", before: "2999-01-01T00:00:00Z" })).status).toBe(400);
  });
});

describe("audit log", () => {
  afterEach(() => vi.restoreAllMocks());

  it("writes one JSON line per operation, with a token ID hash and no secrets", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((s: unknown) => void lines.push(String(s)));
    const ok = await trust({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp" });
    const bad = await trust({ user: "alice", password: "not-her-password", appliesTo: "urn:example:rp" });
    expect(ok.status).toBe(200);
    expect(bad.status).toBe(400);
    const audit = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.event === "audit");
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ operation: "wstrust.issue", requestor: "alice", subject: "alice", target: "urn:example:rp", result: "success", status: 200 });
    expect(audit[0]!.token_id_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(typeof audit[0]!.duration_ms).toBe("number");
    expect(audit[1]).toMatchObject({ operation: "wstrust.issue", requestor: "alice", result: "failure", error: "authentication_failed" });
    const all = lines.join("\n");
    expect(all).not.toContain("wonderland");
    expect(all).not.toContain("not-her-password");
    expect(all).not.toContain("<saml:Assertion");
    const tokenId = /ID="(_[0-9a-f]+)"/.exec(ok.text)![1]!;
    expect(all).not.toContain(tokenId);
  });
});
