/* livestock reports: the daily movement report (GET /api/v1/reports/daily?date=): a date picker,
 * the day's totals, and one row per SKU on the on-hand basis. */
import { t } from "../lib/i18n.js";
import { $, h, setText } from "../lib/dom.js";
import { card, fill, getJson, num, panel, product, setDownloads, showEmpty, showFailure, signed, table } from "./common.js";

const ENDPOINT = "/api/v1/reports/daily";
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** The columns after the product, in API.md's order; ref marks the informational ones. */
const COLUMNS = [
  { key: "opening" },
  { key: "received", sign: true },
  { key: "sold", ref: true },
  { key: "refunded", ref: true },
  { key: "shipped" },
  { key: "adjusted", sign: true },
  { key: "damaged", ref: true, sign: true },
  { key: "closing", strong: true },
  { key: "counted", ref: true },
  { key: "variance", ref: true, sign: true },
];

function shiftDay(date, days) {
  const d = new Date(date + "T12:00:00Z");
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function go(date) {
  const url = new URL(location.href);
  url.searchParams.set("date", date);
  url.searchParams.delete("token");
  location.assign(url.toString());
}

function datePicker(date) {
  const input = h("input", { type: "date", id: "report-date", value: date || "", "aria-label": t("daily.date") });
  input.addEventListener("change", () => input.value && go(input.value));
  const step = (days, key, cls) =>
    h("button", { type: "button", class: "btn btn-step " + cls, title: t(key), "aria-label": t(key), onclick: () => date && go(shiftDay(date, days)) });
  return h(
    "div",
    { class: "date-picker" },
    h("label", { for: "report-date", text: t("daily.date") }),
    step(-1, "daily.prev", "prev"),
    input,
    step(1, "daily.next", "next"),
  );
}

function cell(c, r) {
  const v = r[c.key];
  return c.sign ? signed(v) : num(v);
}

export async function render() {
  setText($("report-sub"), t("daily.sub"));
  const asked = new URLSearchParams(location.search).get("date");
  const params = asked ? { date: asked } : {};
  setDownloads(null);
  const res = await getJson(ENDPOINT + (asked ? "?date=" + encodeURIComponent(asked) : ""));
  if (res.status === 422) {
    fill($("report-meta"), datePicker(null));
    showEmpty("daily.bad_date", null);
    return;
  }
  if (res.status !== 200 || !res.body) return showFailure(res.status);
  const report = res.body;
  const date = DAY_RE.test(report.date || "") ? report.date : asked;
  fill($("report-meta"), 
    datePicker(date),
    h("span", { class: "meta-note", text: t("daily.zone", { z: report.timezone || "" }) }),
  );
  setDownloads(ENDPOINT, date ? { date } : params);
  const rows = Array.isArray(report.rows) ? report.rows : [];
  const totals = report.totals || {};
  fill($("report-summary"), 
    card(t("daily.opening"), num(totals.opening)),
    card(t("daily.received"), signed(totals.received), null, "in"),
    card(t("daily.shipped"), num(totals.shipped), null, "out"),
    card(t("daily.adjusted"), signed(totals.adjusted), null, totals.adjusted < 0 ? "warn" : null),
    card(t("daily.closing"), num(totals.closing), null, "main"),
    card(t("daily.sold"), num(totals.sold), t("daily.informational"), "ref"),
    card(t("daily.refunded"), num(totals.refunded), t("daily.informational"), "ref"),
    card(t("daily.variance"), signed(totals.variance), t("daily.informational"), totals.variance ? "warn" : "ref"),
  );
  if (!rows.length) return showEmpty("daily.empty_title", "daily.empty_body");
  const columns = [
    { label: t("report.name"), cls: "product-col", cell: (r) => (r.__total ? t("report.total") : product(r.name, r.sku)) },
    ...COLUMNS.map((c) => ({
      label: t("daily." + c.key),
      title: c.ref ? t("daily.informational") : null,
      cls: "n" + (c.ref ? " ref" : "") + (c.strong ? " strong" : ""),
      cell: (r) => cell(c, r),
    })),
  ];
  const footer = Object.assign({ __total: true, __cls: "total" }, totals);
  const note = t("daily.count", { n: rows.length });
  fill($("report-body"), panel(t("report.daily") + " · " + (date || ""), note, table(columns, rows, footer, "daily")));
}
