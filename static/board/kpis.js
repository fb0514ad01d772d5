/* livestock board: the KPI row: GMV (with the average order), orders and units (with the last
 * minute's growth), online viewers (with the peak) and the open warnings (with the worst one). */
import { t } from "../lib/i18n.js";
import { fmtInt, fmtMoney, isNum, moneyParts } from "../lib/format.js";
import { $, setText } from "../lib/dom.js";
import { board, openAlerts, popsUp } from "./state.js";

/** The window of the "last minute" growth, in milliseconds. */
const LAST_MINUTE_MS = 60000;

function setKpi(id, text) {
  setText($(id).querySelector(".kpi-main"), text);
}

function setSub(id, text) {
  setText($(id).querySelector(".kpi-sub"), text);
}

/** How much a cumulative series grew over the last minute. */
function lastMinute(arr) {
  const ser = board.live.state.series;
  const n = ser.t.length;
  if (n < 2 || !arr) return null;
  const tEnd = ser.t[n - 1];
  let i = n - 1;
  while (i > 0 && tEnd - ser.t[i - 1] <= LAST_MINUTE_MS) i--;
  const a = arr[i];
  const b = arr[n - 1];
  return isNum(a) && isNum(b) && i < n - 1 ? Math.max(0, b - a) : null;
}

/** The KPIs from the show view s (and the charts' "now" figures, which say the same). */
export function renderKpis(s) {
  setText($("chart-viewers-now"), s ? fmtInt(s.viewers) : "");
  setText($("chart-gmv-now"), s ? fmtMoney(s.gmv_cents, { cents: false }) : "");
  const gmv = s && isNum(s.gmv_cents) ? s.gmv_cents : 0;
  const parts = moneyParts(gmv);
  setKpi("kpi-gmv", parts.sign + parts.yuan);
  setText($("kpi-gmv").querySelector(".kpi-cents"), "." + parts.cents);
  const orders = s && isNum(s.orders) ? s.orders : 0;
  const units = s && isNum(s.units) ? s.units : 0;
  const viewers = s && isNum(s.viewers) ? s.viewers : 0;
  setKpi("kpi-orders", fmtInt(orders));
  setKpi("kpi-units", fmtInt(units));
  setKpi("kpi-viewers", fmtInt(viewers));

  setSub("kpi-gmv", orders > 0 ? t("kpi.avg_order", { v: fmtMoney(Math.round(gmv / orders)) }) : "");
  const ser = board.live.state.series;
  const dOrders = lastMinute(ser.orders);
  const dUnits = lastMinute(ser.units);
  setSub("kpi-orders", dOrders !== null ? t("kpi.per_min", { v: fmtInt(dOrders) }) : "");
  setSub("kpi-units", dUnits !== null ? t("kpi.per_min", { v: fmtInt(dUnits) }) : "");
  let peak = Math.max(viewers, s && isNum(s.peak_viewers) ? s.peak_viewers : 0);
  for (const v of ser.viewers) if (isNum(v) && v > peak) peak = v;
  setSub("kpi-viewers", peak > 0 ? t("kpi.peak", { v: fmtInt(peak) }) : "");
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
