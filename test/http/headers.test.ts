import { describe, expect, it } from "vitest";
import { noStoreHeaders } from "../../src/web/headers.ts";

describe("prebuilt response headers", () => {
  it("are copied into each Response: changing one response's headers changes neither the shared set nor another response", () => {
    const shared = noStoreHeaders("application/json", true);
    expect(noStoreHeaders("application/json", true)).toBe(shared);
    const a = new Response("{}", { headers: shared });
    const b = new Response("{}", { headers: shared });
    a.headers.set("Cache-Control", "public");
    a.headers.set("X-Extra", "1");
    expect(b.headers.get("cache-control")).toBe("no-store");
    expect(shared.get("cache-control")).toBe("no-store");
    expect(shared.has("x-extra")).toBe(false);
    expect([...b.headers]).toEqual([["cache-control", "no-store"], ["content-type", "application/json"], ["pragma", "no-cache"]]);
  });

  it("add Pragma only where asked (OAuth, RFC 6749 §5.1), not to SOAP replies", () => {
    expect(noStoreHeaders("text/xml; charset=utf-8").has("pragma")).toBe(false);
    expect(noStoreHeaders("text/xml; charset=utf-8").get("cache-control")).toBe("no-store");
    expect(noStoreHeaders("text/xml; charset=utf-8", true).get("pragma")).toBe("no-cache");
  });
});
