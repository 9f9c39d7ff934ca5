/**
 * The house keeps its shape: every import in src/ runs down the layers in docs/architecture.md
 * (or stays inside its own folder), no two folders of one layer import each other, and no
 * files import each other in a circle.
 */
import { describe, expect, it } from "vitest";

// Vite inlines every source file as text at build time (the tests run in workerd, without a
// file system).
const SOURCES = import.meta.glob("../../src/**/*.ts", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

/** Layers, top to bottom: a module may import from its own folder or from a lower layer. */
const LAYERS: string[][] = [
  ["index", "browser"],
  ["http"],
  ["pages"],
  ["wstrust", "oauth", "admin"],
  ["abuse"],
  ["engine"],
  ["saml", "jwt", "soap"],
  ["xmlenc"],
  ["xmldsig"],
  ["config", "web"],
  ["keys", "identity", "state"],
  ["token", "xml"],
  ["bytes", "errors", "cache"],
];
const RANK = new Map(LAYERS.flatMap((names, i) => names.map((n) => [n, LAYERS.length - i] as const)));

// The two documents that draw the layers for people (read as text, like the sources).
const DOCS = import.meta.glob("../../{README.md,docs/architecture.md}", { query: "?raw", import: "default", eager: true }) as Record<string, string>;
const README = DOCS["../../README.md"]!;
const ARCHITECTURE = DOCS["../../docs/architecture.md"]!;

const files = new Map(Object.entries(SOURCES).map(([k, v]) => [k.replace(/^\.\.\/\.\.\//, ""), v]));

/** "src/engine/issue.ts" → "engine"; "src/bytes.ts" → "bytes". */
function room(path: string): string {
  const parts = path.split("/");
  return parts.length > 2 ? parts[1]! : parts[1]!.replace(/\.ts$/, "");
}

function resolve(from: string, spec: string): string {
  const out = from.split("/").slice(0, -1);
  for (const seg of spec.split("/")) {
    if (seg === "..") out.pop();
    else if (seg !== ".") out.push(seg);
  }
  return out.join("/");
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^"'`;]*?from\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;

function importsOf(path: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2]!;
    if (spec.startsWith(".")) out.push(resolve(path, spec));
  }
  return out;
}

const graph = new Map([...files].map(([p, t]) => [p, importsOf(p, t)]));

/** Every import cycle a depth-first walk meets, as "a → b → a". */
function cyclesIn(g: Map<string, string[]>): string[] {
  const seen = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (p: string, trail: string[]) => {
    if (seen.get(p) === "done") return;
    if (seen.get(p) === "open") {
      cycles.push([...trail.slice(trail.indexOf(p)), p].join(" → "));
      return;
    }
    seen.set(p, "open");
    for (const next of g.get(p) ?? []) visit(next, [...trail, p]);
    seen.set(p, "done");
  };
  for (const p of g.keys()) visit(p, []);
  return cycles;
}

describe("layering", () => {
  it("reads the whole source tree", () => {
    expect(files.size).toBeGreaterThan(80);
    expect(files.has("src/engine/authorize.ts")).toBe(true);
  });

  it("places every folder and root module in a layer", () => {
    const unplaced = [...new Set([...files.keys()].map(room))].filter((r) => !RANK.has(r));
    expect(unplaced).toEqual([]);
  });

  it("resolves every relative import to a source file", () => {
    const missing = [...graph].flatMap(([from, tos]) => tos.filter((t) => !files.has(t)).map((t) => `${from} → ${t}`));
    expect(missing).toEqual([]);
  });

  it("imports only downward or within a folder", () => {
    const upward: string[] = [];
    for (const [from, tos] of graph) {
      for (const to of tos) {
        const a = room(from);
        const b = room(to);
        if (a === b) continue;
        if (RANK.get(b)! >= RANK.get(a)!) upward.push(`${from} → ${to}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it("has no import cycles between files", () => {
    expect(cyclesIn(graph)).toEqual([]);
  });

  it("the check itself catches an upward import and a cycle", () => {
    // A guard against a check that cannot fail: the same rules on a made-up tree.
    const fake = new Map([
      ["src/xml/a.ts", ["src/engine/b.ts"]],
      ["src/engine/b.ts", ["src/xml/a.ts"]],
    ]);
    const up = [...fake].flatMap(([f, ts]) => ts.filter((t) => RANK.get(room(t))! >= RANK.get(room(f))! && room(t) !== room(f)));
    expect(up).toEqual(["src/engine/b.ts"]);
    expect(cyclesIn(fake)).toEqual(["src/xml/a.ts → src/engine/b.ts → src/xml/a.ts"]);
  });
});

/** "src/engine/" → ["engine"]; "src/{bytes,errors}.ts" → ["bytes", "errors"]; "index.ts" → ["index"]. */
function roomsNamed(spec: string): string[] {
  const path = spec.replace(/^src\//, "");
  const braces = /^\{([^}]*)\}(.*)$/.exec(path);
  const names = braces ? braces[1]!.split(",").map((n) => n + braces[2]) : [path];
  return names.map((n) => n.replace(/\/$/, "").replace(/\.ts$/, ""));
}

/** The src/ entries of the README's Layout block, top to bottom. */
function readmeLayout(readme: string): string[] {
  const block = /## Layout\s+```\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  return block.split("\n").filter((l) => l.startsWith("src/")).flatMap((l) => roomsNamed(l.split(/\s+/)[0]!));
}

/** The folders column of docs/architecture.md's layer table, one list per row, top to bottom. */
function architectureLayers(doc: string): string[][] {
  const table = /## The layers[\s\S]*?\n(\| layer[\s\S]*?)\n\n/.exec(doc)?.[1] ?? "";
  return table.split("\n").slice(2).map((row) => [...(row.split("|")[2] ?? "").matchAll(/`([^`]+)`/g)].flatMap((m) => roomsNamed(m[1]!)));
}

/** Entries whose layer is above the entry before them: where "imports run down this list" is false. */
function climbs(rooms: string[]): string[] {
  return rooms.flatMap((r, i) => (i > 0 && (RANK.get(r) ?? Infinity) > (RANK.get(rooms[i - 1]!) ?? -Infinity) ? [`${rooms[i - 1]} above ${r}`] : []));
}

describe("the documents draw the layers this test enforces", () => {
  it("docs/architecture.md's layer table has these layers, in this order", () => {
    const sorted = (l: string[][]) => l.map((names) => [...names].sort());
    expect(sorted(architectureLayers(ARCHITECTURE))).toEqual(sorted(LAYERS));
  });

  it("the README's Layout names every folder and root module once, and its order runs down the layers", () => {
    const listed = readmeLayout(README);
    expect([...listed].sort()).toEqual([...RANK.keys()].sort());
    expect(climbs(listed)).toEqual([]);
  });

  it("the order check itself catches a list that climbs", () => {
    expect(climbs(["engine", "xmldsig", "xmlenc", "bytes"])).toEqual(["xmldsig above xmlenc"]);
    expect(roomsNamed("src/{bytes,errors,cache}.ts")).toEqual(["bytes", "errors", "cache"]);
  });
});
