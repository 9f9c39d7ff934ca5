import { describe, expect, it } from "vitest";
import { RepeatedFailureLog, type LogFields } from "../../src/web/log.ts";

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
