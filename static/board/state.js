/* livestock board: what the board's panels share: the feed's LiveState, whether a snapshot has
 * come, what needs drawing (dirty) and the scheduler that draws it; and the few questions about
 * the show and the warnings that several panels ask. main.js fills it in and owns the render. */
import { frameScheduler } from "../lib/dom.js";

export const board = {
  /** The feed's LiveState (lib/live-state.js), set by main.js. */
  live: null,
  /** Whether a snapshot has come: before it, panels say "loading", after it "empty". */
  gotState: false,
};

/** What changed since the last render; main.js's render() draws it and clears it. */
export const dirty = {
  all: true,
  skus: new Set(),
  show: true,
  series: true,
  alerts: true,
  scroll: false,
  writes: true,
};

let renderer = () => {};

/** Draws what is dirty at the next animation frame (at most once per frame). */
export const schedule = frameScheduler(() => renderer());

/** main.js hands its render() here, so that panels can schedule it without importing main.js. */
export function setRenderer(fn) {
  renderer = fn;
}

/** The show view, or null before the first snapshot. */
export function show() {
  return (board.live && board.live.state.show) || null;
}

/** Unacknowledged warnings, in the order they came. */
export function openAlerts() {
  return board.live.state.alerts.filter((a) => !a.acked_by);
}

/** Warnings about where the live show is heading: moot once it has ended. The server closes the
    open ones at show/end (acknowledged by "直播结束 show ended"); this keeps one that fires after
    the end (the 30-minute rate still holds the show's sales) off the wall as well. */
const LIVE_ONLY_KINDS = new Set(["sellout_eta", "surge"]);

/* A fading hit goes on the focus panel's watch list (SPEC C: no warning, "watch list"), not
   into a pop-up with a sound: every product off air fades, and the wall must not cry wolf.
   After the show, predictions (sell-out time, surge) no longer pop up either. */
export function popsUp(a) {
  if (a.kind === "fading") return false;
  const s = show();
  return !(s && s.state === "ended" && LIVE_ONLY_KINDS.has(a.kind));
}

/** The lineup entry of sku, or null. */
export function lineupEntry(s, sku) {
  return s && Array.isArray(s.lineup) ? s.lineup.find((e) => e.sku === sku) || null : null;
}

/** sku → its first position in the lineup. */
export function lineupIndex(s) {
  const m = new Map();
  if (s && Array.isArray(s.lineup)) s.lineup.forEach((e, i) => m.has(e.sku) || m.set(e.sku, i));
  return m;
}
