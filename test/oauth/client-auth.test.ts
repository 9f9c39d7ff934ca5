/**
 * Reading the Authorization header for client authentication (src/oauth/client-auth.ts): the
 * last header read is remembered by its exact text, so the result must be the same as a fresh
 * read, frozen, and never leak from one header to another.
 */
import { describe, expect, it } from "vitest";
import { readAuthorization } from "../../src/oauth/client-auth.ts";

const basic = (id: string, secret: string) => "Basic " + btoa(`${id}:${secret}`);

describe("readAuthorization", () => {
  it("decodes Basic credentials (RFC 6749 §2.3.1 form-decoding) and answers the same header the same way again", () => {
    const h = basic("demo%2Dclient", "s%20ecret+x");
    const first = readAuthorization(h);
    expect(first).toEqual({ basic: true, credentials: { id: "demo-client", secret: "s ecret x" } });
    expect(readAuthorization(h)).toEqual(first);
    expect(readAuthorization(` ${h} `)).toEqual(first); // surrounding space is trimmed
  });

  it("never answers one header with another's credentials", () => {
    const a = readAuthorization(basic("client-a", "secret-a"));
    const b = readAuthorization(basic("client-b", "secret-b"));
    expect(a.credentials).toEqual({ id: "client-a", secret: "secret-a" });
    expect(b.credentials).toEqual({ id: "client-b", secret: "secret-b" });
    expect(readAuthorization(basic("client-a", "wrong")).credentials).toEqual({ id: "client-a", secret: "wrong" });
    // Same length as the remembered header, one character apart (the comparison has no early exit).
    expect(readAuthorization(basic("client-a", "secret-a")).credentials?.secret).toBe("secret-a");
    expect(readAuthorization(basic("client-a", "secret-c")).credentials?.secret).toBe("secret-c");
    expect(readAuthorization("Basic !!!")).toEqual({ basic: true, credentials: undefined });
    expect(readAuthorization(basic("client-a", "secret-a")).credentials).toEqual({ id: "client-a", secret: "secret-a" });
  });

  it("hands out frozen results, so no caller can change what the next request reads", () => {
    const h = basic("demo-client", "demo-secret");
    const r = readAuthorization(h);
    expect(Object.isFrozen(r) && Object.isFrozen(r.credentials)).toBe(true);
    expect(() => {
      (r.credentials as { secret: string }).secret = "other";
    }).toThrow(TypeError);
    expect(readAuthorization(h).credentials?.secret).toBe("demo-secret");
  });

  it("other schemes and no header are not Basic", () => {
    expect(readAuthorization(null)).toEqual({ basic: false, credentials: undefined });
    expect(readAuthorization("")).toEqual({ basic: false, credentials: undefined });
    expect(readAuthorization("Bearer abc")).toEqual({ basic: false, credentials: undefined });
    expect(readAuthorization("basic " + btoa("x:y"))).toEqual({ basic: true, credentials: { id: "x", secret: "y" } });
  });
});
