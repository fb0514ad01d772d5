/* livestock: the OBS overlay (/overlay), an ES module. A "仅剩 N 件" badge for the product on air;
 * nothing when nothing is on air. Once the show has ended nothing is sold on stream: the page is
 * empty, or it shows an end card (直播已结束 · 感谢观看) when the config says `[overlay] end_card =
 * true` (the body's data-end-card) or the URL ?end=card; ?end=none empties it whatever the config.
 * The page itself stays transparent. */
import { applyI18n, t, tInto } from "./lib/i18n.js";
import { fmtInt, isNum } from "./lib/format.js";
import { $, flash, frameScheduler, setText } from "./lib/dom.js";
import { connect } from "./lib/socket.js";
import { hasEnded } from "./lib/final.js";

/** The badge is emptied this long after it starts sliding away, in milliseconds. */
const CLEAR_AFTER_MS = 600;

applyI18n();
document.title = t("page.overlay") + " · livestock";

/** An end card after the show instead of an empty page: ?end=card|none, else the config's. */
const END_CARD = (new URLSearchParams(location.search).get("end") || document.body.dataset.endCard) === "card";

let live = null;
let shown = { sku: null, available: null, soldOut: null };
let clearTimer = 0;

const schedule = frameScheduler(render);
const feed = connect("overlay", {
  onState(change, ls) {
    live = ls;
    schedule();
  },
});
live = feed.live;

function render() {
  const s = live.state.show;
  const ended = hasEnded(s);
  const card = $("ov-end");
  card.classList.toggle("show", ended && END_CARD);
  card.setAttribute("aria-hidden", String(!(ended && END_CARD)));
  const code = ended ? null : s && s.current;
  const ov = $("ov");
  if (!code) {
    if (ov.classList.contains("show")) {
      ov.classList.remove("show");
      ov.setAttribute("aria-hidden", "true");
      // Empty the badge once it has slid away, so nothing stale is left in it.
      clearTimer = setTimeout(() => {
        setText($("ov-name"), "");
        $("ov-count").replaceChildren();
      }, CLEAR_AFTER_MS);
    }
    shown = { sku: null, available: null, soldOut: null };
    return;
  }
  clearTimeout(clearTimer);
  const v = live.sku(code);
  const e = Array.isArray(s.lineup) ? s.lineup.find((x) => x.sku === code) : null;
  const name = (v && v.name) || (e && e.name) || code;
  const available = v ? v.available : e ? e.available : null;
  const level = v ? Math.max(0, Math.min(3, v.level | 0)) : 0;
  const soldOut = available === 0;

  ov.className = "ov show lvl-" + level + (soldOut ? " soldout" : "");
  ov.setAttribute("aria-hidden", "false");
  setText($("ov-name"), name);

  const count = $("ov-count");
  if (soldOut) {
    if (shown.soldOut !== true || shown.sku !== code) setText(count, t("overlay.sold_out"));
  } else if (isNum(available)) {
    const text = fmtInt(available);
    const num = count.querySelector(".ph-n");
    if (!num || shown.soldOut !== false) tInto(count, "overlay.only_n", { n: text });
    else if (setText(num, text) && shown.sku === code) flash(num, "bump");
  } else setText(count, "");

  let left = 1;
  if (v && v.base > 0) left = v.available / v.base;
  else if (v && isNum(v.sell_through)) left = 1 - v.sell_through;
  $("ov-meter").style.width = (Math.max(0, Math.min(1, left)) * 100).toFixed(1) + "%";

  shown = { sku: code, available, soldOut: soldOut ? true : isNum(available) ? false : null };
}

render();
