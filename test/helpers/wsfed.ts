/** Browser sign-in as a test drives it: the sign-in page, its form, the auto-post page, the cookie. */
import { call } from "./worker.ts";

export const RP = "urn:example:rp";
export const REPLY = "http://127.0.0.1:9780/wsfed";
export const SECURE_RP = "urn:example:secure-rp";

/** Reads an HTML attribute value back from its escaped form. */
export function unescapeHtml(s: string): string {
  return s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
}

/** The value of the hidden (or other) input `name` in a page. */
export function field(html: string, name: string): string | undefined {
  const m = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html);
  return m ? unescapeHtml(m[1]!) : undefined;
}

export function query(p: Record<string, string>): string {
  return "/wsfed?" + new URLSearchParams(p).toString();
}

/** How a test reaches a worker: the default one (`call`), or one under another configuration. */
type Fetcher = (path: string, init?: RequestInit) => Promise<Response>;

/** A GET of /wsfed; a redirect is returned, not followed (a browser test looks at where it goes). */
export function get(p: Record<string, string>, cookie?: string, f: Fetcher = call): Promise<Response> {
  return f(query(p), { headers: cookie ? { cookie } : {}, redirect: "manual" });
}

export function post(form: Record<string, string>, cookie?: string, f: Fetcher = call): Promise<Response> {
  return f("/wsfed", {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(form).toString(),
  });
}

/** The sign-in form's fields (hidden ones and the one-time token) of a sign-in page. */
export function formFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out[m[1]!] = unescapeHtml(m[2]!);
  return out;
}

/** One browser: what the STS sets as cookies it keeps and sends back, as a browser does. */
export interface Browser {
  get(p: Record<string, string>): Promise<Response>;
  post(form: Record<string, string>): Promise<Response>;
  /** The Cookie header it sends, if any. */
  cookie(): string | undefined;
}

export function browser(f: Fetcher = call): Browser {
  const jar = new Map<string, string>();
  const keep = (res: Response): Response => {
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(";")[0]!;
      const i = pair.indexOf("=");
      if (/;\s*Max-Age=0\b/i.test(c)) jar.delete(pair.slice(0, i));
      else jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  };
  const cookie = () => (jar.size ? [...jar].map(([n, v]) => `${n}=${v}`).join("; ") : undefined);
  return {
    get: async (p) => keep(await get(p, cookie(), f)),
    post: async (form) => keep(await post(form, cookie(), f)),
    cookie,
  };
}

/** The sign-in form for `p` as a new browser gets it: its fields, and that browser to post it from. */
export async function signInForm(p: Record<string, string>): Promise<{ fields: Record<string, string>; browser: Browser }> {
  const b = browser();
  const fields = formFields(await (await b.get({ wa: "wsignin1.0", ...p })).text());
  return { fields, browser: b };
}

/** GET the sign-in page for `p`, then post it with the credentials from the same browser: the final response. */
export async function signIn(p: Record<string, string>, user = "alice", password = "wonderland"): Promise<Response> {
  const { fields, browser: b } = await signInForm(p);
  return b.post({ ...fields, username: user, password });
}

/** The session cookie's `name=value` from a Set-Cookie header. */
export function sessionCookie(res: Response): string | undefined {
  const h = res.headers.get("set-cookie");
  const m = h ? /(sts_session=[^;]*)/.exec(h) : null;
  return m?.[1];
}
