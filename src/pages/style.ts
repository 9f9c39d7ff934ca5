/**
 * The one stylesheet of the STS's pages (home, token inspector, browser sign-in), served as a
 * file: the pages' Content-Security-Policy allows styles from this origin only, never inline ones.
 * Change {@link STYLESHEET_SHA256} with it (test/pages/assets.test.ts says the new value).
 *
 * Each colour scheme holds WCAG 2.2 AA on `--bg`: text (`--fg`, `--muted`, `--ok`, `--bad`, links in
 * `--accent`, and `--on-accent` on a button's `--accent`) at 4.5:1 or more (1.4.3), a form field's
 * border (`--field`) and the focus ring at 3:1 or more (1.4.11); `--line` only separates and may
 * be fainter. test/pages/style.test.ts computes every pair.
 *
 * At 320 CSS px (a phone, or 1280 px zoomed to 400%) nothing scrolls sideways (1.4.10): endpoint
 * paths, kids and claim URIs are single words longer than the line, so every text may break
 * inside a word where it would overflow, and a table cell (whose width its longest word would
 * otherwise set) anywhere.
 */
export const STYLESHEET = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #ffffff; --muted: #57606a; --line: #d0d7de; --field: #6e7781; --ok: #1a7f37; --bad: #cf222e; --accent: #0550ae; --on-accent: #ffffff; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #30363d; --field: #6e7681; --ok: #3fb950; --bad: #f85149; --accent: #79c0ff; --on-accent: #0d1117; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); overflow-wrap: break-word; }
header, main, footer { max-width: 60rem; margin: 0 auto; padding: 1rem 1.25rem; }
header { border-bottom: 1px solid var(--line); }
header a { color: var(--fg); font-weight: 600; text-decoration: none; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, textarea:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 0.5rem; }
code, textarea, .value { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9rem; }
textarea { width: 100%; min-height: 12rem; padding: 0.5rem; color: var(--fg); background: var(--bg); border: 1px solid var(--field); border-radius: 6px; }
label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
button { margin-top: 0.75rem; padding: 0.5rem 1.25rem; font: inherit; font-weight: 600; color: var(--on-accent); background: var(--accent); border: 0; border-radius: 6px; cursor: pointer; }
button:disabled { cursor: not-allowed; opacity: 0.6; }
table { border-collapse: collapse; width: 100%; margin-top: 0.5rem; }
th, td { text-align: left; vertical-align: top; padding: 0.35rem 0.5rem; border-bottom: 1px solid var(--line); }
th { width: 12rem; color: var(--muted); font-weight: 600; }
th, td { overflow-wrap: anywhere; }
@media (max-width: 36rem) { th { width: 35%; } }
td.value { white-space: pre-wrap; }
.verdict { padding: 0.75rem 1rem; border-radius: 6px; border: 2px solid; font-weight: 600; }
.verdict[data-valid="true"] { color: var(--ok); border-color: var(--ok); }
.verdict[data-valid="false"] { color: var(--bad); border-color: var(--bad); }
.muted { color: var(--muted); }
ul.endpoints { padding-left: 1.25rem; }
form.signin { max-width: 22rem; }
nav.partners { max-width: 22rem; margin-top: 1.5rem; padding-top: 0.75rem; border-top: 1px solid var(--line); }
nav.partners p { margin: 0 0 0.25rem; color: var(--muted); }
nav.partners ul { margin: 0; padding-left: 1.25rem; }
input[type="text"], input[type="password"] { display: block; width: 100%; margin-bottom: 0.75rem; padding: 0.5rem; font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--field); border-radius: 6px; }
input:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.error { color: var(--bad); font-weight: 600; }
img.cleanup { position: absolute; width: 1px; height: 1px; overflow: hidden; }
`;

/** SHA-256 of {@link STYLESHEET}, base64url: its address holds it (see `assetPath`). */
export const STYLESHEET_SHA256 = "ljQjVjre3npf_XUczMrtKh9YpVDOKCHDrWgvh5DCXMU";
