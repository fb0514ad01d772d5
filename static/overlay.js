/* livestock: the OBS overlay (/overlay). A "仅剩 N 件" badge for the product on air; nothing when
 * nothing is on air. The page itself stays transparent. */
(function () {
  "use strict";

  const L = window.LS;
  const { t, setText } = L;
  const $ = (id) => document.getElementById(id);

  L.applyI18n();
  document.title = t("page.overlay") + " · livestock";

  let live = null;
  let shown = { sku: null, available: null, soldOut: null };
  let clearTimer = 0;

  const schedule = L.frameScheduler(render);
  const feed = L.connect("overlay", {
    onState(change, ls) {
      live = ls;
      schedule();
    },
  });
  live = feed.live;

  function render() {
    const s = live.state.show;
    const code = s && s.current;
    const ov = $("ov");
    if (!code) {
      if (ov.classList.contains("show")) {
        ov.classList.remove("show");
        ov.setAttribute("aria-hidden", "true");
        // Empty the badge once it has slid away, so nothing stale is left in it.
        clearTimer = setTimeout(() => {
          setText($("ov-name"), "");
          $("ov-count").replaceChildren();
        }, 600);
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
    } else if (L.isNum(available)) {
      const text = L.fmtInt(available);
      const num = count.querySelector(".ph-n");
      if (!num || shown.soldOut !== false) L.tInto(count, "overlay.only_n", { n: text });
      else if (setText(num, text) && shown.sku === code) L.flash(num, "bump");
    } else setText(count, "");

    let left = 1;
    if (v && v.base > 0) left = v.available / v.base;
    else if (v && L.isNum(v.sell_through)) left = 1 - v.sell_through;
    $("ov-meter").style.width = (Math.max(0, Math.min(1, left)) * 100).toFixed(1) + "%";

    shown = { sku: code, available, soldOut: soldOut ? true : L.isNum(available) ? false : null };
  }

  render();
})();
