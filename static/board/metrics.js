/* livestock board: the Douyin-罗盘 style figures of the KPI tiles, pure (no DOM, no feed):
 * 转化率, UV价值, GMV per minute, the change against the previous five minutes, and a sparkline's
 * points. Series are the feed's (src/domain/series.rs): times in ms and cumulative counts (GMV in
 * cents, orders, units) or levels (viewers). Unit-tested by tests/js/metrics.test.mjs. */

/** The window of "the previous five minutes", in milliseconds. */
export const WINDOW_MS = 5 * 60000;

function num(v) {
  return typeof v === "number" && Number.isFinite(v);
}

/** 转化率: paying buyers ÷ peak online viewers (0..1), or null before anyone watched. */
export function conversion(buyers, peakViewers) {
  return num(buyers) && num(peakViewers) && peakViewers > 0 ? buyers / peakViewers : null;
}

/** UV价值: GMV ÷ peak online viewers, in cents per viewer, or null before anyone watched. */
export function uvValue(gmvCents, peakViewers) {
  return num(gmvCents) && num(peakViewers) && peakViewers > 0 ? gmvCents / peakViewers : null;
}

/** The value of `arr` at (the last sample at or before) time `at`; null before the first sample. */
export function valueAt(t, arr, at) {
  let v = null;
  for (let i = 0; i < t.length && t[i] <= at; i++) if (num(arr[i])) v = arr[i];
  return v;
}

/** How much a cumulative series grew over (from, to]; null when the series does not reach back to from. */
export function growth(t, arr, from, to) {
  if (!t.length || t[0] > from) return null;
  const a = valueAt(t, arr, from);
  const b = valueAt(t, arr, to);
  return num(a) && num(b) ? b - a : null;
}

/**
 * The change of a figure against the previous window: (now − before) ÷ before, or null when
 * there is no "before" to compare with (or it was zero).
 */
export function change(now, before) {
  return num(now) && num(before) && before !== 0 ? (now - before) / Math.abs(before) : null;
}

/** The growth of a cumulative series in the last window against the window before it. */
export function windowChange(t, arr, windowMs = WINDOW_MS) {
  if (!t.length) return null;
  const end = t[t.length - 1];
  return change(growth(t, arr, end - windowMs, end), growth(t, arr, end - 2 * windowMs, end - windowMs));
}

/** A level series (viewers) now against windowMs before. */
export function levelChange(t, arr, windowMs = WINDOW_MS) {
  if (!t.length || t[0] > t[t.length - 1] - windowMs) return null;
  return change(arr[arr.length - 1], valueAt(t, arr, t[t.length - 1] - windowMs));
}

/**
 * What a cumulative series (counted from 0 at the show's start) grew in the minute up to each
 * sample: GMV per minute is the GMV of the last minute, never a few seconds extrapolated.
 */
export function perMinute(t, arr) {
  return t.map((at, i) => {
    if (!num(arr[i])) return 0;
    const before = t[0] <= at - 60000 ? valueAt(t, arr, at - 60000) : 0;
    return arr[i] - (num(before) ? before : 0);
  });
}

/**
 * Units sold per minute at each sample from a SKU's available-units series: what the available
 * fell by over the trailing minute (a restock, which raises it, counts as no sale).
 */
export function sellRate(t, available) {
  const sold = [];
  let total = 0;
  for (let i = 0; i < available.length; i++) {
    if (i > 0 && num(available[i]) && num(available[i - 1])) total += Math.max(0, available[i - 1] - available[i]);
    sold.push(total);
  }
  return perMinute(t, sold);
}

/** "▲12%" / "▼5%" / "±0%"; null → "". */
export function fmtChange(ratio) {
  if (!num(ratio)) return "";
  const p = Math.round(ratio * 100);
  if (p === 0) return "±0%";
  return (p > 0 ? "▲" : "▼") + Math.abs(p) + "%";
}

/** A sparkline's SVG polyline points for `values` in a w×h box (the last maxPoints values). */
export function sparkPoints(values, w, h, maxPoints = 60) {
  const v = values.filter(num).slice(-maxPoints);
  if (v.length < 2) return "";
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  const span = hi - lo || 1;
  return v
    .map((x, i) => {
      const px = (i / (v.length - 1)) * w;
      const py = h - ((x - lo) / span) * (h - 2) - 1;
      return px.toFixed(1) + "," + py.toFixed(1);
    })
    .join(" ");
}
