/* livestock board: the SKU table: one row per SKU by urgency (order.js: the product on air, then
 * next, then warning level and the soonest sell-out); only changed cells are touched, changed
 * numbers pulse. Rows that do not fit page automatically every PAGE_MS (on air and next stay on
 * every page) with a page indicator; a whole catalogue (VIRTUAL_FROM) is windowed and scrolls. */
import { lang, t } from "../lib/i18n.js";
import { fmtInt, fmtMoney, fmtMoneyShort, fmtPct, fmtRate, isNum } from "../lib/format.js";
import { pageSlice, sortRows } from "./order.js";
import { sellRate, sparkPoints } from "./metrics.js";
import { pageLabel, shortMinutes } from "./short.js";
import { $, h, pulse, setText } from "../lib/dom.js";
import { colorFor, picks, togglePick } from "./picks.js";
import { board, dirty, lineupIndex, schedule } from "./state.js";

/*
 * Up to VIRTUAL_FROM SKUs every row is in the DOM. Above that (a whole catalogue on the board)
 * only the rows in view, plus OVERSCAN rows each side, are: spacer rows keep the scroll height.
 */
const VIRTUAL_FROM = 150;
const OVERSCAN = 8;
/** The table's columns (the spacer rows span them all). */
const COLUMNS = 11;
const SVG = "http://www.w3.org/2000/svg";
/** A sell-out sooner than this many minutes is coloured. */
const SELLOUT_SOON_MIN = 60;

/** How long a page of rows stays on the wall, in milliseconds. */
const PAGE_MS = 8000;

const rows = new Map(); // sku → {tr, c: cells, prev, tagKey}
let page = 0;
let pageKey = "";
let order = [];
let rowHeight = 0;
let windowKey = "";
const spacerTop = h("tr", { class: "spacer", "aria-hidden": "true" }, h("td", { colspan: String(COLUMNS) }));
const spacerBottom = h("tr", { class: "spacer", "aria-hidden": "true" }, h("td", { colspan: String(COLUMNS) }));

function sortedSkus(s) {
  return sortRows(board.live.state.skus, s && s.current, s && s.next);
}

function makeRow(sku) {
  const c = {};
  const tr = h("tr", { dataset: { sku } });
  const cell = (name, cls) => {
    const td = h("td", { class: cls });
    c[name] = td;
    tr.appendChild(td);
    return td;
  };
  // 趋势: a sparkline of the SKU's sales per minute; clicking the row plots it on the stock chart.
  const pick = cell("pick", "pick");
  pick.title = t("table.chart_tip");
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 40 16");
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("class", "trend");
  c.trend = document.createElementNS(SVG, "polyline");
  svg.appendChild(c.trend);
  pick.appendChild(svg);
  tr.addEventListener("click", () => {
    if (!tr.classList.contains("onair")) togglePick(sku, !picks.includes(sku));
  });
  const prod = cell("product", "product");
  c.tags = h("span", { class: "ptags" });
  c.name = h("span", { class: "pname-text" });
  c.sub = h("div", { class: "psku" });
  prod.append(h("div", { class: "pname" }, c.tags, c.name), c.sub);
  const money = cell("gmv", "n gmv");
  c.gmv = h("div", { class: "gmv-total" });
  c.price = h("div", { class: "gmv-price" });
  money.append(c.gmv, c.price);
  // 不良, 预留 and 已付款待发 are in each row's tooltip (the wall has room for what is watched:
  // during a show nothing ships, so paid-not-shipped would only repeat 已售).
  for (const k of ["on_hand", "held"]) cell(k, "n " + k);
  cell("available", "n avail");
  cell("sold", "n sold");
  cell("rate", "n rate");
  cell("sellout", "n sellout");
  const st = cell("st", "st");
  c.stFill = h("div", { class: "st-fill" });
  c.stPct = h("span", { class: "st-pct" });
  st.appendChild(h("div", { class: "st-cell" }, h("div", { class: "st-bar" }, c.stFill), c.stPct));
  const lvl = cell("lvl", "lvl");
  c.badge = h("span", { class: "lvl-badge" });
  lvl.appendChild(c.badge);
  return { tr, c, prev: null, tagKey: "" };
}

/** The SKU's sales per minute from the feed's stock series (a SKU not followed there has none). */
function trendPoints(sku) {
  const ser = board.live.state.series;
  const stock = ser.stock && ser.stock[sku];
  return stock ? sparkPoints(sellRate(ser.t, stock), 40, 16) : "";
}

function numCell(td, n) {
  setText(td, fmtInt(n));
  td.classList.toggle("zero", n === 0);
}

/** The product cell's tag (on air / next / lineup position), redrawn only when it changes. */
function updateTags(row, v, s, lx) {
  const live = !!(s && s.state !== "ended"); // after the show nothing is on air or next
  const onAir = live && s.current === v.sku;
  const isNext = live && s.next === v.sku;
  const tagKey = onAir ? "onair" : isNext ? "next" : lx.has(v.sku) ? "l" + lx.get(v.sku) : "";
  if (tagKey === row.tagKey) return;
  row.tagKey = tagKey;
  const tags = row.c.tags;
  tags.replaceChildren();
  if (onAir) tags.appendChild(h("span", { class: "tag tag-onair", text: t("tag.on_air") }));
  else if (isNext) tags.appendChild(h("span", { class: "tag tag-next", text: t("tag.next") }));
  else if (lx.has(v.sku)) tags.appendChild(h("span", { class: "tag", text: t("tag.lineup", { n: lx.get(v.sku) + 1 }) }));
}

function updateRow(row, v, s, lx, animate) {
  const { tr, c } = row;
  const level = Math.max(0, Math.min(3, v.level | 0));
  const onAir = !!(s && s.current === v.sku);
  const cls = "lvl-" + level + (onAir ? " onair" : "");
  if (tr.className !== cls) tr.className = cls;

  updateTags(row, v, s, lx);
  setText(c.name, v.name || v.sku);
  c.name.title = (v.name || v.sku) + " · " + v.sku + (v.category ? " · " + v.category : "");
  setText(c.sub, v.presale_cap > 0 ? t("tag.presale", { sold: fmtInt(v.presale_sold), cap: fmtInt(v.presale_cap) }) : "");

  numCell(c.on_hand, v.on_hand);
  tr.title = [
    t("table.damaged") + " " + fmtInt(v.damaged),
    t("table.buffer") + " " + fmtInt(v.buffer),
    t("table.committed") + " " + fmtInt(v.committed),
  ].join(" · ");
  numCell(c.held, v.held);
  numCell(c.available, v.available);
  numCell(c.sold, v.sold_units);
  setText(c.rate, isNum(v.rate_per_min) && v.rate_per_min > 0 ? fmtRate(v.rate_per_min) : t("unit.dash"));
  const sellout = s && s.state === "ended" ? null : v.sellout_minutes; // no prediction after the show
  setText(c.sellout, shortMinutes(sellout, lang));
  c.sellout.style.color = isNum(sellout) && sellout < SELLOUT_SOON_MIN ? "var(--l1)" : "";
  const st = isNum(v.sell_through) ? Math.max(0, Math.min(1, v.sell_through)) : 0;
  c.stFill.style.width = (st * 100).toFixed(1) + "%";
  c.stFill.classList.toggle("hot", st > 0.8);
  setText(c.stPct, fmtPct(st));
  c.badge.className = "lvl-badge lvl-" + level;
  setText(c.badge, t("level." + level));
  c.badge.title = level ? t("level." + level + ".action") : "";

  setText(c.gmv, fmtMoneyShort(v.gmv_cents));
  setText(c.price, fmtMoney(v.price_cents));
  const plotted = onAir || picks.includes(v.sku);
  tr.classList.toggle("plotted", plotted);
  c.pick.style.setProperty("--swatch", plotted ? colorFor(v.sku, s && s.current) : "transparent");
  c.trend.setAttribute("points", trendPoints(v.sku));

  if (animate && row.prev) {
    if (row.prev.available !== v.available) pulse(c.available);
    if (row.prev.sold_units !== v.sold_units) pulse(c.sold);
  }
  row.prev = { available: v.available, sold_units: v.sold_units };
}

function visibleRange(n) {
  const wrap = $("table-wrap");
  if (!rowHeight) {
    const px = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    rowHeight = Math.max(20, Math.round(px * 2.35) + 1);
  }
  const head = $("sku-table").tHead;
  const headH = head ? head.offsetHeight : 0;
  const first = Math.max(0, Math.floor((wrap.scrollTop - headH) / rowHeight) - OVERSCAN);
  const count = Math.ceil((wrap.clientHeight || 800) / rowHeight) + 2 * OVERSCAN;
  return [first, Math.min(n, first + count)];
}

/** Puts the shown rows in order inside tbody, moving only what moved, spacers around a window. */
function placeRows(tbody, shown, from, to, total, virtual) {
  if (virtual) {
    spacerTop.firstChild.style.height = from * rowHeight + "px";
    spacerBottom.firstChild.style.height = (total - to) * rowHeight + "px";
    if (tbody.firstChild !== spacerTop) tbody.insertBefore(spacerTop, tbody.firstChild);
  } else {
    spacerTop.remove();
    spacerBottom.remove();
  }
  let ref = virtual ? spacerTop.nextSibling : tbody.firstChild;
  for (const v of shown) {
    const tr = rows.get(v.sku).tr;
    if (tr === ref) ref = ref.nextSibling;
    else tbody.insertBefore(tr, ref);
  }
  if (virtual) tbody.appendChild(spacerBottom);
}

function renderEmpty(count) {
  setText($("sku-count"), count ? t("table.count", { n: fmtInt(count) }) : "");
  const empty = $("table-empty");
  const showEmpty = count === 0;
  empty.classList.toggle("show", showEmpty);
  empty.classList.toggle("loading", !board.gotState);
  setText($("table-empty-title"), !showEmpty ? "" : board.gotState ? t("table.empty_title") : t("table.loading"));
  setText($("table-empty-body"), showEmpty && board.gotState ? t("table.empty_body") : "");
}

/** Draws the table for show view s; full redraws every row (the stage changed), else the dirty ones. */
export function renderTable(s, full) {
  const tbody = $("sku-rows");
  const lx = lineupIndex(s);
  const list = sortedSkus(s);
  const newOrder = list.map((v) => v.sku);
  const orderChanged = newOrder.length !== order.length || newOrder.some((x, i) => x !== order[i]);
  order = newOrder;

  const virtual = list.length > VIRTUAL_FROM;
  const [from, to] = virtual ? visibleRange(list.length) : [0, list.length];
  const shown = list.slice(from, to);
  const keep = new Set(shown.map((v) => v.sku));

  // Rows out of view (or of SKUs gone after a snapshot) leave the DOM and the map.
  for (const [sku, row] of rows) {
    if (!keep.has(sku)) {
      row.tr.remove();
      rows.delete(sku);
    }
  }
  for (const v of shown) {
    let row = rows.get(v.sku);
    const isNew = !row;
    if (isNew) {
      row = makeRow(v.sku);
      rows.set(v.sku, row);
    }
    if (isNew || full || dirty.skus.has(v.sku)) updateRow(row, v, s, lx, !dirty.all && !isNew);
  }

  const key = from + ":" + to + ":" + virtual;
  if (orderChanged || key !== windowKey || dirty.all) {
    windowKey = key;
    placeRows(tbody, shown, from, to, list.length, virtual);
  }
  renderEmpty(list.length);
  paginate(list, s, virtual);
}

/** Hides the rows off the current page; on air and next are on every page. */
function paginate(list, s, virtual) {
  const wrap = $("table-wrap");
  const label = pageEl();
  if (virtual || !list.length) {
    for (const v of list) rows.get(v.sku).tr.hidden = false;
    setText(label, "");
    return;
  }
  const head = $("sku-table").tHead;
  const probe = rows.get(list[0].sku).tr;
  const rowH = probe.offsetHeight || rowHeight || 32;
  const perPage = Math.max(1, Math.floor((wrap.clientHeight - (head ? head.offsetHeight : 0)) / rowH));
  const pinned = list.filter((v) => s && (v.sku === s.current || v.sku === s.next)).length;
  const slice = pageSlice(list.length, perPage, Math.min(pinned, perPage - 1), page);
  page = slice.page;
  list.forEach((v, i) => {
    const tr = rows.get(v.sku).tr;
    const on = i < Math.min(pinned, perPage - 1) || (i >= slice.from && i < slice.to);
    if (tr.hidden === on) tr.hidden = !on;
  });
  wrap.classList.toggle("paged", slice.pages > 1);
  const key = slice.page + "/" + slice.pages;
  if (key !== pageKey) {
    pageKey = key;
    setText(label, pageLabel(slice.page, slice.pages, lang));
  }
}

function pageEl() {
  let el = document.getElementById("sku-page");
  if (!el) {
    el = h("span", { id: "sku-page", class: "page-indicator num" });
    $("sku-count").after(el);
  }
  return el;
}

/** Redraws the window of a long table when it scrolls or the screen's size changes. */
export function setupTable() {
  $("table-wrap").addEventListener(
    "scroll",
    () => {
      if (order.length > VIRTUAL_FROM) {
        dirty.scroll = true;
        schedule();
      }
    },
    { passive: true }
  );
  setInterval(() => {
    page += 1;
    dirty.scroll = true;
    schedule();
  }, PAGE_MS);
  window.addEventListener("resize", () => {
    rowHeight = 0;
    dirty.scroll = true;
    schedule();
  });
}
