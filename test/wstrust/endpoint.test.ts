import { afterEach, describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:test";
import { getContext } from "../../src/http/context.ts";
import { handleTrustRequest, type TrustDeps } from "../../src/wstrust/endpoint.ts";
import { TRUST_ENDPOINT_LIST } from "../../src/wstrust/endpoints.ts";
import { NS, envelope } from "../helpers/soap.ts";

afterEach(() => vi.restoreAllMocks());

describe("handleTrustRequest", () => {
  it("turns an unexpected exception into a SOAP Receiver fault in the caller's version, with the detail only in the log", async () => {
    const logged: string[] = [];
    vi.spyOn(console, "error").mockImplementation((s: unknown) => void logged.push(String(s)));
    const ctx = await getContext(env as never, "http://127.0.0.1:8787/trust/13/usernamemixed");
    const boom = async () => {
      throw new TypeError("secret internal detail");
    };
    // State whose every call fails as a bug would: the UsernameToken's Nonce reaches it first.
    const state = new Proxy({}, { get: () => boom }) as TrustDeps["state"];
    const deps: TrustDeps = { state, clientAddress: undefined };
    const m = envelope({
      user: "rp-validator",
      password: "rp-validator-secret-0f1e2d3c4b5a6978",
      nonce: btoa("nonce-1"),
      created: new Date().toISOString(),
      requestType: "Validate",
      extra: "<wst:ValidateTarget><x/></wst:ValidateTarget>",
    });
    const reply = await handleTrustRequest(ctx, deps, async () => new TextEncoder().encode(m.body), m.headers["content-type"]!, TRUST_ENDPOINT_LIST[0]!);
    expect(reply.status).toBe(500);
    expect(reply.body).toContain(`<s:Envelope xmlns:s="${NS.s12}"`);
    expect(reply.body).toContain("<s:Value>s:Receiver</s:Value>");
    expect(reply.body).toContain("wst:RequestFailed");
    expect(reply.body).not.toContain("secret internal detail");
    expect(logged.join("\n")).toContain("secret internal detail");
  });
});
