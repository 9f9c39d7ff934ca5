import { describe, expect, it } from "vitest";
import { duplicateMember, duplicateMemberName } from "../../src/web/json-members.ts";

describe("duplicate JSON member names", () => {
  it("finds a name given twice in one object, at any depth, compared after unescaping", () => {
    expect(duplicateMemberName('{"a":1,"a":2}')).toBe("a");
    expect(duplicateMemberName('{"x":{"enabled":false , "enabled" :true}}')).toBe("enabled");
    expect(duplicateMemberName('[{"ok":1},{"claims":{"role":["user"],"role":["admin"]}}]')).toBe("role");
    expect(duplicateMemberName('{"user\\u006eame":"a","username":"b"}')).toBe("username");
    expect(duplicateMemberName('{"\\"":1,"\\"":2}')).toBe('"');
  });

  it("says where the second occurrence starts, so that a file's reader can name its line", () => {
    const text = '{"a": 1,\n "b": {"c": 2, "c": 3}}';
    expect(duplicateMember(text)).toEqual({ name: "c", offset: text.lastIndexOf('"c"') });
    expect(duplicateMember('{"a":1}')).toBeUndefined();
  });

  it("lets the same name stand in different objects, and strings that are values or array items", () => {
    for (const text of [
      '{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}',
      '{"a":"a","b":["a","a"],"c":"a:"}',
      '{"a\\\\":1,"a":2}',
      '{"k":"}{\\"k\\":","k2":"[\\"k\\":"}',
      '[]', '"a"', "1", "{}",
      "[".repeat(10_000) + "]".repeat(10_000),
    ]) expect(duplicateMemberName(text), text.slice(0, 40)).toBeUndefined();
  });
});
