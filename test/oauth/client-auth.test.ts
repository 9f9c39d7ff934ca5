/**
 * Reading the Authorization header for client authentication (src/oauth/client-auth.ts): the
 * last header read is remembered by its exact text, so the result must be the same as a fresh
 * read, frozen, and never leak from one header to another.
 */
import { describe, expect, it } from "vitest";
import { readAuthorization } from "../../src/oauth/client-auth.ts";
import { DEMO, literalBasic } from "../helpers/credentials.ts";


describe("readAuthorization", () => {
  it("decodes Basic credentials (RFC 6749 §2.3.1 form-decoding) and answers the same header the same way again", () => {
    const h = literalBasic("demo%2Dclient", "s%20ecret+x");
    const first = readAuthorization(h);
    // Then the text as sent, for the many clients that skip §2.3.1's encoding.
    expect(first).toEqual({ basic: true, readings: [{ id: "demo-client", secret: "s ecret x" }, { id: "demo%2Dclient", secret: "s%20ecret+x" }] });
    expect(readAuthorization(h)).toEqual(first);
    expect(readAuthorization(` ${h} `)).toEqual(first); // surrounding space is trimmed
  });

  it("reads a credential that is no valid form-encoding as sent, and one that needs no decoding once", () => {
    expect(readAuthorization(literalBasic("client-a", "100%")).readings).toEqual([{ id: "client-a", secret: "100%" }]);
    expect(readAuthorization(literalBasic("client-a", "plain-secret")).readings).toEqual([{ id: "client-a", secret: "plain-secret" }]);
  });

  it("never answers one header with another's credentials", () => {
    const a = readAuthorization(literalBasic("client-a", "secret-a"));
    const b = readAuthorization(literalBasic("client-b", "secret-b"));
    expect(a.readings).toEqual([{ id: "client-a", secret: "secret-a" }]);
    expect(b.readings).toEqual([{ id: "client-b", secret: "secret-b" }]);
    expect(readAuthorization(literalBasic("client-a", "wrong")).readings).toEqual([{ id: "client-a", secret: "wrong" }]);
    // Same length as the remembered header, one character apart (the comparison has no early exit).
    expect(readAuthorization(literalBasic("client-a", "secret-a")).readings[0]?.secret).toBe("secret-a");
    expect(readAuthorization(literalBasic("client-a", "secret-c")).readings[0]?.secret).toBe("secret-c");
    expect(readAuthorization("Basic !!!")).toEqual({ basic: true, readings: [] });
    expect(readAuthorization(literalBasic("client-a", "secret-a")).readings).toEqual([{ id: "client-a", secret: "secret-a" }]);
  });

  it("hands out frozen results, so no caller can change what the next request reads", () => {
    const h = DEMO;
    const r = readAuthorization(h);
    expect(Object.isFrozen(r) && Object.isFrozen(r.readings) && Object.isFrozen(r.readings[0])).toBe(true);
    expect(() => {
      (r.readings[0] as { secret: string }).secret = "other";
    }).toThrow(TypeError);
    expect(readAuthorization(h).readings[0]?.secret).toBe("demo-secret");
  });

  it("other schemes and no header are not Basic", () => {
    expect(readAuthorization(null)).toEqual({ basic: false, readings: [] });
    expect(readAuthorization("")).toEqual({ basic: false, readings: [] });
    expect(readAuthorization("Bearer abc")).toEqual({ basic: false, readings: [] });
    expect(readAuthorization("basic " + btoa("x:y"))).toEqual({ basic: true, readings: [{ id: "x", secret: "y" }] });
  });
});
