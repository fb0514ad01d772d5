/* livestock board: the three charts (uPlot, vendored as window.uPlot): the stock of the product
 * on air and of the ticked SKUs with its warning tiers, the online viewers and the GMV; each
 * resized with its box and drawn from the feed's series. */
import { t } from "../lib/i18n.js";
import { fmtClock, fmtCompact, fmtInt, fmtMoneyShort, isNum } from "../lib/format.js";
import { $, h, setText } from "../lib/dom.js";
import { colorFor, picks } from "./picks.js";
import { board, show } from "./state.js";

const AXIS = "#7d8a9c";
const GRID = "rgba(255,255,255,0.06)";
/** The product on air's warning tiers, as shares of its base, with their colours. */
const TIERS = [
  [0.2, "#f5b700"],
  [0.1, "#ff7a1a"],
  [0.05, "#ff3b3b"],
];

/**
 * Stock lines for SKUs the server does not sample (ticked by the operator): recorded here from
 * the live stock views at each sample, aligned with series.t.
 */
const extra = {
  lines: new Map(),
  reset() {
    this.lines.clear();
    this.ensure();
  },
  wanted() {
    const s = show();
    const set = new Set(picks);
    if (s && s.current) set.add(s.current);
    return set;
  },
  ensure() {
    const live = board.live;
    if (!live) return;
    const ser = live.state.series;
    const n = ser.t.length;
    for (const sku of this.wanted()) {
      if (ser.stock[sku] || this.lines.has(sku)) continue;
      const arr = new Array(n).fill(null);
      const v = live.sku(sku);
      if (n && v) arr[n - 1] = v.available;
      this.lines.set(sku, arr);
    }
  },
  onSample() {
    const live = board.live;
    const ser = live.state.series;
    const n = ser.t.length;
    this.ensure();
    for (const [sku, arr] of this.lines) {
      if (ser.stock[sku]) {
        this.lines.delete(sku);
        continue;
      }
      const v = live.sku(sku);
      arr.push(v ? v.available : arr.length ? arr[arr.length - 1] : null);
      if (arr.length > n) arr.splice(0, arr.length - n);
      while (arr.length < n) arr.unshift(null);
    }
    const want = this.wanted();
    for (const sku of this.lines.keys()) if (!want.has(sku)) this.lines.delete(sku);
  },
  get(sku) {
    return board.live.state.series.stock[sku] || this.lines.get(sku) || null;
  },
};

/** A snapshot replaced the series: the locally recorded lines start again. */
export function resetExtraLines() {
  extra.reset();
}

/** A sample came: the locally recorded lines take a point too. */
export function sampleExtraLines() {
  extra.onSample();
}

function axisFont() {
  const px = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  return Math.round(px * 0.78) + 'px "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif';
}

function gradientFill(color) {
  return (u) => {
    const g = u.ctx.createLinearGradient(0, u.bbox.top, 0, u.bbox.top + u.bbox.height);
    g.addColorStop(0, color + "55");
    g.addColorStop(1, color + "00");
    return g;
  };
}

// Tick steps: whole units on the y axes, whole seconds and round minutes on the time axis.
const Y_INCRS = [];
for (let e = 0; e <= 12; e++) for (const m of [1, 2, 5]) Y_INCRS.push(m * Math.pow(10, e));
const X_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600].map((s) => s * 1000);

function baseOpts(el, yFmt, yMin, unit) {
  const font = axisFont();
  const axis = { stroke: AXIS, font, grid: { stroke: GRID, width: 1 }, ticks: { show: false } };
  return {
    width: Math.max(100, el.clientWidth),
    height: Math.max(60, el.clientHeight),
    ms: 1,
    pxAlign: 0,
    // Room on the right for the last time label, which is centred on the plot's edge.
    padding: [8, 28, 0, 0],
    legend: { show: false },
    cursor: { drag: { x: false, y: false, setScale: false }, points: { show: false }, y: false },
    scales: {
      x: { time: true },
      y: { range: (u, min, max) => [0, max > 0 ? Math.max(max * 1.12, yMin || 0) : yMin || 10] },
    },
    axes: [
      {
        ...axis,
        space: 100,
        gap: 4,
        size: 28,
        incrs: X_INCRS,
        // Seconds only when the ticks are closer than a minute (the first minutes of a show).
        values: (u, vals) => {
          const step = vals.length > 1 ? vals[1] - vals[0] : 60000;
          return vals.map((v) => fmtClock(v, step < 60000));
        },
      },
      // The top tick carries the axis's unit (件, 人; money ticks carry ¥ each). Every y axis
      // starts at 0 (the range above), so the baseline goes unlabelled: its label would sit on
      // the time axis's first one.
      {
        ...axis,
        space: 30,
        gap: 6,
        size: 62,
        incrs: Y_INCRS,
        values: (u, vals) => vals.map((v, i) => (v === 0 ? "" : yFmt(v) + (unit && i === vals.length - 1 ? unit : ""))),
      },
    ],
    series: [{}],
  };
}

/** A uPlot in the element id, resized with its box; created lazily once the box has a size. */
function chartBox(id, makeOpts) {
  const el = $(id);
  const box = { el, plot: null, rebuild: false, makeOpts };
  new ResizeObserver(() => {
    if (box.plot && el.clientWidth > 0 && el.clientHeight > 0) box.plot.setSize({ width: el.clientWidth, height: el.clientHeight });
  }).observe(el);
  return box;
}

function drawInto(box, data, empty) {
  const emptyEl = box.el.querySelector(".chart-empty");
  if (emptyEl) emptyEl.style.display = empty ? "" : "none";
  if (empty) {
    // No axes over nothing: the hint says what will appear here.
    if (box.plot) box.plot.destroy();
    box.plot = null;
    box.rebuild = false;
    return;
  }
  if (box.rebuild && box.plot) {
    box.plot.destroy();
    box.plot = null;
  }
  box.rebuild = false;
  if (!box.plot) {
    if (box.el.clientWidth === 0 || box.el.clientHeight === 0) return;
    box.plot = new window.uPlot(box.makeOpts(box.el), data, box.el);
  } else box.plot.setData(data);
}

const viewersChart = chartBox("chart-viewers", (el) => {
  const o = baseOpts(el, (v) => fmtCompact(v), 0, t("axis.people"));
  o.series.push({ stroke: "#ff6fae", width: 2, fill: gradientFill("#ff6fae"), points: { show: false } });
  return o;
});

const gmvChart = chartBox("chart-gmv", (el) => {
  const o = baseOpts(el, (v) => fmtMoneyShort(v * 100), 100);
  o.series.push({ stroke: "#ffc53d", width: 2, fill: gradientFill("#ffc53d"), points: { show: false } });
  return o;
});

let stockKeys = []; // the SKUs of the stock chart's series, in order
let stockCurrent = null;

/** Dashed tier lines (20% / 10% / 5% of base) for the product on air, labelled when apart. */
function drawTiers(u) {
  const cur = stockCurrent && board.live.sku(stockCurrent);
  if (!cur || !(cur.base > 0)) return;
  const ctx = u.ctx;
  const dpr = devicePixelRatio;
  ctx.save();
  ctx.setLineDash([6 * dpr, 6 * dpr]);
  ctx.lineWidth = dpr;
  ctx.font = axisFont().replace(/^(\d+)px/, (m, n) => Math.round(n * 0.9 * dpr) + "px");
  let lastLabel = -Infinity;
  for (const [f, col] of TIERS) {
    const y = u.valToPos(cur.base * f, "y", true);
    if (y < u.bbox.top || y > u.bbox.top + u.bbox.height) continue;
    const labelled = y - lastLabel >= 14 * dpr;
    ctx.strokeStyle = col + "aa";
    ctx.beginPath();
    ctx.moveTo(u.bbox.left, y);
    ctx.lineTo(u.bbox.left + u.bbox.width, y);
    ctx.stroke();
    if (!labelled) continue;
    lastLabel = y;
    ctx.fillStyle = col;
    ctx.textAlign = "right";
    ctx.textBaseline = "bottom";
    ctx.fillText(Math.round(f * 100) + "%", u.bbox.left + u.bbox.width - 4, y - 2);
  }
  ctx.restore();
}

const stockChart = chartBox("chart-stock", (el) => {
  const o = baseOpts(el, (v) => fmtCompact(v), 0, t("axis.pieces"));
  const hasShow = !!show();
  for (const sku of stockKeys) {
    const c = colorFor(sku, stockCurrent);
    const onAir = sku === stockCurrent;
    o.series.push({ stroke: c, width: onAir ? 3 : 1.75, fill: onAir ? gradientFill(c) : undefined, points: { show: false }, spanGaps: true });
  }
  o.hooks = { draw: [(u) => hasShow && drawTiers(u)] };
  return o;
});

/** Whether the stock chart's legend shows any of skus (its numbers then need redrawing). */
export function legendShows(skus) {
  return stockKeys.some((k) => skus.has(k));
}

/** Draws the three charts for show view s. */
export function renderCharts(s) {
  const ser = board.live.state.series;
  const n = ser.t.length;

  drawInto(viewersChart, [ser.t, ser.viewers], n === 0);
  drawInto(gmvChart, [ser.t, ser.gmv_cents.map((c) => (isNum(c) ? c / 100 : null))], n === 0);

  // Stock: the product on air first, then the ticked SKUs that exist.
  const current = s && s.current ? s.current : null;
  extra.ensure();
  const keys = [];
  if (current) keys.push(current);
  for (const p of picks) if (p !== current && board.live.sku(p)) keys.push(p);
  if (keys.join("\u0000") !== stockKeys.join("\u0000") || current !== stockCurrent) {
    stockKeys = keys;
    stockCurrent = current;
    stockChart.rebuild = true;
  }
  const data = [ser.t];
  for (const k of stockKeys) {
    const arr = extra.get(k);
    data.push(arr && arr.length === n ? arr : new Array(n).fill(null));
  }
  setText($("chart-stock-empty"), stockKeys.length ? t("chart.waiting") : t("chart.no_stock"));
  drawInto(stockChart, data, n === 0 || stockKeys.length === 0);
  renderStockLegend();
}

/** The stock chart's legend: each line's colour, product and units available now. */
export function renderStockLegend() {
  $("stock-legend").replaceChildren(
    ...stockKeys.map((sku) => {
      const v = board.live.sku(sku);
      return h(
        "span",
        { class: "legend-item" + (sku === stockCurrent ? " is-onair" : ""), style: "--swatch:" + colorFor(sku, stockCurrent), title: sku },
        h("span", { class: "legend-swatch" }),
        (v && v.name) || sku,
        h("b", { text: v ? fmtInt(v.available) : "" })
      );
    })
  );
}
