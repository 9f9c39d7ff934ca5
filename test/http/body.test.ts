/**
 * Request bodies up to a limit (src/web/body.ts): one read when the length is declared, a
 * bounded stream read when it is not, refused early when either is over the limit.
 */
import { describe, expect, it } from "vitest";
import { readBodyLimited } from "../../src/web/body.ts";
import { DEMO, USER_ADMIN } from "../helpers/credentials.ts";

const URL_ = "https://sts.test/x";
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const x of chunks) c.enqueue(enc.encode(x));
      c.close();
    },
  });
}

describe("readBodyLimited", () => {
  it("reads a body of declared length in one piece", async () => {
    const req = new Request(URL_, { method: "POST", body: "a=1&b=2", headers: { "content-length": "7" } });
    expect(text(await readBodyLimited(req, 100))).toBe("a=1&b=2");
  });

  it("reads a declared empty body, and no body at all, as empty", async () => {
    expect((await readBodyLimited(new Request(URL_, { method: "POST", headers: { "content-length": "0" } }), 100)).byteLength).toBe(0);
    expect((await readBodyLimited(new Request(URL_, { method: "POST" }), 100)).byteLength).toBe(0);
    expect((await readBodyLimited(new Request(URL_), 100)).byteLength).toBe(0);
  });

  it("reads a stream without a declared length, in chunks", async () => {
    const req = new Request(URL_, { method: "POST", body: streamOf(["ab", "cd", "ef"]) });
    expect(text(await readBodyLimited(req, 6))).toBe("abcdef");
  });

  it("refuses a declared length over the limit before reading, and a stream that grows past it", async () => {
    const declared = new Request(URL_, { method: "POST", body: "x".repeat(11), headers: { "content-length": "11" } });
    await expect(readBodyLimited(declared, 10)).rejects.toMatchObject({ code: "payload_too_large" });
    expect(declared.bodyUsed).toBe(false);
    const streamed = new Request(URL_, { method: "POST", body: streamOf(["xxxxx", "xxxxx", "x"]) });
    await expect(readBodyLimited(streamed, 10)).rejects.toMatchObject({ code: "payload_too_large" });
  });
});

describe("a body over the limit", () => {
  it("is 413 at every door that reads a body (RFC 9110 §15.5.14), each in its own form", async () => {
    const { envelope } = await import("../helpers/soap.ts");
    const { call, faultCode } = await import("../helpers/worker.ts");
    const over = 1024 * 1024 + 1;
    const rst = envelope({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp" });
    const padded = rst.body.replace("</s:Envelope>", "") + " ".repeat(over) + "</s:Envelope>";
    for (const soap of ["1.1", "1.2"] as const) {
      const e = envelope({ soap, user: "alice", password: "wonderland", appliesTo: "urn:example:rp" });
      const r = await call("/trust/13/usernamemixed", { method: "POST", headers: e.headers, body: padded });
      const t = await r.text();
      expect([r.status, faultCode(t)], `SOAP ${soap}`).toEqual([413, "wst:BadRequest"]);
      expect(t).toContain("The request body exceeds the limit of 1048576 bytes.");
    }
    const form = { "content-type": "application/x-www-form-urlencoded", authorization: DEMO };
    for (const path of ["/oauth2/token", "/oauth2/introspect", "/oauth2/revoke"]) {
      const r = await call(path, { method: "POST", headers: form, body: "token=" + "a".repeat(over) });
      expect([r.status, await r.json()], path).toEqual([413, { error: "invalid_request", error_description: "The request body exceeds the limit of 1048576 bytes." }]);
    }
    // The sign-in form: an error page like the endpoint's others, telling no limit or internals.
    const w = await call("/wsfed", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "wa=wsignin1.0&wctx=" + "a".repeat(over) });
    expect(w.status).toBe(413);
    expect(w.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(w.headers.get("content-security-policy")).toContain("default-src 'none'");
    const page = await w.text();
    expect(page).toContain("<h1>Sign-in error</h1>");
    expect(page).toContain("The sign-in request is too large.");
    expect(page).not.toContain("1048576");
  });
});

describe("a body the client stops sending", () => {
  /** A body that sends `sent` and then fails, as a connection closed mid-body does. */
  function cutOff(sent: string): ReadableStream<Uint8Array> {
    return new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(sent));
        c.error(new Error("Network connection lost."));
      },
    });
  }

  it("is a bad request (the client's failure, not the STS's), with or without a declared length", async () => {
    const streamed = new Request(URL_, { method: "POST", body: cutOff("<s:Envelope"), duplex: "half" } as RequestInit);
    await expect(readBodyLimited(streamed, 100)).rejects.toMatchObject({ code: "bad_request", message: expect.stringContaining("connection ended") });
    const declared = new Request(URL_, { method: "POST", body: cutOff("<s:Envelope"), headers: { "content-length": "50" }, duplex: "half" } as RequestInit);
    await expect(readBodyLimited(declared, 100)).rejects.toMatchObject({ code: "bad_request", message: expect.stringContaining("connection ended") });
  });
});

describe("a body in a content coding", () => {
  it("is refused at every door that reads a body, compressed or merely labelled so; identity is no coding", async () => {
    const { envelope } = await import("../helpers/soap.ts");
    const { call, faultCode } = await import("../helpers/worker.ts");
    const rst = envelope({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp" });
    const gzip = async (s: string) => new Uint8Array(await new Response(new Blob([s]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
    for (const [coding, body] of [["gzip", await gzip(rst.body)], ["gzip", rst.body], ["br", rst.body], ["deflate, gzip", rst.body]] as const) {
      const r = await call("/trust/13/usernamemixed", { method: "POST", headers: { ...rst.headers, "content-encoding": coding }, body });
      const t = await r.text();
      expect(faultCode(t), coding).toBe("wst:BadRequest");
      expect(t).toContain("send it uncompressed");
      expect(t).not.toContain("Assertion");
    }
    const form = { "content-type": "application/x-www-form-urlencoded", authorization: DEMO };
    const o = await call("/oauth2/introspect", { method: "POST", headers: { ...form, "content-encoding": "gzip" }, body: await gzip("token=x") });
    expect([o.status, ((await o.json()) as { error: string }).error]).toEqual([400, "invalid_request"]);
    const plain = await call("/trust/13/usernamemixed", { method: "POST", headers: { ...rst.headers, "content-encoding": "identity" }, body: rst.body });
    expect(plain.status).toBe(200);
  });
});

describe("a body in a transfer coding other than chunked", () => {
  /** A good Issue sent with `transfer-encoding: coding` is a wst:BadRequest whose text says `says`, and no token. */
  async function trustRefuses(coding: string, says: string): Promise<void> {
    const { envelope } = await import("../helpers/soap.ts");
    const { call, faultCode } = await import("../helpers/worker.ts");
    const rst = envelope({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp" });
    const r = await call("/trust/13/usernamemixed", { method: "POST", headers: { ...rst.headers, "transfer-encoding": coding }, body: rst.body });
    const t = await r.text();
    expect([r.status, faultCode(t)], coding).toEqual([400, "wst:BadRequest"]);
    expect(t, coding).toContain(says);
    expect(t, coding).not.toContain("Assertion");
  }

  it("is refused at every door that reads a body, naming the header; chunked alone is read", async () => {
    const { envelope } = await import("../helpers/soap.ts");
    const { call } = await import("../helpers/worker.ts");
    const rst = envelope({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp" });
    for (const coding of ["gzip, chunked", "deflate,chunked", "x-custom, chunked", "compress"]) await trustRefuses(coding, "Transfer-Encoding other than chunked");
    const form = { "content-type": "application/x-www-form-urlencoded", authorization: DEMO };
    const o = await call("/oauth2/introspect", { method: "POST", headers: { ...form, "transfer-encoding": "gzip, chunked" }, body: "token=x" });
    const oj = (await o.json()) as { error: string; error_description: string };
    expect([o.status, oj.error]).toEqual([400, "invalid_request"]);
    expect(oj.error_description).toContain("Transfer-Encoding");
    for (const coding of ["chunked", "Chunked", " chunked "]) {
      const plain = await call("/trust/13/usernamemixed", { method: "POST", headers: { ...rst.headers, "transfer-encoding": coding }, body: rst.body });
      expect(plain.status, coding).toBe(200);
    }
  });

  it("refuses chunked named twice, which the runtime undoes once and a gateway may undo twice", async () => {
    const { envelope } = await import("../helpers/soap.ts");
    const { call } = await import("../helpers/worker.ts");
    const rst = envelope({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp" });
    for (const coding of ["chunked, chunked", "chunked,Chunked"]) await trustRefuses(coding, "chunked more than once");
    const form = { "content-type": "application/x-www-form-urlencoded", authorization: DEMO };
    const o = await call("/oauth2/introspect", { method: "POST", headers: { ...form, "transfer-encoding": "chunked, chunked" }, body: "token=x" });
    expect([o.status, ((await o.json()) as { error: string }).error]).toEqual([400, "invalid_request"]);
    // An empty list element is no coding (RFC 9110 §5.6.1): still chunked once.
    const one = await call("/trust/13/usernamemixed", { method: "POST", headers: { ...rst.headers, "transfer-encoding": "chunked," }, body: rst.body });
    expect(one.status).toBe(200);
  });
});

describe("a request with two Content-Type fields", () => {
  /** Headers with `types` each sent as its own Content-Type field line (the runtime joins them with ", "). */
  function twice(types: string[], extra: Record<string, string>): Headers {
    const h = new Headers(extra);
    for (const t of types) h.append("content-type", t);
    return h;
  }

  it("names no media type at any door, whatever parameters the first carries; one with a quoted comma is one", async () => {
    const { mediaTypeEssence } = await import("../../src/web/body.ts");
    expect(mediaTypeEssence('application/soap+xml; action="urn:a", text/xml')).not.toBe("application/soap+xml");
    expect(mediaTypeEssence('application/soap+xml; action="urn:a,b"')).toBe("application/soap+xml");
    expect(mediaTypeEssence('application/soap+xml; action="urn:\\",", text/xml')).not.toBe("application/soap+xml");

    const { envelope } = await import("../helpers/soap.ts");
    const { call, faultCode } = await import("../helpers/worker.ts");
    const rst = envelope({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp" });
    const action = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue";
    for (const types of [[`application/soap+xml; action="${action}"`, "text/xml"], ['application/soap+xml; charset="utf-8"', "text/html"]]) {
      const r = await call("/trust/13/usernamemixed", { method: "POST", headers: twice(types, {}), body: rst.body });
      const t = await r.text();
      expect([r.status, faultCode(t)], types.join(" + ")).toEqual([400, "wst:BadRequest"]);
      expect(t).not.toContain("Assertion");
    }
    const o = await call("/oauth2/introspect", {
      method: "POST",
      headers: twice(['application/x-www-form-urlencoded; charset="utf-8"', "application/json"], { authorization: DEMO }),
      body: "token=x",
    });
    expect([o.status, ((await o.json()) as { error: string }).error]).toEqual([400, "invalid_request"]);
    const a = await call("/admin/users", {
      method: "POST",
      headers: twice(['application/json; charset="utf-8"', "text/plain"], { authorization: USER_ADMIN }),
      body: JSON.stringify({ username: "two-types", password: "correct-horse-battery" }),
    });
    expect([a.status, ((await a.json()) as { error: string }).error]).toEqual([400, "invalid_request"]);
    const w = await call("/wsfed", { method: "POST", headers: twice(['application/x-www-form-urlencoded; charset="utf-8"', "text/plain"], {}), body: "wa=wsignin1.0" });
    expect(w.status).toBe(415);
  });
});

describe("a body labelled with a charset other than UTF-8", () => {
  it("is told apart from UTF-8 by one predicate: any case, quoted or not, WHATWG's UTF-8 labels", async () => {
    const { nonUtf8Charset } = await import("../../src/web/body.ts");
    for (const t of ["application/x-www-form-urlencoded", "application/json; charset=utf-8", 'application/json; charset="UTF-8"', "text/xml;charset=Utf8", "application/x-www-form-urlencoded; charset = UTF-8 "]) {
      expect(nonUtf8Charset(t), t).toBeUndefined();
    }
    expect(nonUtf8Charset("application/x-www-form-urlencoded; charset=iso-8859-1")).toBe("iso-8859-1");
    expect(nonUtf8Charset('application/json; charset="utf-16"')).toBe("utf-16");
    expect(nonUtf8Charset("application/json; charset=latin1")).toBe("latin1");
    expect(nonUtf8Charset("application/json; charset=")).toBe("");
    // Two labels are no one charset, even when one of them is UTF-8.
    expect(nonUtf8Charset("application/json; charset=utf-8; charset=latin1")).toBe("utf-8, latin1");
  });

  it("is refused at every door that reads a body, in the door's own form and naming the charset; UTF-8 labels are read", async () => {
    const { envelope } = await import("../helpers/soap.ts");
    const { call, faultCode } = await import("../helpers/worker.ts");
    const FORM = "application/x-www-form-urlencoded";
    // What an ISO-8859-1 client sends for "Ã©": read as UTF-8 it would be "é".
    for (const path of ["/oauth2/token", "/oauth2/introspect", "/oauth2/revoke"]) {
      for (const charset of ["iso-8859-1", "latin1", '"windows-1252"', "utf-16"]) {
        const r = await call(path, { method: "POST", headers: { "content-type": `${FORM}; charset=${charset}`, authorization: DEMO }, body: "token=%C3%A9" });
        const j = (await r.json()) as { error: string; error_description: string };
        expect([r.status, j.error], `${path} ${charset}`).toEqual([400, "invalid_request"]);
        expect(j.error_description).toContain(`charset=${charset.replace(/"/g, "")}`);
      }
    }
    for (const type of [FORM, `${FORM}; charset=UTF-8`, `${FORM};charset="utf-8"`, `${FORM}; charset=utf8`]) {
      const r = await call("/oauth2/introspect", { method: "POST", headers: { "content-type": type, authorization: DEMO }, body: "token=%C3%A9" });
      expect([r.status, await r.json()], type).toEqual([200, { active: false }]);
    }

    const user = (username: string) => JSON.stringify({ username, password: "correct-horse-battery" });
    for (const charset of ["utf-16", "iso-8859-1", "latin1"]) {
      const a = await call("/admin/users", { method: "POST", headers: { "content-type": `application/json; charset=${charset}`, authorization: USER_ADMIN }, body: user("labelled-other") });
      const j = (await a.json()) as { error: string; error_description: string };
      expect([a.status, j.error], charset).toEqual([400, "invalid_request"]);
      expect(j.error_description).toContain(`Content-Type header's charset=${charset}`);
    }
    const ok = await call("/admin/users", { method: "POST", headers: { "content-type": 'application/json; charset="UTF-8"', authorization: USER_ADMIN }, body: user("labelled-utf8") });
    expect(ok.status).toBe(201);

    const w = await call("/wsfed", { method: "POST", headers: { "content-type": `${FORM}; charset=iso-8859-1` }, body: "wa=wsignin1.0" });
    expect(w.status).toBe(415);
    expect(await w.text()).toContain("charset=iso-8859-1");
    const wOk = await call("/wsfed", { method: "POST", headers: { "content-type": `${FORM}; charset=UTF-8` }, body: "wa=wsignin1.0" });
    const wPlain = await call("/wsfed", { method: "POST", headers: { "content-type": FORM }, body: "wa=wsignin1.0" });
    expect(wOk.status).toBe(wPlain.status);
    expect(wOk.status).not.toBe(415);

    const rst = envelope({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp" });
    const soap = await call("/trust/13/usernamemixed", { method: "POST", headers: { ...rst.headers, "content-type": rst.headers["content-type"]!.replace("charset=utf-8", "charset=iso-8859-1") }, body: rst.body });
    const t = await soap.text();
    expect([soap.status, faultCode(t)]).toEqual([400, "wst:BadRequest"]);
    expect(t).toContain("charset=iso-8859-1");
  });
});
