/**
 * The README's reference parts name what the code reads and writes: every configuration field a
 * validator accepts is in its configuration tables, and every operator log event the worker
 * writes is in its Operations list and in docs/audit.md. A field or event added without a word
 * for the operator fails here.
 */
import { describe, expect, it } from "vitest";

// Vite inlines the files as text at build time (the tests run in workerd, without a file system).
const CONFIG = import.meta.glob("../../src/config/*.ts", { query: "?raw", import: "default", eager: true }) as Record<string, string>;
const SOURCES = import.meta.glob("../../src/**/*.ts", { query: "?raw", import: "default", eager: true }) as Record<string, string>;
const DOCS = import.meta.glob("../../{README.md,docs/audit.md}", { query: "?raw", import: "default", eager: true }) as Record<string, string>;
const README = DOCS["../../README.md"]!;
const AUDIT = DOCS["../../docs/audit.md"]!;

/** The README between one `## ` heading and the next. */
function section(doc: string, heading: string): string {
  const start = doc.indexOf(`\n## ${heading}\n`);
  expect(start, `README has a '## ${heading}' section`).toBeGreaterThan(-1);
  const end = doc.indexOf("\n## ", start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

/** The quoted names in every `const …FIELDS = [ … ] as const` of the configuration validators. */
function acceptedFields(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [file, text] of Object.entries(CONFIG)) {
    for (const m of text.matchAll(/const ([A-Z_]*FIELDS) = \[([^\]]*)\] as const/g)) {
      for (const f of m[2]!.matchAll(/"([^"]+)"/g)) out.set(f[1]!, `${file.replace(/^\.\.\/\.\.\//, "")} ${m[1]}`);
    }
  }
  return out;
}

/** Every `event: "name"` a source file writes, and the names configAdvice gives its lines. */
function loggedEvents(): Set<string> {
  const out = new Set<string>();
  for (const text of Object.values(SOURCES)) {
    for (const m of text.matchAll(/\bevent: "([a-z_]+)"/g)) out.add(m[1]!);
  }
  return out;
}

describe("the README's reference parts", () => {
  it("names every configuration field a validator accepts", () => {
    const fields = acceptedFields();
    expect(fields.size).toBeGreaterThan(50);
    const config = section(README, "Configuration");
    // Named as a field (`name`, `name[]` for a list) or shown in a JSON example ("name").
    const named = (f: string) => ["`" + f + "`", "`" + f + "[]`", `"${f}"`].some((s) => config.includes(s));
    const missing = [...fields].filter(([f]) => !named(f)).map(([f, where]) => `${f} (${where})`);
    expect(missing).toEqual([]);
  });

  it("lists every operator log event, in Operations and in docs/audit.md", () => {
    const events = loggedEvents();
    expect(events).toContain("unhandled_error");
    expect(events).toContain("jwks_unavailable");
    const operations = section(README, "Operations");
    expect([...events].filter((e) => !operations.includes("`" + e + "`") && !operations.includes(`"${e}"`))).toEqual([]);
    expect([...events].filter((e) => !AUDIT.includes(e))).toEqual([]);
  });
});
