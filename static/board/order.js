/* livestock board: the board's orderings and paging, pure (no DOM, no feed): which SKU row comes
 * first, which warning pop-ups show, and which page of rows is on the wall. Unit-tested by
 * tests/js/order.test.mjs under node's test runner. */

/** A warning's time in milliseconds (RFC 3339 string or number), 0 when unknown. */
function atMs(a) {
  if (typeof a.at === "number") return a.at;
  const ms = Date.parse(a.at || "");
  return Number.isFinite(ms) ? ms : 0;
}

function clampLevel(l) {
  return Math.max(0, Math.min(3, l | 0));
}

/** Warnings worst first: level descending (3 first), then newest first, then id, for a stable order. */
export function byUrgency(a, b) {
  return (
    clampLevel(b.level) - clampLevel(a.level) ||
    atMs(b) - atMs(a) ||
    String(a.id).localeCompare(String(b.id), "en", { numeric: true })
  );
}

/**
 * The pop-ups to show out of the open warnings: the `max` most urgent (so the most severe is
 * always among them), and how many wait behind them.
 */
export function visibleToasts(open, max) {
  const sorted = [...open].sort(byUrgency);
  const shown = sorted.slice(0, Math.max(1, max | 0));
  return { shown, hidden: sorted.length - shown.length };
}

function selloutKey(v) {
  const m = v.sellout_minutes;
  return typeof m === "number" && Number.isFinite(m) && m >= 0 ? m : Infinity;
}

/**
 * SKU rows by urgency: the product on air, then next, then warning level descending, then the
 * soonest sell-out (none last), then the SKU code (numeric-aware) so that equal rows keep a place.
 */
export function sortRows(skus, current, next) {
  const pin = (v) => (v.sku === current ? 0 : v.sku === next ? 1 : 2);
  return [...skus].sort(
    (a, b) =>
      pin(a) - pin(b) ||
      clampLevel(b.level) - clampLevel(a.level) ||
      selloutKey(a) - selloutKey(b) ||
      String(a.sku).localeCompare(String(b.sku), "en", { numeric: true })
  );
}

/**
 * Pages of `total` rows with `perPage` per page, the `pinned` first rows on every page (on air and
 * next stay in sight): {pages, rows: [from, to) of the unpinned rest on page `page` (wrapped)}.
 */
export function pageSlice(total, perPage, pinned, page) {
  const pin = Math.max(0, Math.min(pinned | 0, total));
  const rest = total - pin;
  const room = Math.max(1, (perPage | 0) - pin);
  if (rest <= 0 || total <= perPage) return { pages: 1, page: 0, from: pin, to: total };
  const pages = Math.ceil(rest / room);
  const p = ((page % pages) + pages) % pages;
  const from = pin + p * room;
  return { pages, page: p, from, to: Math.min(total, from + room) };
}
