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

export function get(p: Record<string, string>, cookie?: string): Promise<Response> {
  return call(query(p), { headers: cookie ? { cookie } : {} });
}

export function post(form: Record<string, string>, cookie?: string): Promise<Response> {
  return call("/wsfed", {
    method: "POST",
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

/** GET the sign-in page for `p`, then post it with the credentials: the final response. */
export async function signIn(p: Record<string, string>, user = "alice", password = "wonderland"): Promise<Response> {
  const page = await (await get({ wa: "wsignin1.0", ...p })).text();
  return post({ ...formFields(page), username: user, password });
}

/** The session cookie's `name=value` from a Set-Cookie header. */
export function sessionCookie(res: Response): string | undefined {
  const h = res.headers.get("set-cookie");
  const m = h ? /(sts_session=[^;]*)/.exec(h) : null;
  return m?.[1];
}
