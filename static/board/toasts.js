/* livestock board: the warning pop-ups in the warnings rail (the grid's right column, so they
 * never cover a chart or the table): the open warnings (fading hits excepted) worst first, as many
 * as the rail holds (at least the most severe), each with its confirm button and, after a failed
 * confirm, why; a "n more" line for the rest. A warning updated in place (same id) keeps its
 * pop-up, redrawn with its new level and message. A pop-up leaves with an animation once its
 * warning is acknowledged. */
import { pick, t } from "../lib/i18n.js";
import { fmtClock, parseTime } from "../lib/format.js";
import { $, h, setText } from "../lib/dom.js";
import { acknowledge, ackFailure } from "./ack.js";
import { board, openAlerts, popsUp } from "./state.js";
import { visibleToasts } from "./order.js";

/** At most this many pop-ups, fewer when the rail is short (the pop-ups that do not fit leave). */
const MAX_TOASTS = 6;
/** Room kept under the pop-ups for the "n more" line, in rem. */
const MORE_REM = 2.4;
/** A leaving pop-up is removed after this long even if its animation never ends, in milliseconds. */
const LEAVE_MS = 400;

const toasts = new Map(); // alert id → {el, key}
let moreEl = null;

/** What a pop-up shows: a warning updated in place with another key is redrawn. */
function toastKey(a) {
  return [a.level, a.kind, a.sku, a.message_zh, a.message_en, a.at].join("\u0000");
}

/** Removes the last pop-ups while they reach below the rail (the first one always stays); answers how many. */
function trimToRail(wrap, visible) {
  const px = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  // Layout boxes (offsetTop/offsetHeight), not the painted ones: a pop-up sliding in is scaled
  // by its animation and would measure short.
  const bottom = wrap.clientHeight - MORE_REM * px;
  let trimmed = 0;
  while (visible.length > 1) {
    const id = String(visible[visible.length - 1].id);
    const entry = toasts.get(id);
    if (entry.el.offsetTop + entry.el.offsetHeight <= bottom) break;
    entry.el.remove();
    toasts.delete(id);
    visible.pop();
    trimmed++;
  }
  return trimmed;
}

function makeToast(a) {
  const id = String(a.id);
  const level = Math.max(1, Math.min(3, a.level | 0));
  const v = a.sku ? board.live.sku(a.sku) : null;
  const at = parseTime(a.at);
  const msg = pick(a.message_zh, a.message_en);
  const btn = h("button", { type: "button", class: "toast-ack", text: t("alert.ack") });
  btn.addEventListener("click", () => acknowledge(id, btn));
  return h(
    "div",
    { class: "toast lvl-" + level, role: "alert", dataset: { id, kind: a.kind || "", level: String(level) } },
    h(
      "div",
      { class: "toast-head" },
      h("span", { class: "toast-level", text: t("level." + level) }),
      h("span", { class: "toast-kind", text: t("alert.kind." + a.kind) }),
      h("span", { class: "toast-time", text: at ? fmtClock(at) : "" })
    ),
    h("div", { class: "toast-msg", text: msg, title: msg }),
    h("div", { class: "toast-sku", text: a.sku ? (v && v.name ? v.name + " · " : "") + a.sku : t("alert.level", { n: level }) }),
    h("div", { class: "toast-actions" }, btn)
  );
}

function updateToastError(el, id) {
  const msg = ackFailure(id);
  let err = el.querySelector(".toast-error");
  if (!msg) {
    if (err) err.remove();
    return;
  }
  if (!err) {
    err = h("div", { class: "toast-error", role: "status" });
    el.appendChild(err);
  }
  setText(err, t("alert.ack_failed", { m: msg }));
}

function dismiss(el) {
  el.classList.add("leaving");
  el.addEventListener("animationend", () => el.remove(), { once: true });
  setTimeout(() => el.remove(), LEAVE_MS);
}

/** Draws the pop-ups for the open warnings, worst first (level, then newest). */
export function renderToasts() {
  const wrap = $("toasts");
  const open = openAlerts().filter(popsUp);
  const { shown: visible, hidden: waiting } = visibleToasts(open, MAX_TOASTS);
  const keep = new Set(visible.map((a) => String(a.id)));

  for (const [id, t0] of toasts) {
    if (keep.has(id)) continue;
    toasts.delete(id);
    dismiss(t0.el);
  }

  let ref = wrap.firstChild;
  for (const a of visible) {
    const id = String(a.id);
    const key = toastKey(a);
    let entry = toasts.get(id);
    if (entry && entry.key !== key) {
      const fresh = makeToast(a);
      fresh.classList.add("updated");
      entry.el.replaceWith(fresh);
      if (ref === entry.el) ref = fresh;
      entry = { el: fresh, key };
      toasts.set(id, entry);
    }
    if (!entry) {
      entry = { el: makeToast(a), key };
      toasts.set(id, entry);
    }
    const el = entry.el;
    updateToastError(el, id);
    while (ref && ref.classList && ref.classList.contains("leaving")) ref = ref.nextSibling;
    if (el === ref) ref = ref.nextSibling;
    else wrap.insertBefore(el, ref);
  }

  const hidden = waiting + trimToRail(wrap, visible);
  setText($("rail-count"), open.length ? String(open.length) : "");
  $("rail-empty").classList.toggle("show", open.length === 0 && board.gotState);
  if (hidden > 0) {
    if (!moreEl) moreEl = h("div", { class: "toast-more" });
    setText(moreEl, t("alert.more", { n: hidden }));
    wrap.appendChild(moreEl);
  } else if (moreEl) {
    moreEl.remove();
  }
}
