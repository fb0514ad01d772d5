/* livestock board: after the show. Once the show view's state is "ended" the focus panel says
 * 直播已结束 with the final figures in place of the product on air, the viewers tile shows the
 * peak instead of a live count, and nothing predicts any more (the table's sell-out column and the
 * sell-out / surge pop-ups, see state.js's popsUp). The body carries `show-ended` for the CSS. */
import { t } from "../lib/i18n.js";
import { fmtClock, fmtInt, isNum, parseTime } from "../lib/format.js";
import { $, setText } from "../lib/dom.js";
import { hasEnded, renderFinalFigures } from "../lib/final.js";

/** Draws (or clears) the ended state for show view s; call it after the KPIs and the focus panel. */
export function renderEnded(s) {
  const ended = hasEnded(s);
  document.body.classList.toggle("show-ended", ended);
  $("ended-summary").hidden = !ended;
  const tile = $("kpi-viewers");
  tile.classList.toggle("final", ended);
  setText(tile.querySelector(".kpi-label"), ended ? t("final.peak_viewers") : t("kpi.viewers"));
  if (!ended) return;
  const end = parseTime(s.ended_at);
  setText($("ended-when"), end ? t("show.ended_at", { t: fmtClock(end, false) }) : "");
  renderFinalFigures($("board-final"), s);
  // Nobody is watching a show that has ended: the tile keeps the peak, not the last live count.
  const peak = isNum(s.peak_viewers) ? Math.max(s.peak_viewers, s.viewers | 0) : s.viewers;
  setText(tile.querySelector(".kpi-main"), fmtInt(peak));
  setText(tile.querySelector(".kpi-sub"), t("final.off_air"));
  setText($("chart-viewers-now"), t("final.off_air"));
  for (const id of ["kpi-orders", "kpi-buyers"]) {
    const sub = $(id) && $(id).querySelector(".kpi-sub");
    if (sub) setText(sub, t("final.show_total"));
  }
}
