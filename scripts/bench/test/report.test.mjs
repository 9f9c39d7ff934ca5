// Self-tests of the benchmark report's target statuses (Node 22: `node --test 'scripts/bench/test/*.test.mjs'`).
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderTable } from "../report.mjs";

const report = (targets) => ({ machine: { cores: 2, cpu: "test", node: "v22", workerd: "w", os: "linux" }, settings: {}, scenarios: [], targets });
const status = (t) => renderTable(report([t])).split("\n").at(-1).trim();

test("a ≤ target whose floor is above it is out of reach; one whose floor is below it is only missed", () => {
  const base = { what: "lookup adds ≤ 1 ms", min: null, max: 1, unit: "ms" };
  assert.match(status({ ...base, value: 1.6, met: false, floor: 1.2 }), /1\.60 ms\s+1\.20 ms\s+MISSED \(floor above target\)$/);
  assert.match(status({ ...base, value: 1.6, met: false, floor: 0.6 }), /1\.60 ms\s+0\.60 ms\s+MISSED$/);
  assert.match(status({ ...base, value: 0.8, met: true, floor: 0.6 }), /0\.80 ms\s+0\.60 ms\s+met$/);
});

test("a ≥ target whose floor is below it is out of reach", () => {
  const base = { what: "rate ≥ 0.8 ×", min: 0.8, unit: "×" };
  assert.match(status({ ...base, value: 0.12, met: false, floor: 0.12 }), /MISSED \(floor below target\)$/);
  assert.match(status({ ...base, value: 0.6, met: false, floor: 0.9 }), /0\.60×\s+0\.90×\s+MISSED$/);
});
