/**
 * Federation metadata as the WS-Federation readers that import it see it: what each role
 * offers, in the form they accept.
 */
import { describe, expect, it } from "vitest";
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { DOMParser } from "@xmldom/xmldom";
import { app } from "../../src/http/app.ts";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { workerWith } from "../hostile/configured.ts";
import { byTag } from "../helpers/worker.ts";

const AUTH = "http://docs.oasis-open.org/wsfed/authorization/200706";
const FED = "http://docs.oasis-open.org/wsfed/federation/200706";
const METADATA = "/FederationMetadata/2007-06/FederationMetadata.xml";

const withAlice = (claims: Record<string, string | string[]>) => ({
  ...DEV_CONFIG,
  users: (DEV_CONFIG.users ?? []).map((u) => (u.username === "alice" ? { ...u, claims: { ...u.claims, ...claims } } : u)),
});

async function claimTypeUris(config: object): Promise<string[]> {
  const res = await workerWith(config)(METADATA);
  expect(res.status).toBe(200);
  const doc = new DOMParser().parseFromString(await res.text(), "text/xml");
  return byTag(doc, AUTH, "ClaimType").map((c) => c.getAttribute("Uri")!);
}

describe("fed:ClaimTypesOffered", () => {
  it("offers only claim types named by an absolute URI: WIF's reader (AD FS) refuses the whole document for one that is not", async () => {
    const uris = await claimTypeUris(withAlice({ department: "Research", "urn:example:claims:badge": "42", "http://example.com/claims/cost center": "7" }));
    expect(uris).toContain("urn:example:claims:badge");
    expect(uris).toContain("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress");
    expect(uris).not.toContain("department");
    // A scheme then a space is no URI (its SAML attribute says NameFormat unspecified too).
    expect(uris).not.toContain("http://example.com/claims/cost center");
    for (const uri of uris) expect(uri).toMatch(/^[A-Za-z][A-Za-z0-9+.-]*:\S/);
  });
});

describe("fed:TokenTypesOffered", () => {
  const tokenTypes = async (config: object) => {
    const doc = new DOMParser().parseFromString(await (await workerWith(config)(METADATA)).text(), "text/xml");
    return byTag(doc, FED, "TokenType").map((t) => t.getAttribute("Uri"));
  };

  it("offers every type some relying party accepts, the RFC 9068 access token among them, since WS-Trust issues it", async () => {
    expect(await tokenTypes(DEV_CONFIG)).toEqual([
      "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0",
      "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1",
      "urn:ietf:params:oauth:token-type:jwt",
      "urn:ietf:params:oauth:token-type:access_token",
    ]);
  });

  it("offers no type that no relying party accepts", async () => {
    const samlOnly = { ...DEV_CONFIG, relyingParties: DEV_CONFIG.relyingParties.map((p) => ({ ...p, defaultTokenType: "saml2", tokenTypes: ["saml2"] })) };
    expect(await tokenTypes(samlOnly)).toEqual(["http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0"]);
  });
});

describe("the document is built once per configuration, keys, address and directory claims", () => {
  const idOf = (xml: string) => /<md:EntityDescriptor [^>]*\bID="([^"]+)"/.exec(xml)?.[1];

  it("serves the same signed document again rather than walking every relying party and signing per request", async () => {
    const worker = workerWith(withAlice({ department: "Research" }));
    const first = await (await worker(METADATA)).text();
    const again = await (await worker(METADATA)).text();
    expect(idOf(first)).toBeDefined();
    expect(again).toBe(first);
    // The lower-case address AD FS also answers is the same document.
    expect(await (await worker(METADATA.toLowerCase())).text()).toBe(first);
  });

  it("builds another for another configuration, and for another address", async () => {
    const one = await (await workerWith(withAlice({ department: "Research" }))(METADATA)).text();
    const other = await (await workerWith(withAlice({ "urn:example:claims:badge": "42" }))(METADATA)).text();
    expect(idOf(other)).not.toBe(idOf(one));
    expect(other).toContain('Uri="urn:example:claims:badge"');
    const config = { ...withAlice({ department: "Research" }) };
    const customEnv = { ...env, ...DEV_SECRETS, STS_CONFIG: JSON.stringify(config) };
    const at = async (origin: string) => {
      const ctx = createExecutionContext();
      const res = await app.fetch(new Request(origin + METADATA), customEnv, ctx);
      await waitOnExecutionContext(ctx);
      return res.text();
    };
    const here = await at("http://127.0.0.1:8787");
    const there = await at("http://sts.localhost:8787");
    expect(there).toContain("<wsa:Address>http://sts.localhost:8787/trust/13/");
    expect(there).not.toContain("127.0.0.1");
    expect(here).toContain("<wsa:Address>http://127.0.0.1:8787/trust/13/");
    expect(await at("http://127.0.0.1:8787")).toBe(here);
  });
});
