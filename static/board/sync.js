/* livestock board: channels showing another number than the pool (GET /api/v1/channels/sync,
 * polled every 2 s). While any lasts past its grace, an amber notice takes the place of the stock
 * table's formula: which channel, which product, what it shows against what can be sold, and for
 * how long. Nothing is shown while every channel agrees. */
import { channelName } from "../lib/channels.js";
import { t } from "../lib/i18n.js";
import { $, setText } from "../lib/dom.js";
import { fmtInt, parseTime } from "../lib/format.js";
import { board } from "./state.js";

const POLL_MS = 2000;
/** Mismatches named in the notice; the rest are counted. */
const NAMED_MAX = 2;


function skuName(code) {
  const v = board.live && typeof board.live.sku === "function" ? board.live.sku(code) : null;
  return v && v.name ? v.name : code;
}

/** The notice's text for the lasting mismatches at now (server ms). */
export function syncText(mismatches, now) {
  const named = mismatches.slice(0, NAMED_MAX).map((m) => {
    const since = parseTime(m.since);
    const secs = since ? Math.max(0, Math.round((now - since) / 1000)) : 0;
    return t("sync.item", {
      channel: channelName(m.channel),
      name: skuName(m.sku),
      shown: fmtInt(m.displayed),
      avail: fmtInt(m.available),
      secs: fmtInt(secs),
    });
  });
  const more = mismatches.length - named.length;
  if (more > 0) named.push(t("sync.more", { n: fmtInt(more) }));
  return t("sync.title", { n: fmtInt(mismatches.length) }) + " " + named.join(t("sync.sep"));
}

/** Shows the lasting mismatches of a sync answer (or hides the notice when there are none). */
export function renderSync(answer) {
  const now = (answer && parseTime(answer.at)) || Date.now();
  const el = $("sync-notice");
  const formula = document.querySelector(".table-panel .formula");
  if (!el) return;
  const lasting = answer && Array.isArray(answer.mismatches) ? answer.mismatches.filter((m) => m.lasting) : [];
  el.hidden = lasting.length === 0;
  if (formula) formula.hidden = lasting.length > 0;
  setText(el, lasting.length ? syncText(lasting, now) : "");
}

async function poll() {
  try {
    const res = await fetch("/api/v1/channels/sync", {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (res.ok) renderSync(await res.json());
  } catch (_) {
    // Offline: the connection chip already says so; the next poll tries again.
  }
}

/** Starts polling. */
export function setupSync() {
  poll();
  setInterval(poll, POLL_MS);
}
