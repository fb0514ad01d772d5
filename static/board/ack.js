/* livestock board: acknowledging a warning: who acknowledges (asked once, kept in localStorage,
 * shown in the top bar), the POST /api/v1/alerts/{id}/ack and what a failed one said. */
import { t } from "../lib/i18n.js";
import { $, setText, store } from "../lib/dom.js";
import { unlockAudio } from "./sound.js";
import { board, dirty, schedule } from "./state.js";

const ACK_NAME_KEY = "livestock.ackBy";
/** The longest name kept, in characters. */
const ACK_NAME_MAX = 64;

const failures = new Map(); // alert id → message of its failed acknowledge

/** Why the last acknowledge of alert id failed, or undefined. */
export function ackFailure(id) {
  return failures.get(id);
}

function ackName() {
  return (store.get(ACK_NAME_KEY) || "").trim();
}

function renderAckBy() {
  const n = ackName();
  $("ack-by").textContent = n ? t("ackby.label", { n }) : t("ackby.none");
}

function askAckName() {
  const answer = window.prompt(t("alert.ack_prompt"), ackName());
  if (answer === null) return null;
  const name = answer.trim().slice(0, ACK_NAME_MAX);
  if (!name) return null;
  store.set(ACK_NAME_KEY, name);
  renderAckBy();
  return name;
}

/** Wires the "acknowledged by" chip of the top bar. */
export function setupAckBy() {
  $("ack-by").addEventListener("click", askAckName);
  renderAckBy();
}

/** POST /api/v1/alerts/{id}/ack. Resolves {ok:true} or {ok:false, message}; never rejects. */
async function postAck(id, by) {
  try {
    const res = await fetch("/api/v1/alerts/" + encodeURIComponent(id) + "/ack", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ by }),
    });
    if (res.ok) return { ok: true };
    let message = res.status + " " + (res.statusText || "");
    try {
      const body = await res.json();
      if (body && body.error && body.error.message) message = body.error.message;
    } catch (_) {
      /* not JSON: keep the status line */
    }
    return { ok: false, status: res.status, message };
  } catch (e) {
    return { ok: false, status: 0, message: t("alert.ack_network") };
  }
}

/** Acknowledges alert id from its button btn (a pop-up's or the watch list's). */
export async function acknowledge(id, btn) {
  unlockAudio();
  const by = ackName() || askAckName();
  if (!by) return;
  btn.disabled = true;
  setText(btn, t("alert.acking"));
  const r = await postAck(id, by);
  if (r.ok) {
    failures.delete(id);
    const live = board.live;
    const a = live.state.alerts.find((x) => String(x.id) === id);
    if (a && !a.acked_by) live.applyAlert(Object.assign({}, a, { acked_by: by, acked_at: new Date().toISOString() }));
  } else {
    failures.set(id, r.message);
    btn.disabled = false;
    setText(btn, t("alert.ack"));
  }
  dirty.alerts = true;
  schedule();
}
