/* livestock board: the top bar: the show's title, state and elapsed time, the language switch,
 * the connection indicator and the clock (by the server's time). */
import { lang, t } from "../lib/i18n.js";
import { fmtClock, fmtDuration, parseTime } from "../lib/format.js";
import { $, setText } from "../lib/dom.js";
import { board, show } from "./state.js";

/** The clock ticks this many milliseconds after each whole second, so it never shows one late. */
const TICK_AFTER_MS = 5;

/** Wires the 中文 / EN buttons: a switch reloads the page with ?lang=. */
export function setupLangSwitch() {
  if (lang === "en") for (const a of document.querySelectorAll(".report-links a")) a.href += "?lang=en";
  for (const btn of document.querySelectorAll(".lang-switch button")) {
    const code = btn.dataset.lang;
    btn.classList.toggle("active", code === lang);
    btn.setAttribute("aria-pressed", String(code === lang));
    btn.addEventListener("click", () => {
      if (code === lang) return;
      const url = new URL(location.href);
      url.searchParams.set("lang", code);
      location.assign(url.toString());
    });
  }
}

/** status: "connecting" | "connected" | "reconnecting". */
export function renderConn(status) {
  const el = $("conn");
  el.className = "conn conn-" + status;
  setText(el.querySelector(".conn-text"), t("conn." + status));
}

export function renderHeader(s) {
  const title = $("show-title");
  const badge = $("show-state");
  badge.hidden = !board.gotState;
  if (!s || (!s.title && s.state === "none")) {
    setText(title, board.gotState ? t("show.none") : "");
    title.classList.add("muted");
  } else {
    // Another room than main says whose show this is (API.md "Rooms").
    const where = s.room && s.room !== "main" && s.room_name ? s.room_name + " · " : "";
    setText(title, where + (s.title || t("show.untitled")));
    title.classList.remove("muted");
  }
  const state = (s && s.state) || "none";
  badge.className = "state-badge state-" + state;
  setText(badge, t("state." + state));
  renderElapsed();
}

function renderElapsed() {
  const s = show();
  const el = $("show-elapsed");
  if (!s) return setText(el, "");
  if (s.state === "live") {
    const started = parseTime(s.started_at);
    setText(el, started ? t("show.elapsed", { d: fmtDuration(board.live.now() - started) }) : "");
  } else if (s.state === "ended") {
    const ended = parseTime(s.ended_at);
    setText(el, ended ? t("show.ended_at", { t: fmtClock(ended, false) }) : "");
  } else if (s.state === "planned") {
    setText(el, t("show.planned_hint"));
  } else setText(el, "");
}

/** Ticks the clock and the elapsed time once a second, on the second. */
export function startClock() {
  function tick() {
    setText($("clock"), fmtClock(board.live ? board.live.now() : Date.now()));
    renderElapsed();
    setTimeout(tick, 1000 - (Date.now() % 1000) + TICK_AFTER_MS);
  }
  tick();
}
