/* livestock: a show's final figures once it has ended (GMV, orders, units, peak viewers and how
 * long it ran), shared by the board's focus panel and the host screen. After the end nothing
 * here is live: no rate, no sell-out time, no current viewers. */
import { t } from "./i18n.js";
import { fmtDuration, fmtInt, fmtMoney, isNum, parseTime } from "./format.js";
import { h } from "./dom.js";

/** Whether show view s has ended: its figures are final and its predictions no longer hold. */
export function hasEnded(s) {
  return !!s && s.state === "ended";
}

/** How long show view s ran, in milliseconds, or null when it never started or has not ended. */
export function showDurationMs(s) {
  const started = s && parseTime(s.started_at);
  const ended = s && parseTime(s.ended_at);
  return started && ended && ended >= started ? ended - started : null;
}

/** The final figures of show view s, in the order they are shown: [{key, label, value}]. */
export function finalFigures(s) {
  const peak = isNum(s.peak_viewers) ? Math.max(s.peak_viewers, s.viewers | 0) : s.viewers;
  return [
    { key: "gmv", label: t("final.gmv"), value: fmtMoney(s.gmv_cents) },
    { key: "orders", label: t("final.orders"), value: fmtInt(s.orders) },
    { key: "units", label: t("final.units"), value: fmtInt(s.units) },
    { key: "peak", label: t("final.peak_viewers"), value: fmtInt(peak) },
    { key: "duration", label: t("final.duration"), value: fmtDuration(showDurationMs(s)) },
  ];
}

/** Fills el with the final figures of show view s, one <div data-key> per figure. */
export function renderFinalFigures(el, s) {
  const items = finalFigures(s).map((f) =>
    h(
      "div",
      { class: "final-fig final-" + f.key, dataset: { key: f.key } },
      h("span", { class: "final-label", text: f.label }),
      h("span", { class: "final-value num", text: f.value })
    )
  );
  el.replaceChildren(...items);
}
