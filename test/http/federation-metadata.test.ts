/**
 * Federation metadata as the WS-Federation readers that import it see it: what each role
 * offers, in the form they accept.
 */
import { describe, expect, it } from "vitest";
import { DOMParser } from "@xmldom/xmldom";
import { DEV_CONFIG } from "../../src/config/dev.ts";
import { workerWith } from "../hostile/configured.ts";
import { byTag } from "../helpers/worker.ts";

const AUTH = "http://docs.oasis-open.org/wsfed/authorization/200706";
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
    const uris = await claimTypeUris(withAlice({ department: "Research", "urn:example:claims:badge": "42" }));
    expect(uris).toContain("urn:example:claims:badge");
    expect(uris).toContain("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress");
    expect(uris).not.toContain("department");
    for (const uri of uris) expect(uri).toMatch(/^[A-Za-z][A-Za-z0-9+.-]*:\S/);
  });
});
