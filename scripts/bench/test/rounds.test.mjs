// The paired rounds' summary (scripts/bench/rounds.mjs): every ratio is its own median.
import assert from "node:assert/strict";
import { test } from "node:test";
import { medianBy, summarizeRounds } from "../rounds.mjs";

test("medianBy takes the middle element by key, the upper one for an even count", () => {
  assert.equal(medianBy([3, 1, 2], (x) => x), 2);
  assert.equal(medianBy([4, 1, 3, 2], (x) => x), 3);
});

test("each ratio of a row is the median of its own rounds, not the median-ratio round's", () => {
  // The round with the median ratio to the baseline (0.48) has the lowest share of its floor.
  const rounds = [
    { ratio: 0.46, ofFloor: 0.98, floorRatio: 0.47, cpuRatio: 0.45, cpuOfFloor: 0.97 },
    { ratio: 0.48, ofFloor: 0.86, floorRatio: 0.56, cpuRatio: 0.47, cpuOfFloor: 0.87 },
    { ratio: 0.49, ofFloor: 0.95, floorRatio: 0.52, cpuRatio: 0.48, cpuOfFloor: 0.96 },
    { ratio: 0.56, ofFloor: 1.04, floorRatio: 0.54, cpuRatio: 0.55, cpuOfFloor: 1.05 },
    { ratio: 0.45, ofFloor: 0.93, floorRatio: 0.48, cpuRatio: 0.44, cpuOfFloor: 0.93 },
  ];
  const s = summarizeRounds(rounds);
  assert.equal(s.mid, rounds[1]);
  assert.equal(s.ratio, 0.48);
  assert.equal(s.ofFloor, 0.95);
  assert.equal(s.floorRatio, 0.52);
  assert.equal(s.cpuRatio, 0.47);
  assert.equal(s.cpuOfFloor, 0.96);
});
