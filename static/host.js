/* livestock: the host's prompt screen (/host), an ES module. Read-only: the product on air, its
 * units left, the next product and the prompt, from the WebSocket feed (view=host), and a red
 * banner while the server takes no orders. It exports the feed and render() so a test can feed
 * frames and draw them. */
import { applyI18n, pick, t, tInto } from "./lib/i18n.js";
import { fmtClock, fmtInt, fmtMinutes, isNum } from "./lib/format.js";
import { $, flash, frameScheduler, setText } from "./lib/dom.js";
import { connect } from "./lib/socket.js";
import { renderWritesBanner } from "./lib/writes-banner.js";
import { hasEnded, renderFinalFigures } from "./lib/final.js";

/** The clock ticks this many milliseconds after each whole second, so it never shows one late. */
const TICK_AFTER_MS = 5;

applyI18n();
document.title = t("page.host") + " · livestock";

let status = "connecting";
let gotState = false;
let live = null;
let prev = { sku: null, available: null };

const schedule = frameScheduler(render);
/** The host screen's feed: view=host on /ws. */
export const feed = connect("host", {
  onState(change, ls) {
    live = ls;
    gotState = true;
    schedule();
  },
  onStatus(s) {
    status = s;
    renderConn();
  },
});
live = feed.live;

function renderConn() {
  const el = $("conn");
  el.className = "host-conn conn-" + status;
  setText(el.querySelector(".conn-text"), t("conn." + status));
}

function lineupEntry(s, sku) {
  return s && Array.isArray(s.lineup) ? s.lineup.find((e) => e.sku === sku) || null : null;
}

/** The stock view (host frames carry the current and next SKUs), or what the lineup knows. */
function product(s, sku) {
  if (!sku) return null;
  const v = live.sku(sku);
  const e = lineupEntry(s, sku);
  if (!v && !e) return { sku, name: sku, available: null, level: 0 };
  return {
    sku,
    name: (v && v.name) || (e && e.name) || sku,
    available: v ? v.available : e.available,
    level: v ? Math.max(0, Math.min(3, v.level | 0)) : 0,
    sellout: v ? v.sellout_minutes : null,
  };
}

/** Draws the screen from the feed's state (scheduled once per frame; a test may call it). */
export function render() {
  renderWritesBanner($("writes-banner"), live.state.writes);
  const s = live.state.show;
  const state = (s && s.state) || "none";
  const badge = $("host-state");
  badge.className = "host-state state-" + state;
  setText(badge, t("state." + state));
  const where = s && s.room && s.room !== "main" && s.room_name ? s.room_name + " · " : "";
  setText($("host-title"), s && s.title ? where + s.title : "");

  const main = $("host-main");
  const box = $("host-product");
  const ended = hasEnded(s);
  // After the end the screen says so, with the final figures: nothing on air, nothing to sell.
  main.classList.toggle("ended", ended);
  document.body.classList.toggle("show-ended", ended);
  if (ended) renderFinalFigures($("host-final"), s);
  const cur = ended ? null : product(s, s && s.current);
  if (!cur) {
    main.classList.add("idle");
    setText($("host-idle-title"), gotState ? t("host.idle_title") : t("conn.connecting"));
    setText($("host-idle-body"), gotState ? t("host.idle_body") : "");
    for (const id of ["host-name", "host-number", "host-status", "host-soldout"]) setText($(id), "");
    prev = { sku: null, available: null };
  } else {
    main.classList.remove("idle");
    setText($("host-idle-title"), "");
    setText($("host-idle-body"), "");
    const soldOut = cur.available === 0;
    box.className = "host-product lvl-" + cur.level + (soldOut ? " soldout" : "");
    setText($("host-name"), cur.name);
    const num = $("host-number");
    if (setText(num, fmtInt(cur.available)) && prev.sku === cur.sku) flash(num);
    prev = { sku: cur.sku, available: cur.available };
    setText($("host-soldout"), soldOut ? t("host.sold_out") : "");
    const st = $("host-status");
    if (soldOut) setText(st, "");
    else if (cur.level >= 1 && isNum(cur.available)) {
      st.classList.remove("quiet");
      tInto(st, "host.last_n", { n: fmtInt(cur.available) });
    } else {
      st.classList.add("quiet");
      setText(st, isNum(cur.sellout) && cur.sellout >= 1 ? t("host.sellout_in", { m: fmtMinutes(cur.sellout) }) : "");
    }
  }

  const prompt = s && s.prompt && !ended ? pick(s.prompt.zh, s.prompt.en) : "";
  const banner = $("host-prompt");
  const wasShown = banner.classList.contains("show");
  if (setText($("host-prompt-text"), prompt) && prompt && wasShown) {
    banner.classList.remove("show");
    void banner.offsetWidth; // replay the entrance for a new prompt
  }
  banner.classList.toggle("show", !!prompt);
  banner.classList.toggle("long", [...prompt].length > 16);
  banner.classList.toggle("urgent", !!cur && (cur.level >= 2 || cur.available === 0));

  const nx = ended ? null : product(s, s && s.next);
  const foot = $("host-next");
  foot.classList.toggle("none", !nx);
  setText($("host-next-name"), nx ? nx.name : gotState ? t("host.no_next") : "");
  setText($("host-next-avail"), nx && isNum(nx.available) ? t("host.available") + " " + fmtInt(nx.available) : "");
}

function tick() {
  setText($("clock"), fmtClock(live ? live.now() : Date.now(), false));
  setTimeout(tick, 1000 - (Date.now() % 1000) + TICK_AFTER_MS);
}

renderConn();
tick();
render();
