/* livestock: how the screens print numbers: money from integer cents, counts, minutes,
 * percentages, rates, clock times and durations. Nothing here touches the DOM. */
import { lang, t } from "./i18n.js";

const intFmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const oneDec = new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const twoDec = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function isNum(v) {
  return typeof v === "number" && Number.isFinite(v);
}

/** 1234567 → "1,234,567"; null → "—". */
export function fmtInt(n) {
  return isNum(n) ? intFmt.format(Math.round(n)) : t("unit.dash");
}

/** Integer cents → {sign, yuan: "1,234", cents: "56"}, exact (no float rounding on the cents). */
export function moneyParts(cents) {
  if (!isNum(cents)) return null;
  const c = Math.round(cents);
  const abs = Math.abs(c);
  return {
    sign: c < 0 ? "-" : "",
    yuan: intFmt.format(Math.floor(abs / 100)),
    cents: String(abs % 100).padStart(2, "0"),
  };
}

/** Integer cents → "¥1,234.56" (or "¥1,234" with {cents:false}). */
export function fmtMoney(cents, opts) {
  const p = moneyParts(cents);
  if (!p) return t("unit.dash");
  const withCents = !opts || opts.cents !== false;
  return p.sign + "¥" + p.yuan + (withCents ? "." + p.cents : "");
}

/** Short money for chart axes: ¥8,500 · ¥12.3万 · ¥1.2亿 (zh) or ¥12.3K · ¥4.5M (en). */
export function fmtMoneyShort(cents) {
  if (!isNum(cents)) return t("unit.dash");
  return "¥" + fmtCompact(cents / 100);
}

function trimZero(s) {
  return s.replace(/\.0$/, "");
}

/** Compact count: 12,345 → "1.2万" (zh) / "12.3K" (en); below 10,000 the plain number. */
export function fmtCompact(n) {
  if (!isNum(n)) return t("unit.dash");
  const a = Math.abs(n);
  const sign = n < 0 ? "-" : "";
  if (a < 10000) return sign + intFmt.format(Math.round(a));
  if (lang === "zh-CN") {
    if (a < 1e8) return sign + trimZero(oneDec.format(a / 1e4)) + t("unit.wan");
    return sign + trimZero(oneDec.format(a / 1e8)) + t("unit.yi");
  }
  if (a < 1e6) return sign + trimZero(oneDec.format(a / 1e3)) + "K";
  if (a < 1e9) return sign + trimZero(oneDec.format(a / 1e6)) + "M";
  return sign + trimZero(oneDec.format(a / 1e9)) + "B";
}

/** Minutes → "42 分钟", "1 小时 05 分", "<1 分钟"; null → "—". */
export function fmtMinutes(m) {
  if (!isNum(m) || m < 0) return t("unit.dash");
  if (m < 1) return t("unit.less_than_minute");
  const whole = Math.round(m);
  if (whole < 60) return t("unit.minutes", { n: whole });
  const h = Math.floor(whole / 60);
  const mm = whole % 60;
  return t("unit.hours_minutes", { h: intFmt.format(h), m: String(mm).padStart(2, "0") });
}

/** 0..1 → "83%" (one decimal below 10%). */
export function fmtPct(x) {
  if (!isNum(x)) return t("unit.dash");
  const p = Math.max(0, x) * 100;
  // A live room's conversion is often under 1%: 0.03% is not "0.0%".
  const text = p > 0 && p < 1 ? twoDec.format(p) : p > 0 && p < 10 ? oneDec.format(p) : intFmt.format(Math.round(p));
  return text + "%";
}

/** Units per minute → "12.3". */
export function fmtRate(r) {
  if (!isNum(r)) return t("unit.dash");
  if (r === 0) return "0";
  return r < 100 ? oneDec.format(r) : intFmt.format(Math.round(r));
}

function pad2(n) {
  return String(n).padStart(2, "0");
}

/** Date or epoch ms → "20:01:05" (or "20:01" with withSeconds false). */
export function fmtClock(d, withSeconds) {
  const x = d instanceof Date ? d : new Date(d);
  if (Number.isNaN(x.getTime())) return t("unit.dash");
  const hm = pad2(x.getHours()) + ":" + pad2(x.getMinutes());
  return withSeconds === false ? hm : hm + ":" + pad2(x.getSeconds());
}

/** Milliseconds → "1:02:03" / "02:03". */
export function fmtDuration(ms) {
  if (!isNum(ms) || ms < 0) return t("unit.dash");
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return (h > 0 ? h + ":" + pad2(m) : pad2(m)) + ":" + pad2(sec);
}

/** RFC 3339 → epoch ms, or null. */
export function parseTime(s) {
  if (!s) return null;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : ms;
}
