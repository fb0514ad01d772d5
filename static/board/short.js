/* livestock board: short formats for the wall's narrow cells, pure (the language is a parameter):
 * minutes as "42分" / "11时05分" (zh) or "42m" / "11h05m" (en). Unit-tested by tests/js/short.test.mjs. */

/** Minutes → "<1分", "42分", "11时05分" (zh-CN) or "<1m", "42m", "11h05m" (en); not a number → "—". */
export function shortMinutes(m, lang) {
  if (typeof m !== "number" || !Number.isFinite(m) || m < 0) return "—";
  const zh = lang !== "en";
  if (m < 1) return zh ? "<1分" : "<1m";
  const whole = Math.round(m);
  if (whole < 60) return whole + (zh ? "分" : "m");
  const h = Math.floor(whole / 60);
  const mm = String(whole % 60).padStart(2, "0");
  return zh ? h + "时" + mm + "分" : h + "h" + mm + "m";
}

/** The page indicator: "第 1/3 页" (zh-CN) or "Page 1/3" (en); one page → "". */
export function pageLabel(page, pages, lang) {
  if (!(pages > 1)) return "";
  return lang === "en" ? "Page " + (page + 1) + "/" + pages : "第 " + (page + 1) + "/" + pages + " 页";
}
