/**
 * The stylesheet's colours, as an auditor checks them against WCAG 2.2 AA: the contrast ratio
 * (WCAG 2.2 "relative luminance") of every text and UI colour against the page's background,
 * in the light scheme and under `prefers-color-scheme: dark`.
 */
import { describe, expect, it } from "vitest";
import { STYLESHEET } from "../../src/pages/style.ts";

/** The custom properties a `:root { … }` block sets. */
function variables(block: string): Record<string, string> {
  return Object.fromEntries([...block.matchAll(/(--[\w-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1]!, m[2]!.toLowerCase()]));
}

const light = variables(/^:root \{[^}]*\}/m.exec(STYLESHEET)![0]);
const dark = { ...light, ...variables(/@media \(prefers-color-scheme: dark\) \{ :root \{[^}]*\}/.exec(STYLESHEET)![0]) };

/** One declaration of the rule with this exact selector, its `var(--x)` resolved in `scheme`. */
function declared(selector: string, property: string, scheme: Record<string, string>): string {
  const rule = STYLESHEET.split("\n").find((line) => line.startsWith(`${selector} {`));
  expect(rule, `a rule for ${selector}`).toBeDefined();
  const value = new RegExp(`[{;]\\s*${property}:\\s*([^;]+);`).exec(rule!)?.[1]?.trim();
  expect(value, `${selector} sets ${property}`).toBeDefined();
  const colour = /var\((--[\w-]+)\)/.exec(value!)?.[1];
  return colour ? scheme[colour]! : /#[0-9a-f]{3,6}\b/i.exec(value!)![0].toLowerCase();
}

function luminance(hex: string): number {
  const h = hex.length === 4 ? [...hex.slice(1)].map((c) => c + c).join("") : hex.slice(1);
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(h.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe("stylesheet colours (WCAG 2.2 AA)", () => {
  for (const [scheme, v] of [["light", light], ["dark", dark]] as const) {
    it(`${scheme}: text reaches 4.5:1 on its background, a button's label on the button too (1.4.3)`, () => {
      const bg = declared("body", "background", v);
      for (const name of ["--fg", "--muted", "--ok", "--bad", "--accent"]) {
        expect(contrast(v[name]!, bg), `${name} ${v[name]} on ${bg}`).toBeGreaterThanOrEqual(4.5);
      }
      const label = declared("button", "color", v);
      const face = declared("button", "background", v);
      expect(contrast(label, face), `button text ${label} on ${face}`).toBeGreaterThanOrEqual(4.5);
    });

    it(`${scheme}: form fields' borders and the focus ring reach 3:1 on the background (1.4.11)`, () => {
      const bg = declared("body", "background", v);
      for (const field of ["textarea", `input[type="text"], input[type="password"]`]) {
        const border = declared(field, "border", v);
        expect(contrast(border, bg), `${field} border ${border} on ${bg}`).toBeGreaterThanOrEqual(3);
      }
      for (const focused of ["a:focus-visible, button:focus-visible, textarea:focus-visible", "input:focus-visible"]) {
        const ring = declared(focused, "outline", v);
        expect(contrast(ring, bg), `${focused} outline ${ring} on ${bg}`).toBeGreaterThanOrEqual(3);
      }
    });
  }
});
