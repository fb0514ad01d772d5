// The wall's short formats (static/board/short.js), under node's test runner.
import { test } from "node:test";
import assert from "node:assert/strict";
import { pageLabel, shortMinutes } from "../../static/board/short.js";

test("minutes under an hour are a number and 分 or m", () => {
  assert.equal(shortMinutes(42.4, "zh-CN"), "42分");
  assert.equal(shortMinutes(42.6, "en"), "43m");
});

test("hours and minutes are 11时05分 in Chinese and 11h05m in English", () => {
  assert.equal(shortMinutes(665, "zh-CN"), "11时05分");
  assert.equal(shortMinutes(665, "en"), "11h05m");
});

test("less than a minute and no estimate are said so", () => {
  assert.equal(shortMinutes(0.4, "zh-CN"), "<1分");
  assert.equal(shortMinutes(null, "en"), "—");
  assert.equal(shortMinutes(-3, "en"), "—");
});

test("the page indicator counts from one and is empty for a single page", () => {
  assert.equal(pageLabel(0, 3, "zh-CN"), "第 1/3 页");
  assert.equal(pageLabel(2, 3, "en"), "Page 3/3");
  assert.equal(pageLabel(0, 1, "zh-CN"), "");
});
