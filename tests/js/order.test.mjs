// The board's orderings and paging (static/board/order.js), under node's test runner.
import { test } from "node:test";
import assert from "node:assert/strict";
import { byUrgency, pageSlice, sortRows, visibleToasts } from "../../static/board/order.js";

const at = (min) => new Date(Date.UTC(2026, 11, 3, 12, min)).toISOString();

test("a critical warning comes before newer mild ones", () => {
  const open = [
    { id: 1, level: 3, at: at(0) },
    ...Array.from({ length: 8 }, (_, i) => ({ id: 10 + i, level: 1, at: at(5 + i) })),
  ];
  const { shown, hidden } = visibleToasts(open, 3);
  assert.equal(shown[0].id, 1);
  assert.equal(shown.length, 3);
  assert.equal(hidden, 6);
  assert.deepEqual(shown.slice(1).map((a) => a.id), [17, 16]);
});

test("warnings of one level are newest first", () => {
  const list = [
    { id: "a", level: 2, at: at(1) },
    { id: "b", level: 2, at: at(9) },
    { id: "c", level: 1, at: at(20) },
  ].sort(byUrgency);
  assert.deepEqual(list.map((a) => a.id), ["b", "a", "c"]);
});

test("the most severe warning shows even when only one pop-up fits", () => {
  const open = [{ id: 2, level: 1, at: at(9) }, { id: 3, level: 2, at: at(1) }];
  assert.deepEqual(visibleToasts(open, 0).shown.map((a) => a.id), [3]);
});

test("a warning updated in place keeps one pop-up and takes its new level", () => {
  const open = [{ id: 7, level: 1, at: at(1) }, { id: 8, level: 2, at: at(2) }];
  const updated = open.map((a) => (a.id === 7 ? { ...a, level: 3 } : a));
  const { shown } = visibleToasts(updated, 2);
  assert.deepEqual(shown.map((a) => a.id), [7, 8]);
});

test("rows put on air and next first, then level, then the soonest sell-out", () => {
  const skus = [
    { sku: "A", level: 0, sellout_minutes: 5 },
    { sku: "B", level: 2, sellout_minutes: 90 },
    { sku: "C", level: 2, sellout_minutes: 12 },
    { sku: "D", level: 3, sellout_minutes: null },
    { sku: "NEXT", level: 0 },
    { sku: "AIR", level: 0 },
    { sku: "E", level: 0, sellout_minutes: null },
  ];
  const order = sortRows(skus, "AIR", "NEXT").map((v) => v.sku);
  assert.deepEqual(order, ["AIR", "NEXT", "D", "C", "B", "A", "E"]);
});

test("codes of equal rows sort numerically so that SKU-2 comes before SKU-10", () => {
  const order = sortRows([{ sku: "SKU-10" }, { sku: "SKU-2" }], null, null).map((v) => v.sku);
  assert.deepEqual(order, ["SKU-2", "SKU-10"]);
});

test("rows that fit make one page", () => {
  assert.deepEqual(pageSlice(8, 10, 2, 0), { pages: 1, page: 0, from: 2, to: 8 });
});

test("24 rows with 10 per page and two pinned make three pages that cover every row", () => {
  const seen = new Set([0, 1]);
  const first = pageSlice(24, 10, 2, 0);
  assert.equal(first.pages, 3);
  for (let p = 0; p < first.pages; p++) {
    const { from, to } = pageSlice(24, 10, 2, p);
    assert.ok(to - from <= 8);
    for (let i = from; i < to; i++) seen.add(i);
  }
  assert.equal(seen.size, 24);
});

test("the page number wraps around after the last page", () => {
  assert.equal(pageSlice(24, 10, 2, 3).page, 0);
  assert.equal(pageSlice(24, 10, 2, 4).from, 10);
});
