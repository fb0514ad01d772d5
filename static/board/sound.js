/* livestock board: the warning beep (WebAudio, no sound file), the sound on/off switch (kept in
 * localStorage) and unlocking audio on the first click, as browsers' autoplay policy requires. */
import { t } from "../lib/i18n.js";
import { $, store } from "../lib/dom.js";

const SOUND_KEY = "livestock.sound";
/** A burst of warnings within this many milliseconds gets one beep. */
const BEEP_GAP_MS = 350;

let soundOn = store.get(SOUND_KEY) !== "off";
let audioCtx = null;
let lastBeep = 0;

function audio() {
  const AC = window.AudioContext || window.webkitAudioContext;
  if (!AC) return null;
  if (!audioCtx) {
    try {
      audioCtx = new AC();
    } catch (_) {
      return null;
    }
  }
  return audioCtx;
}

/** Call from a user gesture so that later beeps are allowed by the autoplay policy. */
export function unlockAudio() {
  const ctx = audio();
  if (ctx && ctx.state === "suspended") ctx.resume().catch(() => {});
}

function tone(ctx, freq, t0) {
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = "sine";
  osc.frequency.setValueAtTime(freq, t0);
  gain.gain.setValueAtTime(0.0001, t0);
  gain.gain.exponentialRampToValueAtTime(0.25, t0 + 0.015);
  gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.16);
  osc.connect(gain).connect(ctx.destination);
  osc.start(t0);
  osc.stop(t0 + 0.18);
}

/** A short beep: higher and doubled for level 3. */
function beep(level) {
  const now = Date.now();
  if (now - lastBeep < BEEP_GAP_MS) return;
  lastBeep = now;
  const ctx = audio();
  if (!ctx) return;
  if (ctx.state === "suspended") {
    // Before any click the browser keeps audio off (unless the kiosk allows autoplay); don't nag it.
    const ua = navigator.userActivation;
    if (ua && !ua.hasBeenActive) return;
    ctx.resume().catch(() => {});
  }
  const freq = level >= 3 ? 1175 : level === 2 ? 988 : 880;
  const count = level >= 3 ? 2 : 1;
  try {
    for (let i = 0; i < count; i++) tone(ctx, freq, ctx.currentTime + 0.02 + i * 0.2);
  } catch (_) {
    /* audio is a nicety; never break the board for it */
  }
}

/** Beeps for a warning of that level, when the sound is on. */
export function alertSound(level) {
  if (soundOn) beep(level);
}

function renderSound() {
  const b = $("sound-toggle");
  b.textContent = soundOn ? t("sound.on") : t("sound.off");
  b.classList.toggle("off", !soundOn);
  b.setAttribute("aria-pressed", String(soundOn));
}

/** Wires the sound switch and the first-gesture unlock. */
export function setupSound() {
  $("sound-toggle").addEventListener("click", () => {
    soundOn = !soundOn;
    store.set(SOUND_KEY, soundOn ? "on" : "off");
    if (soundOn) {
      unlockAudio();
      beep(1);
    }
    renderSound();
  });
  // Browsers only let a page make sound after a click or key press: unlock on the first one.
  window.addEventListener("pointerdown", () => unlockAudio(), { once: true, capture: true });
  window.addEventListener("keydown", () => unlockAudio(), { once: true, capture: true });
  renderSound();
}
