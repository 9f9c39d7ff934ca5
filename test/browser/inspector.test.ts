/**
 * The inspector page's script (src/browser/inspector.ts) driving a small stand-in for the few DOM
 * members it uses: what a person sees after pressing Inspect. (scripts/interop/inspector.mjs runs
 * the same page in Chromium.)
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { call } from "../helpers/worker.ts";

class FakeElement {
  id = "";
  className = "";
  textContent: string | null = null;
  value = "";
  scope = "";
  disabled = false;
  dataset: Record<string, string> = {};
  children: FakeElement[] = [];
  submit?: (ev: { preventDefault(): void }) => void;
  readonly tag: string;
  constructor(tag: string) {
    this.tag = tag;
  }
  attributes: Record<string, string> = {};
  setAttribute(name: string, value: string): void {
    this.attributes[name] = value;
  }
  append(...nodes: FakeElement[]): void {
    this.children.push(...nodes);
  }
  replaceChildren(...nodes: FakeElement[]): void {
    this.children = nodes;
  }
  insertRow(): FakeElement {
    const tr = new FakeElement("tr");
    this.children.push(tr);
    return tr;
  }
  addEventListener(_type: "submit", listener: (ev: { preventDefault(): void }) => void): void {
    this.submit = listener;
  }
  get text(): string {
    return this.children.length > 0 ? this.children.map((c) => c.text).join(" ") : (this.textContent ?? "");
  }
  all(tag: string): FakeElement[] {
    return this.children.flatMap((c) => [...(c.tag === tag ? [c] : []), ...c.all(tag)]);
  }
}

const page = { form: new FakeElement("form"), token: new FakeElement("textarea"), button: new FakeElement("button"), result: new FakeElement("div") };
// As the page serves it (src/pages/routes.ts): disabled until the script has the form.
page.button.disabled = true;
/** A tag whose creation fails, to stand for any fault while the result is drawn. */
let failing: string | undefined;

beforeAll(async () => {
  vi.stubGlobal("location", { href: "http://127.0.0.1:8787/inspect" });
  vi.stubGlobal("fetch", (url: URL) => call(url.pathname));
  vi.stubGlobal("document", {
    getElementById: (id: string) => ({ "inspect-form": page.form, token: page.token, "inspect-button": page.button, result: page.result })[id] ?? null,
    createElement: (tag: string) => {
      if (tag === failing) throw new RangeError(`no ${tag} today`);
      return new FakeElement(tag);
    },
  });
  await import("../../src/browser/inspector.ts");
});

/** Pastes `token`, presses Inspect and waits for the page to leave "Checking…". */
async function inspect(token: string): Promise<{ verdict: string; rows: Record<string, string> }> {
  page.token.value = token;
  page.form.submit!({ preventDefault() {} });
  await vi.waitFor(() => expect(page.result.text).not.toMatch(/^(Checking…)?$/), { timeout: 5000 });
  const rows: Record<string, string> = {};
  for (const tr of page.result.all("tr")) rows[tr.children[0]!.text] = tr.children[1]!.text;
  return { verdict: page.result.all("p").find((p) => p.id === "verdict")?.text ?? "", rows };
}

const b64url = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

describe("the inspector page", () => {
  it("enables the Inspect button once it handles the form's submission", () => {
    expect(page.form.submit).toBeTypeOf("function");
    expect(page.button.disabled).toBe(false);
  });

  it("shows a JWT time beyond any date as invalid, with the verdict, instead of hanging", async () => {
    const header = b64url({ alg: "ES256", kid: "x" });
    const r = await inspect(`${header}.${b64url({ sub: "a", iat: 9e15, nbf: -1e16, exp: 1e16 })}.AAAA`);
    expect(r.verdict).toMatch(/^Not valid: The token's kid names none/);
    expect(r.rows).toMatchObject({
      Subject: "a",
      Issued: "invalid: 9000000000000000 is not a date",
      "Not before": "invalid: -10000000000000000 is not a date",
      Expires: "invalid: 10000000000000000 is not a date",
      "Validity now": "invalid time stated",
    });
  });

  it("names each table by the heading above it, for a screen reader's list of tables", async () => {
    await inspect(`${b64url({ alg: "ES256", kid: "x" })}.${b64url({ sub: "a", email: "a@example.com" })}.AAAA`);
    const headings = page.result.all("h2");
    const tables = page.result.all("table");
    expect(headings.map((h) => h.text)).toEqual(["Token", "Claims"]);
    expect(tables).toHaveLength(2);
    expect(tables.map((t) => t.attributes["aria-labelledby"])).toEqual(headings.map((h) => h.id));
    expect(new Set(headings.map((h) => h.id)).size).toBe(2);
  });

  it("ends with a verdict even when drawing the result fails", async () => {
    failing = "table";
    try {
      const r = await inspect(`${b64url({ alg: "ES256", kid: "x" })}.${b64url({ sub: "a" })}.AAAA`);
      expect(r.verdict).toBe("Not valid: The token could not be shown (no table today).");
    } finally {
      failing = undefined;
    }
  });

  it("asks for this STS's keys again at the next Inspect when they could not be loaded with the page", async () => {
    let down = true;
    vi.stubGlobal("fetch", (url: URL) => (down ? Promise.resolve(new Response("down", { status: 503 })) : call(url.pathname)));
    try {
      // The page opened while the STS was restarting.
      vi.resetModules();
      await import("../../src/browser/inspector.ts");
      const token = `${b64url({ alg: "ES256", kid: "x" })}.${b64url({ sub: "a" })}.AAAA`;
      const r = await inspect(token);
      expect(r.verdict).toBe("Not valid: This STS's metadata and published keys could not be loaded (the metadata answered 503); they are asked for again at the next Inspect.");
      down = false;
      // Asked for again now, not at once after the failure (when the STS was still down).
      const again = await inspect(token);
      expect(again.verdict).toMatch(/^Not valid: The token's kid names none/);
      expect(again.rows.Subject).toBe("a");
    } finally {
      vi.stubGlobal("fetch", (url: URL) => call(url.pathname));
    }
  });
});
