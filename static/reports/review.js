/* livestock reports: the post-show review (GET /api/v1/show/review): per-product reconciliation,
 * unpaid orders kept apart, and each anomaly as a sentence a person can act on: who, which
 * orders, why. No show, or one not started yet: 暂无直播. A number the answer lacks shows "—". */
import { lang, pick, t } from "../lib/i18n.js";
import { $, h, setText } from "../lib/dom.js";
import { fmtMoney } from "../lib/format.js";
import { card, fill, channelName, fmtWhen, getJson, num, panel, product, setDownloads, showEmpty, showFailure, showEndpoint, table } from "./common.js";

const ENDPOINT = showEndpoint("review");
const KINDS = ["bulk_order", "many_orders", "shared_address", "bad_address", "quick_refund"];

/** The number at o[key], or undefined. */
function first(o, key) {
  return typeof o[key] === "number" ? o[key] : undefined;
}

function money(cents) {
  return typeof cents === "number" ? fmtMoney(cents) : "—";
}

function orderName(o) {
  if (!o) return "";
  return channelName(o.channel) + " " + (o.order_id || "");
}

/** "买家 dy_u_8812 · 3 笔订单:抖音 DY-1、抖音 DY-2、快手 KS-9" */
function who(a) {
  const orders = (Array.isArray(a.orders) ? a.orders : []).map(orderName).filter(Boolean);
  const sep = lang === "en" ? ", " : "、";
  const list = orders.join(sep);
  const ordersText = orders.length === 1 ? t("review.anomaly_orders_one", { orders: list }) : orders.length ? t("review.anomaly_orders", { n: orders.length, orders: list }) : "";
  const buyer = a.buyer ? t("review.anomaly_buyer", { buyer: a.buyer }) : t("review.anomaly_unknown_buyer");
  return [buyer, ordersText].filter(Boolean).join(" · ");
}

function anomaly(a) {
  const kind = KINDS.includes(a.kind) ? a.kind : "other";
  const why = pick(a.why_zh, a.why_en);
  return h(
    "li",
    { class: "anomaly anomaly-" + kind },
    h("span", { class: "anomaly-kind", text: t("review.kind." + kind) }),
    h("div", { class: "anomaly-text" }, h("div", { class: "anomaly-who", text: who(a) }), why ? h("div", { class: "anomaly-why", text: why }) : null),
  );
}

function skusTable(skus) {
  const columns = [
    { label: t("report.name"), cls: "product-col", cell: (s) => product(s.name, s.sku) },
    { label: t("review.sold"), cls: "n", cell: (s) => num(first(s, "paid_units")) },
    { label: t("review.refunded"), cls: "n", cell: (s) => num(first(s, "refunded_units")) },
    { label: t("review.net"), cls: "n strong", cell: (s) => num(first(s, "net_units")) },
    { label: t("review.presale"), cls: "n", cell: (s) => num(first(s, "presale_units")) },
    { label: t("review.unpaid_units"), cls: "n", cell: (s) => num(first(s, "unpaid_units")) },
    { label: t("review.gmv"), cls: "n", cell: (s) => money(first(s, "net_gmv_cents")) },
    { label: t("review.available"), cls: "n", cell: (s) => num(first(s, "available")) },
  ];
  return table(columns, skus, null, "review-skus");
}

function unpaidTable(unpaid) {
  const columns = [
    { label: t("review.channel"), cell: (o) => channelName(o.channel) },
    { label: t("review.order"), cls: "mono", cell: (o) => o.order_id || "—" },
    { label: t("review.buyer"), cell: (o) => o.buyer || "—" },
    { label: t("review.units"), cls: "n", cell: (o) => num(first(o, "units")) },
    { label: t("review.since"), cls: "n", cell: (o) => fmtWhen(o.created_at) },
  ];
  return table(columns, unpaid, null, "review-unpaid");
}

export async function render() {
  setText($("report-sub"), t("review.sub"));
  setDownloads(null);
  const res = await getJson(ENDPOINT);
  const body = res.body;
  if (res.status === 404 || (res.status === 200 && body && (body.state === "none" || body.state === "planned"))) {
    return showEmpty("report.no_show_title", "report.review_no_show_body");
  }
  if (res.status !== 200 || !body) return showFailure(res.status);
  setDownloads(ENDPOINT);
  const skus = Array.isArray(body.skus) ? body.skus : [];
  const unpaid = Array.isArray(body.unpaid) ? body.unpaid : [];
  const anomalies = Array.isArray(body.anomalies) ? body.anomalies : [];
  fill($("report-meta"), 
    body.title ? h("span", { class: "meta-title", text: body.title }) : null,
    body.ended_at || body.started_at ? h("span", { class: "meta-note", text: fmtWhen(body.started_at) + " – " + fmtWhen(body.ended_at) }) : null,
  );
  const gmv = first(body, "gmv_cents");
  fill($("report-summary"), 
    card(t("review.gmv"), money(gmv !== undefined ? gmv : skus.reduce((s, x) => s + (x.net_gmv_cents || 0), 0)), null, "main"),
    card(t("review.net"), num(skus.reduce((s, x) => s + (first(x, "net_units") || 0), 0))),
    card(t("review.refunded"), num(skus.reduce((s, x) => s + (first(x, "refunded_units") || 0), 0))),
    card(t("review.unpaid"), t("review.count_unpaid", { n: unpaid.length }), null, unpaid.length ? "warn" : "ok"),
    card(t("review.anomalies"), t("review.count_anomalies", { n: anomalies.length }), null, anomalies.length ? "bad" : "ok"),
  );
  fill($("report-body"), 
    h(
      "div",
      { class: "review-grid" },
      panel(t("review.skus"), null, skus.length ? skusTable(skus) : h("p", { class: "panel-empty", text: t("review.none_skus") })),
      h(
        "div",
        { class: "review-side" },
        panel(t("review.anomalies"), t("review.count_anomalies", { n: anomalies.length }), anomalies.length ? h("ul", { class: "anomalies" }, ...anomalies.map(anomaly)) : h("p", { class: "panel-empty", text: t("review.none_anomalies") })),
        panel(t("review.unpaid"), t("review.count_unpaid", { n: unpaid.length }), unpaid.length ? unpaidTable(unpaid) : h("p", { class: "panel-empty", text: t("review.none_unpaid") })),
      ),
    ),
  );
}
