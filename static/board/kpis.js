/* livestock board: the KPI row (Douyin 罗盘's figures): GMV (average order), GMV per minute,
 * orders (units), 成交人数 (paying buyers), 转化率 (buyers ÷ peak viewers), UV价值 (GMV ÷ peak
 * viewers), online viewers (peak) and the open warnings (the worst one). A tile with a series in
 * the feed has its sparkline and its change against the previous five minutes (metrics.js). */
import { t } from "../lib/i18n.js";
import { fmtInt, fmtMoney, fmtMoneyShort, fmtPct, isNum, moneyParts } from "../lib/format.js";
import { $, setText } from "../lib/dom.js";
import { board, openAlerts, popsUp } from "./state.js";
import { conversion, fmtChange, levelChange, perMinute, sparkPoints, uvValue, windowChange } from "./metrics.js";

const SPARK_W = 100;
const SPARK_H = 24;
const SVG = "http://www.w3.org/2000/svg";

function setKpi(id, text) {
  setText($(id).querySelector(".kpi-main"), text);
}

function setSub(id, text) {
  setText($(id).querySelector(".kpi-sub"), text);
}

/** The tile's sparkline of values (made on first use). */
function spark(id, values) {
  const tile = $(id);
  let line = tile.querySelector(".kpi-spark polyline");
  if (!line) {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "kpi-spark");
    svg.setAttribute("viewBox", "0 0 " + SPARK_W + " " + SPARK_H);
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("aria-hidden", "true");
    line = document.createElementNS(SVG, "polyline");
    svg.appendChild(line);
    tile.appendChild(svg);
  }
  line.setAttribute("points", sparkPoints(values, SPARK_W, SPARK_H));
}

/** "较前5分 ▲12%" with its colour, or the fallback text when there is nothing to compare. */
function setChange(id, ratio, fallback) {
  const sub = $(id).querySelector(".kpi-sub");
  const c = fmtChange(ratio);
  setText(sub, c ? t("kpi.vs5", { v: c }) : fallback || "");
  sub.classList.toggle("up", !!c && ratio > 0.005);
  sub.classList.toggle("down", !!c && ratio < -0.005);
}

function peakOf(s, ser) {
  let peak = s && isNum(s.peak_viewers) ? s.peak_viewers : 0;
  if (s && isNum(s.viewers)) peak = Math.max(peak, s.viewers);
  for (const v of ser.viewers) if (isNum(v) && v > peak) peak = v;
  return peak;
}

/** Running peak of the viewers series, for UV价值 at each sample. */
function runningPeak(arr) {
  let p = 0;
  return arr.map((v) => (p = Math.max(p, isNum(v) ? v : 0)));
}

/** The KPIs from the show view s (and the charts' "now" figures, which say the same). */
export function renderKpis(s) {
  setText($("chart-viewers-now"), s ? fmtInt(s.viewers) : "");
  setText($("chart-gmv-now"), s ? fmtMoney(s.gmv_cents, { cents: false }) : "");
  const ser = board.live.state.series;
  const gmv = s && isNum(s.gmv_cents) ? s.gmv_cents : 0;
  const parts = moneyParts(gmv);
  setKpi("kpi-gmv", parts.sign + parts.yuan);
  setText($("kpi-gmv").querySelector(".kpi-cents"), "." + parts.cents);
  const orders = s && isNum(s.orders) ? s.orders : 0;
  const units = s && isNum(s.units) ? s.units : 0;
  const viewers = s && isNum(s.viewers) ? s.viewers : 0;
  const buyers = s && isNum(s.buyers) ? s.buyers : 0;
  const peak = peakOf(s, ser);

  setSub("kpi-gmv", orders > 0 ? t("kpi.avg_order", { v: fmtMoney(Math.round(gmv / orders)) }) : "");
  spark("kpi-gmv", ser.gmv_cents);

  const gmvRate = perMinute(ser.t, ser.gmv_cents);
  setKpi("kpi-gmvmin", fmtMoneyShort(gmvRate.length ? gmvRate[gmvRate.length - 1] : 0));
  setChange("kpi-gmvmin", windowChange(ser.t, ser.gmv_cents));
  spark("kpi-gmvmin", gmvRate);

  setKpi("kpi-orders", fmtInt(orders));
  setChange("kpi-orders", windowChange(ser.t, ser.orders), t("kpi.units_sub", { v: fmtInt(units) }));
  spark("kpi-orders", ser.orders);

  setKpi("kpi-buyers", fmtInt(buyers));
  setChange("kpi-buyers", windowChange(ser.t, ser.buyers), t("kpi.units_sub", { v: fmtInt(units) }));
  spark("kpi-buyers", ser.buyers);

  const peaks = runningPeak(ser.viewers);
  const conv = conversion(buyers, peak);
  setKpi("kpi-conv", conv === null ? t("unit.dash") : fmtPct(conv));
  const convSeries = ser.buyers.map((b, i) => (isNum(b) ? conversion(b, peaks[i]) : null));
  setChange("kpi-conv", levelChange(ser.t, convSeries), peak > 0 ? t("kpi.conv_def", { v: fmtInt(peak) }) : "");
  spark("kpi-conv", convSeries);

  const uv = uvValue(gmv, peak);
  setKpi("kpi-uv", uv === null ? t("unit.dash") : uv < 1e6 ? fmtMoney(Math.round(uv)) : fmtMoneyShort(uv));
  const uvSeries = ser.gmv_cents.map((g, i) => (peaks[i] > 0 && isNum(g) ? g / peaks[i] : null));
  setChange("kpi-uv", levelChange(ser.t, uvSeries));
  spark("kpi-uv", uvSeries);

  setKpi("kpi-viewers", fmtInt(viewers));
  setChange("kpi-viewers", levelChange(ser.t, ser.viewers), peak > 0 ? t("kpi.peak", { v: fmtInt(peak) }) : "");
  spark("kpi-viewers", ser.viewers);
}

/** The open-warnings KPI: fading hits are on the watch list instead, so they are not counted. */
export function renderAlertKpi() {
  const open = openAlerts().filter(popsUp);
  const el = $("kpi-alerts");
  setText(el.querySelector(".kpi-main"), fmtInt(open.length));
  let top = null;
  for (const a of open) if (!top || a.level > top.level || (a.level === top.level && (a.at || "") > (top.at || ""))) top = a;
  el.classList.remove("has-1", "has-2", "has-3");
  const level = top ? Math.min(3, Math.max(1, top.level | 0)) : 0;
  if (top) el.classList.add("has-" + level);
  const sub = top ? t("kpi.top", { l: t("level." + level), k: t("alert.kind." + top.kind) }) : board.gotState ? t("kpi.none_open") : "";
  setText(el.querySelector(".kpi-sub"), sub);
}
