/* livestock board: the warning pop-ups, bottom right: the newest VISIBLE_TOASTS open warnings
 * (fading hits excepted), each with its confirm button and, after a failed confirm, why; a
 * "n more" line for the rest. A pop-up leaves with an animation once its warning is acknowledged. */
import { pick, t } from "../lib/i18n.js";
import { fmtClock, parseTime } from "../lib/format.js";
import { $, h, setText } from "../lib/dom.js";
import { acknowledge, ackFailure } from "./ack.js";
import { board, openAlerts, popsUp } from "./state.js";

const VISIBLE_TOASTS = 2;
/** A leaving pop-up is removed after this long even if its animation never ends, in milliseconds. */
const LEAVE_MS = 400;

const toasts = new Map(); // alert id → its pop-up
let moreEl = null;

function byNewest(a, b) {
  return (parseTime(b.at) || 0) - (parseTime(a.at) || 0);
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

/** Draws the pop-ups for the open warnings, newest first. */
export function renderToasts() {
  const wrap = $("toasts");
  const open = openAlerts().filter(popsUp).sort(byNewest);
  const visible = open.slice(0, VISIBLE_TOASTS);
  const keep = new Set(visible.map((a) => String(a.id)));

  for (const [id, el] of toasts) {
    if (keep.has(id)) continue;
    toasts.delete(id);
    dismiss(el);
  }

  let ref = wrap.firstChild;
  for (const a of visible) {
    const id = String(a.id);
    let el = toasts.get(id);
    if (!el) {
      el = makeToast(a);
      toasts.set(id, el);
    }
    updateToastError(el, id);
    while (ref && ref.classList && ref.classList.contains("leaving")) ref = ref.nextSibling;
    if (el === ref) ref = ref.nextSibling;
    else wrap.insertBefore(el, ref);
  }

  const hidden = open.length - visible.length;
  if (hidden > 0) {
    if (!moreEl) moreEl = h("div", { class: "toast-more" });
    setText(moreEl, t("alert.more", { n: hidden }));
    wrap.appendChild(moreEl);
  } else if (moreEl) {
    moreEl.remove();
  }
}
