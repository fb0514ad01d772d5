/* livestock reports: the pre-show check (GET /api/v1/show/precheck): the verdict, then one row per
 * lineup product with what it has, what its slot needs and why it fails. No show: 暂无直播. */
import { t } from "../lib/i18n.js";
import { $, h, setText } from "../lib/dom.js";
import { card, fill, fmtWhen, findingText, getJson, num, panel, product, setDownloads, showEmpty, showFailure, channelName, showEndpoint, table } from "./common.js";

const ENDPOINT = showEndpoint("precheck");

function badge(pass) {
  return h("span", { class: "badge " + (pass ? "badge-ok" : "badge-bad"), text: t(pass ? "precheck.ok" : "precheck.bad") });
}

/** Reasons (red) and notes (grey) as a list of sentences. */
function findings(item) {
  const reasons = (Array.isArray(item.reasons) ? item.reasons : []).map(findingText).filter(Boolean);
  const notes = (Array.isArray(item.notes) ? item.notes : []).map(findingText).filter(Boolean);
  if (!reasons.length && !notes.length) return h("span", { class: "muted", text: t("precheck.no_reasons") });
  return h(
    "ul",
    { class: "findings" },
    ...reasons.map((r) => h("li", { class: "finding-bad", text: r })),
    ...notes.map((n) => h("li", { class: "finding-note", text: n })),
  );
}

function mismatches(item) {
  const gaps = Array.isArray(item.channel_mismatches) ? item.channel_mismatches : [];
  if (!gaps.length) return "0";
  return h("div", { class: "gaps" }, ...gaps.map((g) => h("div", { text: channelName(g.channel) + " " + num(g.displayed) + " / " + num(g.available) })));
}

export async function render() {
  setText($("report-sub"), t("precheck.sub"));
  setDownloads(null);
  const res = await getJson(ENDPOINT);
  if (res.status === 404 || (res.status === 200 && res.body && res.body.state === "none")) {
    return showEmpty("report.no_show_title", "report.precheck_no_show_body");
  }
  if (res.status !== 200 || !res.body) return showFailure(res.status);
  const check = res.body;
  const items = Array.isArray(check.items) ? check.items : [];
  const failed = typeof check.failed === "number" ? check.failed : items.filter((i) => i.pass === false).length;
  setDownloads(ENDPOINT);
  fill($("report-meta"), 
    check.title ? h("span", { class: "meta-title", text: check.title }) : null,
    check.checked_at ? h("span", { class: "meta-note", text: t("report.generated", { t: fmtWhen(check.checked_at) }) }) : null,
  );
  const pass = check.pass === true;
  const verdict = h(
    "div",
    { class: "verdict " + (pass ? "verdict-ok" : "verdict-bad") },
    h("span", { class: "verdict-mark", "aria-hidden": "true", text: pass ? "✓" : "!" }),
    h("span", { class: "verdict-text", text: pass ? t("precheck.pass") : t("precheck.fail", { n: failed || items.length }) }),
  );
  const general = (Array.isArray(check.reasons) ? check.reasons : []).map(findingText).filter(Boolean);
  fill($("report-summary"), 
    verdict,
    card(t("report.precheck"), t("precheck.items", { n: items.length })),
    card(t("precheck.bad"), num(failed), null, failed ? "warn" : "ok"),
    card(t("precheck.needed"), num(items.reduce((s, i) => s + (i.needed || 0), 0))),
    card(t("precheck.available"), num(items.reduce((s, i) => s + (i.available || 0), 0)), null, "main"),
  );
  if (!items.length) {
    const body = $("report-body");
    body.replaceChildren(panel(t("report.precheck"), null, h("p", { class: "panel-empty", text: general.join(" ") || t("precheck.empty_lineup") })));
    return;
  }
  const columns = [
    { label: t("precheck.status"), cls: "status", cell: (i) => badge(i.pass === true) },
    { label: t("report.name"), cls: "product-col", cell: (i) => product(i.name, i.sku) },
    { label: t("precheck.slot"), cls: "n", cell: (i) => num(i.slot_minutes) },
    { label: t("precheck.needed"), cls: "n", cell: (i) => num(i.needed) },
    { label: t("precheck.available"), cls: "n strong", cell: (i) => num(i.available) },
    { label: t("precheck.on_hand"), cls: "n", cell: (i) => num(i.on_hand) },
    { label: t("precheck.damaged"), cls: "n", cell: (i) => num(i.damaged) },
    { label: t("precheck.held"), cls: "n", cell: (i) => num(typeof i.held === "number" || typeof i.committed === "number" ? (i.held || 0) + (i.committed || 0) : undefined) },
    { label: t("precheck.mismatches"), cls: "n", cell: mismatches },
    { label: t("precheck.reasons"), cls: "reasons", cell: findings },
  ];
  const rows = items.map((i) => Object.assign({ __cls: i.pass === false ? "row-bad" : null }, i));
  fill($("report-body"), 
    general.length ? h("div", { class: "notice", text: general.join(" ") }) : null,
    panel(t("report.precheck"), t("precheck.items", { n: items.length }), table(columns, rows, null, "precheck")),
  );
}
