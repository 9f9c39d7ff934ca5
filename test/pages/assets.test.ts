/**
 * The files the pages load (stylesheet, auto-post script) are named by their content's SHA-256
 * and kept by browsers for good: a returning browser's sign-in page costs one request, not two.
 */
import { describe, expect, it } from "vitest";
import { toBase64Url, utf8 } from "../../src/bytes.ts";
import { AUTOPOST_SCRIPT, AUTOPOST_SCRIPT_SHA256 } from "../../src/pages/wsfed-html.ts";
import { STYLESHEET, STYLESHEET_SHA256 } from "../../src/pages/style.ts";
import { call } from "../helpers/worker.ts";

async function sha256(text: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(text))));
}

describe("page assets", () => {
  it("each hash constant is its file's SHA-256 (edit the file, then the constant this names)", async () => {
    expect(await sha256(STYLESHEET), "STYLESHEET_SHA256 in src/pages/style.ts").toBe(STYLESHEET_SHA256);
    expect(await sha256(AUTOPOST_SCRIPT), "AUTOPOST_SCRIPT_SHA256 in src/pages/wsfed-html.ts").toBe(AUTOPOST_SCRIPT_SHA256);
  });

  it("the sign-in page links a stylesheet named by its content, which a browser keeps for a year without asking again", async () => {
    const page = await (await call("/wsfed?wa=wsignin1.0&wtrealm=urn%3Aexample%3Arp")).text();
    const href = /<link rel="stylesheet" href="\.\/(assets\/sts\.([\w-]{16})\.css)">/.exec(page);
    expect(href, "a stylesheet link with a content hash in its name").not.toBeNull();
    const css = await call(`/${href![1]}`);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(css.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(css.headers.get("x-content-type-options")).toBe("nosniff");
    const body = await css.text();
    expect((await sha256(body)).slice(0, 16)).toBe(href![2]);
    // Under a realm reached by its path, the page's relative link resolves there, and is served.
    expect((await call(`/realms/realm2/${href![1]}`)).headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });

  it("the auto-post script has a hashed, immutable address as well; the plain names still answer, uncached", async () => {
    const path = `assets/autopost.${AUTOPOST_SCRIPT_SHA256.slice(0, 16)}.js`;
    const js = await call(`/${path}`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await js.text()).toBe(AUTOPOST_SCRIPT);
    for (const plain of ["/assets/sts.css", "/assets/autopost.js"]) {
      const r = await call(plain);
      expect(r.status).toBe(200);
      expect(r.headers.get("cache-control")).toBe("no-cache");
    }
    // A name with another hash is no file of ours.
    expect((await call("/assets/sts.AAAAAAAAAAAAAAAA.css")).status).toBe(404);
  });
});
