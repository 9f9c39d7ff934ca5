/** A presented pairwise token's real subject (src/engine/pairwise.ts), with the development configuration. */
import { describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/validate.ts";
import { DEV_CONFIG, DEV_SECRETS } from "../../src/config/dev.ts";
import { sectorRefusal, statedSubject, userOfPseudonym, withRealSubject } from "../../src/engine/pairwise.ts";
import type { StsContext } from "../../src/engine/types.ts";
import { isNotRenewable, notRenewableId } from "../../src/token/renewability.ts";

const config = validateConfig(DEV_CONFIG, DEV_SECRETS, { mode: "development" });
const ctx = { config, issuer: "http://127.0.0.1:8787" } as unknown as StsContext;
const rp = (id: string) => config.relyingParties.find((r) => r.identifier === id)!;
const PW_API = "https://pairwise-api.example.com/";

describe("withRealSubject", () => {
  it("resolves a pairwise token to its subject, keeping the pseudonym it states", async () => {
    const s = (await statedSubject(ctx, rp(PW_API), "alice"))!;
    const t = await withRealSubject(ctx, { kind: "jwt", id: s.idPart, subject: s.subject, audience: PW_API });
    expect(t).toEqual({ kind: "jwt", id: s.idPart, subject: "alice", audience: PW_API, pairwise: { pseudonym: s.subject, sector: "https://pairwise-api.example.com/sector" } });
    // SAML IDs with their "_" and the not-renewable mark.
    const saml = await withRealSubject(ctx, { kind: "saml2", id: `_nr.${s.idPart}`, subject: s.subject, audience: PW_API });
    expect(saml?.subject).toBe("alice");
  });

  it("reads a jti whose sealed part begins with \"_\" whole (only SAML IDs lose a leading \"_\")", async () => {
    let s = (await statedSubject(ctx, rp(PW_API), "alice"))!;
    for (let i = 0; i < 2000 && !s.idPart.startsWith("_"); i++) s = (await statedSubject(ctx, rp(PW_API), "alice"))!;
    expect(s.idPart.startsWith("_")).toBe(true);
    expect((await withRealSubject(ctx, { kind: "jwt", id: s.idPart, subject: s.subject, audience: PW_API }))?.subject).toBe("alice");
    expect((await withRealSubject(ctx, { kind: "access_token", id: `nr.${s.idPart}`, subject: s.subject, audience: PW_API }))?.subject).toBe("alice");
    // Marked as the minter marks a jti (Allow="false"): in front of the whole sealed part.
    const marked = notRenewableId(s.idPart, false);
    expect(marked).toBe(`nr.${s.idPart}`);
    expect(isNotRenewable(marked)).toBe(true);
    expect((await withRealSubject(ctx, { kind: "jwt", id: marked, subject: s.subject, audience: PW_API }))?.subject).toBe("alice");
    // A jti marked after its "_" (as such tokens were once minted) still resolves, and still reads as not renewable.
    const after = `_nr.${s.idPart.slice(1)}`;
    expect(isNotRenewable(after)).toBe(true);
    expect((await withRealSubject(ctx, { kind: "jwt", id: after, subject: s.subject, audience: PW_API }))?.subject).toBe("alice");
  });

  it("leaves tokens with random IDs as they are", async () => {
    const t = { kind: "jwt", id: "0123456789abcdefghijkl", subject: "alice", audience: "https://api.example.com/" };
    expect(await withRealSubject(ctx, t)).toBe(t);
    const earlier = { kind: "saml2", id: `_nr-${"0".repeat(32)}`, subject: "alice", audience: "urn:example:rp" };
    expect(await withRealSubject(ctx, earlier)).toBe(earlier);
  });

  it("refuses a sealed subject that does not give the stated pseudonym for the token's sector", async () => {
    const s = (await statedSubject(ctx, rp(PW_API), "alice"))!;
    const bob = (await statedSubject(ctx, rp(PW_API), "bob"))!;
    // Another sector's token, another user's pseudonym, another issuer, an unknown audience.
    expect(await withRealSubject(ctx, { kind: "jwt", id: s.idPart, subject: s.subject, audience: "urn:example:pairwise-rp" })).toBeUndefined();
    expect(await withRealSubject(ctx, { kind: "jwt", id: s.idPart, subject: bob.subject, audience: PW_API })).toBeUndefined();
    expect(await withRealSubject({ ...ctx, issuer: "http://localhost:8787" } as StsContext, { kind: "jwt", id: s.idPart, subject: s.subject, audience: PW_API })).toBeUndefined();
    expect(await withRealSubject(ctx, { kind: "jwt", id: s.idPart, subject: s.subject, audience: "urn:nope" })).toBeUndefined();
  });

  it("public relying parties state no pseudonym", async () => {
    expect(await statedSubject(ctx, rp("urn:example:rp"), "alice")).toBeUndefined();
  });
});

describe("userOfPseudonym", () => {
  /** A directory of `names`, read a page at a time as D1 would, counting its queries. */
  function directoryOf(names: string[]) {
    const sorted = names.slice().sort();
    const queries: (string | undefined)[] = [];
    const directory = {
      async names(after: string | undefined, limit: number) {
        queries.push(after);
        return sorted.filter((n) => after === undefined || n > after).slice(0, limit);
      },
    };
    return { ctx: { ...ctx, directory } as unknown as StsContext, queries };
  }
  const SECTOR = "https://pairwise-api.example.com/sector";

  it("finds a configured user, and a directory user on a later page", async () => {
    const names = Array.from({ length: 2500 }, (_, i) => `user-${String(i).padStart(4, "0")}`);
    const { ctx: withDirectory, queries } = directoryOf(names);
    const alice = (await statedSubject(ctx, rp(PW_API), "alice"))!.subject;
    expect(await userOfPseudonym(withDirectory, alice, SECTOR)).toBe("alice");
    expect(queries).toEqual([]);
    const last = (await statedSubject(ctx, rp(PW_API), "user-2499"))!.subject;
    expect(await userOfPseudonym(withDirectory, last, SECTOR)).toBe("user-2499");
    expect(queries).toEqual([undefined, "user-0999", "user-1999"]);
  });

  it("finds nobody for another sector's pseudonym, another issuer's, or a name shaped like a pseudonym", async () => {
    const alice = (await statedSubject(ctx, rp(PW_API), "alice"))!.subject;
    const { ctx: withDirectory } = directoryOf([alice]);
    expect(await userOfPseudonym(withDirectory, alice, "urn:example:sector:pairwise-rp")).toBeUndefined();
    expect(await userOfPseudonym({ ...withDirectory, issuer: "http://localhost:8787" } as StsContext, alice, SECTOR)).toBeUndefined();
    // A user whose name is alice's pseudonym has a pseudonym of its own, not this one.
    const named = (await statedSubject(ctx, rp(PW_API), alice))!.subject;
    expect(await userOfPseudonym(withDirectory, named, SECTOR)).toBe(alice);
    expect(await userOfPseudonym(withDirectory, "A".repeat(43), SECTOR)).toBeUndefined();
  });
});

describe("sectorRefusal", () => {
  const from = { pseudonym: "A".repeat(43), sector: "https://pairwise-api.example.com/sector" };

  it("lets a pairwise token become a token for its own sector only", () => {
    expect(sectorRefusal(from, rp(PW_API), "subject_token")).toBeUndefined();
    expect(sectorRefusal(from, { ...rp("urn:example:pairwise-rp"), sectorIdentifier: from.sector }, "subject_token")).toBeUndefined();
    expect(sectorRefusal(from, rp("urn:example:pairwise-rp"), "subject_token")).toContain("'urn:example:pairwise-rp' is in another sector");
    expect(sectorRefusal(from, rp("https://api.example.com/"), "ActAs token")).toMatch(/^The ActAs token names its subject by a pairwise pseudonym.*public subjects/);
    // A public relying party keeps its identifier as a sector: that is no pairwise sector.
    expect(sectorRefusal({ ...from, sector: "https://api.example.com/" }, rp("https://api.example.com/"), "subject_token")).toBeDefined();
  });

  it("leaves a token that names its subject alone", () => {
    expect(sectorRefusal(undefined, rp("https://api.example.com/"), "subject_token")).toBeUndefined();
  });
});
