/**
 * The writer for the messages the STS builds as text (SOAP envelopes and faults, RSTRs, the
 * WSDL): a tagged template, `xml\`<a b="${v}">${w}</a>\``, in which every interpolated value is
 * escaped — with the attribute escape, which is also correct in element content — unless it is
 * already {@link Markup}: the output of this writer, or a signed token's exact bytes made
 * Markup by {@link trustedMarkup} where it is embedded. A value can therefore never close an
 * attribute or open an element, whichever position it is written in.
 *
 * Signed tokens are not written here: their serialization must be their exclusive canonical
 * form, which is the tree writer's job (tree-writer.ts).
 */
import { escapeAttr } from "./escape.ts";

/** Text that is already XML, written as is. */
export class Markup {
  readonly xml: string;
  constructor(xml: string) {
    this.xml = xml;
  }
  toString(): string {
    return this.xml;
  }
}

type Value = string | number | Markup | readonly Markup[] | undefined | null | false;

/** The tagged template; `undefined`, `null` and `false` write nothing (optional parts). */
export function xml(strings: TemplateStringsArray, ...values: Value[]): Markup {
  let s = strings[0]!;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v instanceof Markup) s += v.xml;
    else if (Array.isArray(v)) for (const m of v as readonly Markup[]) s += m.xml;
    else if (v !== undefined && v !== null && v !== false) s += escapeAttr(String(v));
    s += strings[i + 1]!;
  }
  return new Markup(s);
}

/**
 * Markup from text that is XML by construction and must be embedded byte for byte — a signed
 * token from the tree writer (re-serializing it would break its signature).
 */
export function trustedMarkup(s: string): Markup {
  return new Markup(s);
}
