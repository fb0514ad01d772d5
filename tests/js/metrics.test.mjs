// The KPI tiles' figures (static/board/metrics.js), under node's test runner.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as m from "../../static/board/metrics.js";

const MIN = 60000;

test("转化率 is paying buyers over peak viewers and nothing before anyone watched", () => {
  assert.equal(m.conversion(30, 1200), 0.025);
  assert.equal(m.conversion(5, 0), null);
});

test("UV价值 is GMV over peak viewers in cents", () => {
  assert.equal(m.uvValue(500000, 1000), 500);
  assert.equal(m.uvValue(100, null), null);
});

test("the last five minutes' GMV is compared with the five before", () => {
  const t = Array.from({ length: 11 }, (_, i) => i * MIN);
  // 100 a minute for five minutes, then 150 a minute.
  const gmv = t.map((_, i) => (i <= 5 ? i * 100 : 500 + (i - 5) * 150));
  assert.equal(m.windowChange(t, gmv), 0.5);
  assert.equal(m.fmtChange(m.windowChange(t, gmv)), "▲50%");
});

test("a series too short for two windows has no change", () => {
  const t = [0, MIN, 2 * MIN];
  assert.equal(m.windowChange(t, [0, 10, 20]), null);
  assert.equal(m.levelChange(t, [5, 6, 7]), null);
});

test("viewers now are compared with viewers five minutes ago", () => {
  const t = Array.from({ length: 7 }, (_, i) => i * MIN);
  const viewers = [1000, 1000, 900, 900, 800, 800, 750];
  assert.equal(m.levelChange(t, viewers), -0.25);
  assert.equal(m.fmtChange(-0.25), "▼25%");
});

test("GMV per minute is what the last minute added, counted from the start before a minute passed", () => {
  const t = [0, 30000, 60000, 90000];
  assert.deepEqual(m.perMinute(t, [0, 50, 100, 400]), [0, 50, 100, 350]);
});

test("a sparkline spans its box and needs two points", () => {
  assert.equal(m.sparkPoints([3], 100, 20), "");
  const pts = m.sparkPoints([0, 5, 10], 100, 20).split(" ");
  assert.deepEqual(pts, ["0.0,19.0", "50.0,10.0", "100.0,1.0"]);
});

test("no change reads ±0% and an unknown one reads nothing", () => {
  assert.equal(m.fmtChange(0.001), "±0%");
  assert.equal(m.fmtChange(null), "");
});
