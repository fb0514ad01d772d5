/* livestock reports: what the three report pages share: reading an endpoint, the empty and error
 * states, number cells, tables, summary cards and the download buttons. Text only, never HTML. */
import { pick, t } from "../lib/i18n.js";
import { $, h } from "../lib/dom.js";
import { fmtInt } from "../lib/format.js";

/**
 * GETs a JSON endpoint with the page's cookie: {status, body}. A network failure is status 0;
 * a body that is not JSON is null.
 */
export async function getJson(url) {
  try {
    const res = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    let body = null;
    try {
      body = await res.json();
    } catch (_) {
      body = null;
    }
    return { status: res.status, body };
  } catch (_) {
    return { status: 0, body: null };
  }
}

/** Replaces el's children with the nodes given, skipping the missing ones (null, undefined). */
export function fill(el, ...nodes) {
  el.replaceChildren(...nodes.filter((n) => n !== null && n !== undefined && n !== false));
}

/** An integer for a table cell, or "—" when the field is missing. */
export function num(v) {
  return typeof v === "number" && isFinite(v) ? fmtInt(v) : "—";
}

/** A signed integer: "+3", "−2", "0". */
export function signed(v) {
  if (typeof v !== "number" || !isFinite(v)) return "—";
  if (v > 0) return "+" + fmtInt(v);
  if (v < 0) return "−" + fmtInt(-v);
  return "0";
}

/** Shows the page's empty state (a title and a sentence) in place of its body. */
export function showEmpty(titleKey, bodyKey, loading) {
  const body = $("report-body");
  body.replaceChildren(
    h(
      "div",
      { class: "empty show" + (loading ? " loading" : ""), id: "report-empty" },
      h("div", { class: "empty-icon", "aria-hidden": "true" }),
      h("div", { class: "empty-title", text: t(titleKey) }),
      bodyKey ? h("div", { class: "empty-body", text: t(bodyKey) }) : null,
    ),
  );
  $("report-summary").replaceChildren();
}

/** The empty state for an answer that is not a report: signed out, or the server away. */
export function showFailure(status) {
  if (status === 401 || status === 403) return showEmpty("report.denied_title", "report.denied_body");
  showEmpty("report.error_title", "report.error_body");
}

/** Points the CSV and XLSX buttons at the endpoint (with its query), or disables them. */
/** A show report's endpoint for the room the page asks for (?room=R, API.md "Rooms"): the plain
    `/api/v1/show/KIND` for room main. */
export function showEndpoint(kind) {
  const room = new URLSearchParams(location.search).get("room");
  return room && room !== "main" ? "/api/v1/rooms/" + encodeURIComponent(room) + "/show/" + kind : "/api/v1/show/" + kind;
}

export function setDownloads(endpoint, params) {
  for (const [id, format] of [
    ["dl-csv", "csv"],
    ["dl-xlsx", "xlsx"],
  ]) {
    const a = $(id);
    if (!endpoint) {
      a.removeAttribute("href");
      a.classList.add("disabled");
      a.setAttribute("aria-disabled", "true");
      continue;
    }
    const q = new URLSearchParams(params || {});
    q.set("format", format);
    a.href = endpoint + "?" + q.toString();
    a.classList.remove("disabled");
    a.removeAttribute("aria-disabled");
  }
}

/** A summary card: a label, a big number and an optional note; tone colours it. */
export function card(label, value, note, tone) {
  return h(
    "div",
    { class: "card" + (tone ? " card-" + tone : "") },
    h("div", { class: "card-label", text: label }),
    h("div", { class: "card-value num", text: value }),
    note ? h("div", { class: "card-note", text: note }) : null,
  );
}

/**
 * A table: columns [{key, label, cls, cell(row) -> string|Node}], rows, and an optional footer
 * row (same columns). Numbers are right-aligned by the "n" class.
 */
export function table(columns, rows, footer, cls) {
  const head = h("tr", null, ...columns.map((c) => h("th", { class: c.cls || "", title: c.title || null, text: c.label })));
  const line = (r, tag) =>
    h(
      "tr",
      { class: r.__cls || null },
      ...columns.map((c) => {
        const v = c.cell ? c.cell(r) : r[c.key];
        const cell = h(tag, { class: c.cls || "" });
        if (v instanceof Node) cell.appendChild(v);
        else cell.textContent = v === undefined || v === null ? "—" : String(v);
        return cell;
      }),
    );
  return h(
    "table",
    { class: "rtable " + (cls || "") },
    h("thead", null, head),
    h("tbody", null, ...rows.map((r) => line(r, "td"))),
    footer ? h("tfoot", null, line(footer, "td")) : null,
  );
}

/** A titled panel around content. */
export function panel(title, note, ...content) {
  return h(
    "section",
    { class: "rpanel" },
    h("div", { class: "rpanel-head" }, h("h2", { text: title }), note ? h("span", { class: "rpanel-note", text: note }) : null),
    ...content,
  );
}

/** A product cell: the name, with the SKU code under it. */
export function product(name, sku) {
  return h(
    "div",
    { class: "product" },
    h("div", { class: "product-name", text: name || sku || "—" }),
    name && sku ? h("div", { class: "product-sku", text: sku }) : null,
  );
}

/**
 * "2026-11-24 20:31": an RFC 3339 time with an offset as written (the server writes the shop's
 * zone), else (a UTC "Z" time or epoch ms) in the browser's zone.
 */
export function fmtWhen(v) {
  const m = typeof v === "string" && /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::[\d.]+)?[+-]\d{2}:\d{2}$/.exec(v);
  if (m) return m[1] + " " + m[2];
  const d = typeof v === "number" ? new Date(v) : new Date(String(v || ""));
  if (isNaN(d.getTime())) return "—";
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export { channelName } from "../lib/channels.js";

/** The text of a {code, zh, en} finding, a plain string, or nothing readable. */
export function findingText(f) {
  if (typeof f === "string") return f;
  if (f && typeof f === "object") return pick(f.zh || f.why_zh || f.message_zh, f.en || f.why_en || f.message_en);
  return "";
}
