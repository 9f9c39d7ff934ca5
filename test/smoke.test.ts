import { SELF } from "cloudflare:test";
import { expect, it } from "vitest";

it("healthz", async () => {
  const res = await SELF.fetch("http://127.0.0.1/healthz");
  expect(res.status).toBe(200);
});
