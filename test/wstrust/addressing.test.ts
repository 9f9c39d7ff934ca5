import { describe, expect, it } from "vitest";
import { checkDestination, namesEndpoint } from "../../src/wstrust/addressing.ts";

const here = { path: "/trust/13/usernamemixed", origin: "http://127.0.0.1:8787", issuer: "https://sts.example.com" };

describe("wsa:To names this endpoint", () => {
  it("by the request's host or the issuer's, any port, this path only", () => {
    expect(namesEndpoint("http://127.0.0.1:8787/trust/13/usernamemixed", here)).toBe(true);
    expect(namesEndpoint("http://127.0.0.1/trust/13/usernamemixed", here)).toBe(true);
    expect(namesEndpoint("https://sts.example.com:443/trust/13/usernamemixed?x#y", here)).toBe(true);
    expect(namesEndpoint("http://127.0.0.1/trust/13/windowstransport", here)).toBe(false);
    expect(namesEndpoint("https://evil.example.com/trust/13/usernamemixed", here)).toBe(false);
    expect(namesEndpoint("ftp://127.0.0.1/trust/13/usernamemixed", here)).toBe(false);
    expect(namesEndpoint("not a url", here)).toBe(false);
  });

  it("answers each address for itself when addresses alternate (the last one parsed is remembered)", () => {
    const good = "http://127.0.0.1/trust/13/usernamemixed";
    const other = "http://127.0.0.1/trust/13/certificatemixed";
    for (let i = 0; i < 3; i++) {
      expect(namesEndpoint(good, here)).toBe(true);
      expect(namesEndpoint(good, here)).toBe(true);
      expect(namesEndpoint(other, here)).toBe(false);
      expect(namesEndpoint(other, { ...here, path: "/trust/13/certificatemixed" })).toBe(true);
      expect(namesEndpoint(good, { ...here, origin: "http://realm2.localhost:8787" })).toBe(false);
    }
  });

  it("a long address is checked like a short one", () => {
    const long = `http://127.0.0.1/trust/13/usernamemixed?${"q".repeat(5000)}`;
    expect(namesEndpoint(long, here)).toBe(true);
    expect(namesEndpoint(long.replace("usernamemixed", "x"), here)).toBe(false);
    expect(() => checkDestination(long.replace("usernamemixed", "x"), here)).toThrow();
  });
});
