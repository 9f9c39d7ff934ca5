/**
 * Log lines (src/web/log.ts) stay one line each, shown as they are, whatever text a caller put
 * in a logged field; a failure that every request meets is logged once an interval.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { RepeatedFailureLog, logError, logEvent, type LogFields } from "../../src/web/log.ts";

afterEach(() => vi.restoreAllMocks());

function captured(write: () => void, stream: "log" | "error" = "log"): string {
  const lines: string[] = [];
  vi.spyOn(console, stream).mockImplementation((s: unknown) => void lines.push(String(s)));
  write();
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

// A requestor a client chose: line terminators around a forged audit line, C1 controls (NEL,
// 8-bit CSI), bidirectional overrides, and the ASCII controls JSON.stringify escapes itself.
const FORGED = `{"event":"audit","operation":"wstrust.issue","requestor":"admin","result":"success"}`;
const HOSTILE = `alice\u2028${FORGED}\u2029x\u0085${FORGED}\u009b2J\u202egnp.exe\u2066\u200f\r\n\u001b[31m`;

describe("log lines", () => {
  it("write every line terminator, C1 control and bidirectional control as a \\u escape: one line, the same JSON value", () => {
    const line = captured(() => logEvent({ event: "audit", requestor: HOSTILE }));
    expect(line).not.toMatch(/[\u0000-\u001f\u0080-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    // Every way of splitting text into lines sees one line.
    expect(line.split(/\r\n|[\n\r\u000b\u000c\u001c-\u001e\u0085\u2028\u2029]/)).toHaveLength(1);
    expect(line.match(/^.*$/gmu)).toEqual([line]);
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(parsed.requestor).toBe(HOSTILE);
    expect(Object.keys(parsed)).toEqual(["ts", "event", "requestor"]);
    expect(line).toContain("\\u2028");
  });

  it("leave other text as it is", () => {
    const line = captured(() => logEvent({ event: "audit", requestor: "zoë 名前 ☃ \u00a0" }));
    expect(line).toContain('"requestor":"zoë 名前 ☃ \u00a0"');
  });

  it("do the same for an unhandled error's message", () => {
    const line = captured(() => logError("POST", "/x", new Error(`bad\u2028${FORGED}`)), "error");
    expect(line).not.toContain("\u2028");
    expect((JSON.parse(line) as { error: string }).error).toBe(`bad\u2028${FORGED}`);
  });
});

const MINUTE = 60_000;

/** A log on a clock the test moves, and the lines it wrote. */
function logOnClock() {
  let now = 1_700_000_000_000;
  const lines: LogFields[] = [];
  const log = new RepeatedFailureLog({ intervalMs: MINUTE, now: () => now, log: (f) => void lines.push(f) });
  let n = 0;
  const fail = (key = "db") => log.failed(key, () => ({ event: "down", message: `failure ${++n}` }));
  const recover = (key = "db") => log.succeeded(key, (failures) => ({ event: "up", failures }));
  return { lines, fail, recover, advance: (ms: number) => void (now += ms) };
}

describe("RepeatedFailureLog", () => {
  it("logs the first failure at once, then one line per interval saying how many were not logged", () => {
    const { lines, fail, advance } = logOnClock();
    fail();
    expect(lines).toEqual([{ event: "down", message: "failure 1" }]);
    for (let i = 0; i < 1000; i++) {
      advance(10);
      fail();
    }
    // 10 s later: still the one line.
    expect(lines).toHaveLength(1);
    advance(MINUTE - 10_000 - 1);
    fail();
    expect(lines).toHaveLength(1);
    advance(1);
    fail();
    // A line is built only when it is logged: this is the second built.
    expect(lines).toEqual([
      { event: "down", message: "failure 1" },
      { event: "down", message: "failure 2", suppressed: 1001 },
    ]);
    // The count starts again from that line.
    advance(MINUTE);
    fail();
    expect(lines[2]).toEqual({ event: "down", message: "failure 3", suppressed: 0 });
  });

  it("says once when it works again, with every failure counted, and then starts afresh", () => {
    const { lines, fail, recover, advance } = logOnClock();
    recover(); // no failure before: nothing to say
    expect(lines).toEqual([]);
    for (let i = 0; i < 5; i++) fail();
    recover();
    recover();
    expect(lines).toEqual([{ event: "down", message: "failure 1" }, { event: "up", failures: 5 }]);
    // A new failure, within the interval of the last line, is logged at once: it is news.
    advance(1);
    fail();
    expect(lines.at(-1)).toEqual({ event: "down", message: "failure 2" });
  });

  it("follows each key on its own", () => {
    const { lines, fail, recover } = logOnClock();
    fail("a");
    fail("b");
    fail("a");
    recover("b");
    expect(lines).toEqual([
      { event: "down", message: "failure 1" },
      { event: "down", message: "failure 2" },
      { event: "up", failures: 1 },
    ]);
  });
});
