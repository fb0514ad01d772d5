/* livestock board: the focus panel on the left: the product on air (units left, its bar, the
 * host's prompt, sold / rate / sell-out / sell-through), next, the rest of the lineup with whether
 * stock covers each slot, the watch list of fading hits and the latest restock requests. */
import { pick, t } from "../lib/i18n.js";
import { fmtClock, fmtInt, fmtMinutes, fmtPct, fmtRate, isNum, parseTime } from "../lib/format.js";
import { $, h, setText } from "../lib/dom.js";
import { acknowledge } from "./ack.js";
import { board, lineupEntry, openAlerts } from "./state.js";

/** Fading hits listed at once (the newest). */
const FADING_SHOWN = 2;
/** Restock requests listed at once (the newest). */
const RESTOCK_SHOWN = 3;

/** The share of the product's base still left, 0..1, for the on-air bar. */
function leftShare(v) {
  let left = 1;
  if (v && v.base > 0) left = v.available / v.base;
  else if (v && isNum(v.sell_through)) left = 1 - v.sell_through;
  return Math.max(0, Math.min(1, left));
}

function renderIdleOnAir(box) {
  box.className = "onair idle";
  setText($("onair-name"), t("focus.no_current"));
  setText($("onair-sku"), t("focus.no_current_hint"));
  setText($("onair-callout"), "");
  $("onair-callout").classList.remove("show");
  setText($("onair-prompt-text"), "");
  $("onair-prompt").classList.remove("show");
}

function renderCallout(soldOut, level, available) {
  const callout = $("onair-callout");
  if (soldOut) {
    setText(callout, t("focus.sold_out"));
    callout.classList.add("show");
  } else if (level >= 1 && isNum(available)) {
    setText(callout, t("focus.last_n", { n: fmtInt(available) }));
    callout.classList.add("show");
  } else {
    setText(callout, "");
    callout.classList.remove("show");
  }
}

function renderOnAir(s) {
  const box = $("onair");
  const code = s.current;
  if (!code) return renderIdleOnAir(box);
  const v = board.live.sku(code);
  const le = lineupEntry(s, code);
  const available = v ? v.available : le ? le.available : null;
  const level = v ? Math.max(0, Math.min(3, v.level | 0)) : 0;
  const soldOut = available === 0;
  box.className = "onair lvl-" + level + (soldOut ? " soldout" : "");
  setText($("onair-name"), (v && v.name) || (le && le.name) || code);
  setText($("onair-sku"), code + (v && v.category ? " · " + v.category : ""));
  setText($("onair-available"), fmtInt(available));
  renderCallout(soldOut, level, available);
  $("onair-bar").style.width = (leftShare(v) * 100).toFixed(1) + "%";

  const prompt = s.prompt ? pick(s.prompt.zh, s.prompt.en) : "";
  setText($("onair-prompt-text"), prompt);
  $("onair-prompt").classList.toggle("show", !!prompt);

  const dash = t("unit.dash");
  setText($("onair-sold"), v ? fmtInt(v.sold_units) : dash);
  setText($("onair-rate"), v && isNum(v.rate_per_min) && v.rate_per_min > 0 ? fmtRate(v.rate_per_min) + t("unit.per_min") : dash);
  setText($("onair-sellout"), v ? fmtMinutes(v.sellout_minutes) : dash);
  setText($("onair-st"), v ? fmtPct(v.sell_through) : dash);
}

function coverMark(covers) {
  const says = covers ? t("focus.covers_yes") : t("focus.covers_no");
  return h("span", { class: "cover " + (covers ? "yes" : "no"), text: covers ? "✓" : "✗", title: says, "aria-label": says });
}

function slotNote(e, need) {
  if (need !== null) return t("focus.slot_need", { n: fmtInt(need), m: fmtInt(e.slot_minutes) });
  if (isNum(e.slot_minutes)) return t("focus.slot_minutes", { m: fmtInt(e.slot_minutes) });
  return e.sku;
}

function lineupLine(e, cls) {
  const start = parseTime(e.planned_start);
  const need = isNum(e.planned_rate_per_min) && isNum(e.slot_minutes) ? Math.ceil(e.planned_rate_per_min * e.slot_minutes) : null;
  const v = board.live.sku(e.sku);
  const available = v ? v.available : e.available;
  return h(
    "li",
    { class: cls || "lineup-item", dataset: { sku: e.sku } },
    h("span", { class: "li-time", text: start ? fmtClock(start, false) : "" }),
    h("span", { class: "li-name", title: e.name || e.sku }, h("span", { class: "li-title", text: e.name || e.sku }), h("span", { class: "li-need", text: slotNote(e, need) })),
    h("span", { class: "li-avail", text: fmtInt(available) }),
    coverMark(!!e.covers)
  );
}

function renderNext(s) {
  const row = $("next-row");
  const code = s.next;
  if (!code) {
    row.className = "next-row none";
    row.replaceChildren(document.createTextNode(s.current ? t("focus.no_next") : t("focus.no_lineup")));
    return;
  }
  const v = board.live.sku(code) || {};
  const e = lineupEntry(s, code) || { sku: code, name: v.name, available: v.available, covers: true };
  const li = lineupLine(e, "next-row");
  row.className = "next-row";
  row.replaceChildren(...li.childNodes);
  row.dataset.sku = code;
}

function renderLineup(s) {
  const list = $("lineup-list");
  const lineup = Array.isArray(s.lineup) ? s.lineup : [];
  const curIdx = s.current ? lineup.findIndex((e) => e.sku === s.current) : -1;
  const upcoming = lineup.slice(curIdx + 1).filter((e) => e.sku !== s.next && e.sku !== s.current);
  const left = lineup.length - (curIdx + 1);
  setText(
    $("lineup-done"),
    curIdx > 0 ? t("focus.upcoming_done", { n: Math.max(0, left), d: curIdx }) : left > 0 ? t("focus.upcoming", { n: left }) : ""
  );
  if (!upcoming.length) {
    list.replaceChildren(h("li", { class: "lineup-empty", text: t("focus.no_lineup") }));
    return;
  }
  list.replaceChildren(...upcoming.map((e) => lineupLine(e)));
}

const fadingRows = new Map(); // alert id → its row, kept across renders: a click lands on a live button

function fadingRow(a) {
  const id = String(a.id);
  const v = a.sku ? board.live.sku(a.sku) : null;
  // Acknowledged here: a fading hit has no pop-up (see popsUp).
  const btn = h("button", { type: "button", class: "mi-ack", text: t("alert.ack") });
  btn.addEventListener("click", () => acknowledge(id, btn));
  // The server's message already names the product; the name is the tooltip.
  return h(
    "li",
    { class: "mi-wide", title: (v && v.name) || a.sku || "", dataset: { id } },
    h("span", { class: "mi-time", text: fmtClock(parseTime(a.at) || Date.now(), false) }),
    h("span", { class: "mi-reason", text: pick(a.message_zh, a.message_en) }),
    btn
  );
}

function renderFading() {
  const fading = openAlerts().filter((a) => a.kind === "fading");
  $("fading-section").hidden = fading.length === 0;
  const shown = fading.slice(-FADING_SHOWN).reverse();
  const keep = new Set(shown.map((a) => String(a.id)));
  for (const id of [...fadingRows.keys()]) if (!keep.has(id)) fadingRows.delete(id);
  const items = shown.map((a) => {
    const id = String(a.id);
    if (!fadingRows.has(id)) fadingRows.set(id, fadingRow(a));
    return fadingRows.get(id);
  });
  const list = $("fading-list");
  const same = list.children.length === items.length && items.every((r, i) => list.children[i] === r);
  if (!same) list.replaceChildren(...items);
}

function restockRow(r) {
  const at = parseTime(r.at);
  return h(
    "li",
    { dataset: { sku: r.sku } },
    h("span", { class: "mi-time", text: at ? fmtClock(at, false) : "" }),
    h("span", { class: "mi-name", text: r.name || r.sku }),
    h("span", { class: "mi-reason", text: pick(r.reason_zh, r.reason_en) })
  );
}

function renderRestock(s) {
  const list = $("restock-list");
  const reqs = Array.isArray(s.restock_requests) ? s.restock_requests : [];
  if (!reqs.length) {
    list.replaceChildren(h("li", { class: "mini-empty", text: t("focus.no_restock") }));
    return;
  }
  const sorted = reqs.slice().sort((a, b) => (parseTime(b.at) || 0) - (parseTime(a.at) || 0));
  list.replaceChildren(...sorted.slice(0, RESTOCK_SHOWN).map(restockRow));
}

/** Draws the panel for show view s, or its empty state when there is no show to focus on. */
export function renderFocus(s) {
  const hasShow = !!(s && (s.current || (Array.isArray(s.lineup) && s.lineup.length) || s.state === "live"));
  $("focus").classList.toggle("is-empty", !hasShow);
  const empty = $("focus-empty");
  empty.classList.toggle("show", !hasShow);
  empty.classList.toggle("loading", !board.gotState);
  if (!hasShow) {
    setText($("focus-empty-title"), board.gotState ? t("focus.no_show") : t("table.loading"));
    setText($("focus-empty-body"), board.gotState ? t("focus.no_show_hint") : "");
    return;
  }
  setText($("focus-empty-title"), "");
  setText($("focus-empty-body"), "");
  renderOnAir(s);
  renderNext(s);
  renderLineup(s);
  renderFading();
  renderRestock(s);
}
