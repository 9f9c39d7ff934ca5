/**
 * The token inspector page's script (bundled for the browser by scripts/build-browser.mjs). It
 * fetches this STS's metadata and JWKS once, then reads each pasted token with
 * {@link inspectToken}. Everything shown is set as text, never as markup: the token is the
 * attacker's, not ours.
 */
import { inspectToken, thisSts, type Inspection, type StatedTime, type ThisSts } from "./inspect-token.ts";

/**
 * The few DOM members this script uses. The project type-checks against the Workers runtime's
 * types, whose buffer types the DOM library's contradict; declaring what is used keeps one
 * program and one `tsc`.
 */
interface PageElement {
  id: string;
  className: string;
  textContent: string | null;
  value: string;
  scope: string;
  disabled: boolean;
  dataset: Record<string, string>;
  setAttribute(name: string, value: string): void;
  append(...nodes: PageElement[]): void;
  replaceChildren(...nodes: PageElement[]): void;
  insertRow(): PageElement;
  addEventListener(type: "submit", listener: (ev: { preventDefault(): void }) => void): void;
}
declare const document: { getElementById(id: string): PageElement | null; createElement(tag: string): PageElement };
declare const location: { href: string };

const form = document.getElementById("inspect-form")!;
const input = document.getElementById("token")!;
const result = document.getElementById("result")!;

/** A JSON document of this STS's, or why not. */
async function fetchJson(url: URL, what: string): Promise<unknown> {
  const r = await fetch(url, { headers: { Accept: "application/json" } });
  if (!r.ok) throw new Error(`the ${what} answered ${r.status}`);
  return r.json();
}

// The page's own realm: its RFC 8414 metadata is next to the page (a realm reached by its path
// prefix has it under the prefix too), and names the issuer tokens have here and the JWKS.
function loadSts(): Promise<ThisSts> {
  const loaded = fetchJson(new URL(".well-known/oauth-authorization-server", location.href), "metadata").then((metadata) =>
    thisSts(metadata, (uri) => fetchJson(new URL(uri, location.href), "JWKS")),
  );
  // Its failure is said at the next Inspect, not as an uncaught error in the console before.
  loaded.catch(() => undefined);
  return loaded;
}
// Loaded with the page, so that inspecting needs no network afterwards; a load that failed (the
// STS restarting, a network blip) is tried again at the next Inspect rather than kept for good.
let sts: Promise<ThisSts> | undefined = loadSts();

form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  void show();
});
// The page serves the button disabled, so that the form cannot be sent anywhere before this
// script handles it; from here on a submission stays in the page.
document.getElementById("inspect-button")!.disabled = false;

async function show(): Promise<void> {
  result.replaceChildren(el("p", "Checking…"));
  let here;
  const loading = (sts ??= loadSts());
  try {
    here = await loading;
  } catch (e) {
    if (sts === loading) sts = undefined;
    result.replaceChildren(verdict(false, `This STS's metadata and published keys could not be loaded (${(e as Error).message}); they are asked for again at the next Inspect.`));
    return;
  }
  // Whatever the token holds, the page ends with a verdict: never left at "Checking…".
  try {
    const r = await inspectToken(input.value, here, new Date());
    if (r.ok) render(r.inspection);
    else result.replaceChildren(verdict(false, r.error));
  } catch (e) {
    result.replaceChildren(verdict(false, `The token could not be shown (${e instanceof Error ? e.message : String(e)}).`));
  }
}

function render(i: Inspection): void {
  const rows: [string, string][] = [
    ["Format", i.format],
    ["Issuer", i.issuer ?? "(none)"],
    ["Subject", i.subject ?? "(none)"],
    ["Audience", i.audiences.length > 0 ? i.audiences.join("\n") : "(none)"],
    ["Issued", date(i.issuedAt)],
    ["Not before", date(i.notBefore)],
    ["Expires", date(i.expires)],
    ["Validity now", i.timeStatus],
    ["Confirmation", i.confirmation.join(", ")],
  ];
  const claims: [string, string][] = i.claims.map(([name, values]) => [name, values.join("\n")]);
  result.replaceChildren(
    verdict(i.signature.valid, i.signature.detail),
    heading("Token", "result-token"),
    table(rows, "result-token"),
    heading("Claims", "result-claims"),
    claims.length > 0 ? table(claims, "result-claims") : el("p", "No claims."),
  );
}

function verdict(valid: boolean, detail: string): PageElement {
  const p = el("p", `${valid ? "Signature valid" : "Not valid"}: ${detail}`);
  p.id = "verdict";
  p.className = "verdict";
  p.dataset.valid = String(valid);
  p.setAttribute("role", "status");
  return p;
}

/** A heading a table is named by. */
function heading(text: string, id: string): PageElement {
  const h = el("h2", text);
  h.id = id;
  return h;
}

/**
 * A table of name–value rows, named by the heading above it (`labelledBy`): a screen reader's
 * list of tables, and its announcement on entering one, say which of the two it is.
 */
function table(rows: [string, string][], labelledBy: string): PageElement {
  const t = document.createElement("table");
  t.setAttribute("aria-labelledby", labelledBy);
  for (const [k, v] of rows) {
    const tr = t.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = k;
    const td = document.createElement("td");
    td.className = "value";
    td.textContent = v;
    tr.append(th, td);
  }
  return t;
}

function el(tag: string, text: string): PageElement {
  const e = document.createElement(tag);
  e.textContent = text;
  return e;
}

function date(t: StatedTime): string {
  if (t === undefined) return "(not stated)";
  return t instanceof Date ? t.toISOString() : `invalid: ${t.invalid} is not a date`;
}
