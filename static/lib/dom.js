/* livestock: small DOM helpers of the three screens: building elements, cheap text updates,
 * one-shot highlights, a once-per-frame render scheduler and settings kept in localStorage. */

/** The element with that id. */
export const $ = (id) => document.getElementById(id);

/** h("div", {class: "x", text: "hi"}, child...) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else if (k === "dataset") Object.assign(el.dataset, v);
      else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return el;
}

/** Sets text only when it changed (cheap on a 10 Hz feed); returns whether it changed. */
export function setText(el, text) {
  const s = String(text);
  if (el.textContent !== s) {
    el.textContent = s;
    return true;
  }
  return false;
}

/** Re-triggers a one-shot CSS animation class (e.g. a flash when a number changes). */
export function flash(el, cls) {
  const c = cls || "flash";
  el.classList.remove(c);
  void el.offsetWidth; // restart the animation
  el.classList.add(c);
}

/** At most one highlight per cell in this many milliseconds. */
const PULSE_EVERY_MS = 3000;
const PULSE_MS = 700;
const lastPulse = new WeakMap();

/**
 * A short highlight of el's background when its number changed (Web Animations: no forced layout,
 * cheap on big tables). At most once per PULSE_EVERY_MS per cell, so a SKU selling every tick
 * twinkles instead of staying lit.
 */
export function pulse(el) {
  if (!el.animate) return;
  const now = Date.now();
  if (now - (lastPulse.get(el) || 0) < PULSE_EVERY_MS) return;
  lastPulse.set(el, now);
  el.animate([{ backgroundColor: "rgba(255, 255, 255, 0.13)" }, { backgroundColor: "rgba(255, 255, 255, 0)" }], {
    duration: PULSE_MS,
    easing: "ease-out",
  });
}

/** The longest a scheduled render waits when animation frames are throttled, in milliseconds. */
const FRAME_FALLBACK_MS = 120;

/**
 * Runs fn at most once per animation frame (or within FRAME_FALLBACK_MS when frames are throttled,
 * e.g. an OBS source or a background tab), however often schedule() is called.
 */
export function frameScheduler(fn) {
  let raf = 0;
  let timer = 0;
  function run() {
    if (raf) cancelAnimationFrame(raf);
    if (timer) clearTimeout(timer);
    raf = 0;
    timer = 0;
    fn();
  }
  return function schedule() {
    if (raf || timer) return;
    raf = requestAnimationFrame(run);
    timer = setTimeout(run, FRAME_FALLBACK_MS);
  };
}

/** Settings kept in localStorage; without storage (private mode) they last for this page only. */
export const store = {
  get(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (_) {
      return null;
    }
  },
  set(key, value) {
    try {
      if (value === null || value === undefined) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (_) {
      /* private mode or storage disabled: the setting lasts for this page only */
    }
  },
};
