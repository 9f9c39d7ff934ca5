/**
 * The sign-in form as assistive technology meets it: labelled fields with autocomplete, and when
 * the form comes back with an error, a title that says so, an alert, and the fields to fill again
 * described by the message and marked invalid (WCAG 2.2 2.4.2, 3.3.1, 4.1.2).
 */
import { describe, expect, it } from "vitest";
import { call } from "../helpers/worker.ts";
import { RP, formFields, signInForm } from "../helpers/wsfed.ts";

/** The start tag of the input with this id. */
function input(html: string, id: string): string {
  const tag = new RegExp(`<input id="${id}"[^>]*>`).exec(html)?.[0];
  expect(tag, `an input #${id}`).toBeDefined();
  return tag!;
}

const title = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1];

describe("the sign-in form's states", () => {
  it("first shown: titled Sign in, no field marked, the focus in the username", async () => {
    const { browser: b } = await signInForm({ wtrealm: RP });
    const html = await (await b.get({ wa: "wsignin1.0", wtrealm: RP })).text();
    expect(title(html)).toBe("Sign in");
    expect(html).not.toContain("aria-invalid");
    expect(html).not.toContain('role="alert"');
    expect(input(html, "username")).toContain(" autofocus");
    expect(input(html, "password")).not.toContain("autofocus");
  });

  it("after a wrong password: the title says Error, both fields are marked invalid and described by the alert, the focus in the password", async () => {
    const { fields, browser: b } = await signInForm({ wtrealm: RP });
    const res = await b.post({ ...fields, username: "alice", password: "not-her-password" });
    expect(res.status).toBe(401);
    const html = await res.text();
    expect(title(html)).toBe("Error: Sign in");
    expect(html).toContain(`<p id="signin-error" class="error" role="alert">The username or password is incorrect.</p>`);
    for (const id of ["username", "password"]) {
      expect(input(html, id)).toContain(`aria-invalid="true" aria-describedby="signin-error"`);
    }
    expect(input(html, "username")).toContain(`value="alice"`);
    expect(input(html, "password")).toContain(" autofocus");
    expect(input(html, "username")).not.toContain("autofocus");
  });

  it("a username given without a password: only the password is marked; neither given: both, the focus in the username", async () => {
    const first = await signInForm({ wtrealm: RP });
    const noPassword = await (await first.browser.post({ ...first.fields, username: "alice", password: "" })).text();
    expect(title(noPassword)).toBe("Error: Sign in");
    expect(input(noPassword, "username")).not.toContain("aria-invalid");
    expect(input(noPassword, "password")).toContain(`aria-invalid="true" aria-describedby="signin-error"`);
    expect(input(noPassword, "password")).toContain(" autofocus");
    const second = await signInForm({ wtrealm: RP });
    const nothing = await (await second.browser.post({ ...second.fields, username: "", password: "" })).text();
    expect(input(nothing, "username")).toContain(`aria-invalid="true" aria-describedby="signin-error"`);
    expect(input(nothing, "password")).toContain(`aria-invalid="true" aria-describedby="signin-error"`);
    expect(input(nothing, "username")).toContain(" autofocus");
  });
});

describe("the sign-in form sent twice", () => {
  it("(Enter pressed again before the page changed, or Back re-posting it) signs nobody in by the second post, which answers a fresh form asking for the password, not a dead end", async () => {
    const { fields, browser: b } = await signInForm({ wtrealm: RP, wctx: "ctx-1" });
    const creds = { username: "alice", password: "wonderland" };
    const first = await b.post({ ...fields, ...creds });
    expect(first.status).toBe(200);
    expect(await first.text()).toContain("wresult");
    const second = await b.post({ ...fields, ...creds });
    expect(second.status).toBe(403);
    expect(second.headers.get("set-cookie")).toBeNull();
    const html = await second.text();
    expect(html).not.toContain("wresult");
    expect(title(html)).toBe("Error: Sign in");
    expect(html).toContain(`role="alert">This form was already sent. Enter your password again to continue.</p>`);
    expect(input(html, "password")).toContain(`aria-invalid="true"`);
    expect(input(html, "username")).toContain(`value="alice"`);
    // The form it shows is a new one, for the same request, which signs in.
    const again = formFields(html);
    expect(again.csrf).not.toBe(fields.csrf);
    expect(again).toMatchObject({ wtrealm: RP, wctx: "ctx-1" });
    const third = await b.post({ ...again, ...creds });
    expect(third.status).toBe(200);
    expect(await third.text()).toContain("wresult");
  });
});

describe("two tabs that opened the form together", () => {
  it("each got its own binding cookie, the later one kept: the other tab's post answers a fresh form bound to the kept cookie, which signs in", async () => {
    // Two first visits at once: neither request carried a binding, each answer set one.
    const a = await signInForm({ wtrealm: RP });
    const b = await signInForm({ wtrealm: RP, wctx: "tab-b" });
    const kept = b.browser.cookie()!;
    const creds = { username: "alice", password: "wonderland" };
    const postFrom = (fields: Record<string, string>) =>
      call("/wsfed", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", cookie: kept }, body: new URLSearchParams({ ...fields, ...creds }) });
    const stale = await postFrom(a.fields);
    expect(stale.status).toBe(403);
    expect(stale.headers.get("set-cookie")).toBeNull();
    const html = await stale.text();
    expect(html).not.toContain("wresult");
    expect(title(html)).toBe("Error: Sign in");
    expect(html).toContain(`role="alert">This form is out of date. Enter your username and password again.</p>`);
    expect(input(html, "username")).toContain(`value=""`);
    expect(input(html, "username")).toContain(" autofocus");
    const fresh = await postFrom(formFields(html));
    expect(fresh.status).toBe(200);
    expect(await fresh.text()).toContain("wresult");
    // The tab whose cookie was kept signs in with its own form as it is.
    expect((await postFrom(b.fields)).status).toBe(200);
  });
});
