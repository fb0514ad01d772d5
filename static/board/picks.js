/* livestock board: the SKUs the operator ticked to plot in the stock chart (kept in localStorage)
 * and the colour of each plotted line, stable while it is plotted. */
import { store } from "../lib/dom.js";
import { dirty, schedule } from "./state.js";

const PICKS_KEY = "livestock.board.picks";
/** The most SKUs kept ticked. */
const PICKS_MAX = 24;
const PALETTE = ["#ff2e63", "#4cc3ff", "#ffc53d", "#36cfc9", "#a78bfa", "#ff9c6e", "#95de64", "#ff85c0", "#5cdbd3", "#d3adf7"];

function loadPicks() {
  try {
    const saved = JSON.parse(store.get(PICKS_KEY) || "[]");
    if (Array.isArray(saved)) return saved.filter((s) => typeof s === "string").slice(0, PICKS_MAX);
  } catch (_) {
    /* a damaged setting: start with none ticked */
  }
  return [];
}

/** The ticked SKUs, in the order they were ticked. */
export let picks = loadPicks();

const colors = new Map(); // sku → colour, stable while plotted

/** The line colour of sku; the product on air (current) always gets the first. */
export function colorFor(sku, current) {
  if (sku === current) return PALETTE[0];
  if (colors.has(sku)) return colors.get(sku);
  const used = new Set(colors.values());
  let c = PALETTE.slice(1).find((x) => !used.has(x));
  if (!c) c = PALETTE[1 + (colors.size % (PALETTE.length - 1))];
  colors.set(sku, c);
  return c;
}

/** Ticks or unticks sku; its row and the stock chart are redrawn at the next frame. */
export function togglePick(sku, on) {
  picks = picks.filter((x) => x !== sku);
  if (on) picks.push(sku);
  else colors.delete(sku);
  store.set(PICKS_KEY, JSON.stringify(picks));
  dirty.skus.add(sku);
  dirty.series = true;
  schedule();
}
