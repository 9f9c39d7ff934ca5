// What the paired rounds of one target scenario come to (scripts/bench/run.mjs): each ratio is
// the median of that ratio over the rounds, taken on its own. The rounds move with the machine,
// so one round's figures stand for none of the others: the round with the median ratio to the
// baseline need not be the one with the median share of the floor.

/** The element with the median `key` (the upper one for an even count). */
export function medianBy(xs, key) {
  return [...xs].sort((a, b) => key(a) - key(b))[xs.length >> 1];
}

/**
 * The row's ratios from its rounds (each with `ratio`, `ofFloor`, `floorRatio`, `cpuRatio`,
 * `cpuOfFloor`), each the median of its own values, and `mid`: the round with the median ratio
 * to the baseline, whose request rate and latencies the row shows.
 */
export function summarizeRounds(rounds) {
  const median = (k) => medianBy(rounds, (r) => r[k])[k];
  return {
    mid: medianBy(rounds, (r) => r.ratio),
    ratio: median("ratio"),
    ofFloor: median("ofFloor"),
    floorRatio: median("floorRatio"),
    cpuRatio: median("cpuRatio"),
    cpuOfFloor: median("cpuOfFloor"),
  };
}
