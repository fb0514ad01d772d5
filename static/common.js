/* livestock: code shared by the board, the host screen and the overlay.
 *
 *  - error capture for browser tests (window.__livestockErrors)
 *  - i18n lookup over window.I18N (static/i18n.js)
 *  - formatting: money from integer cents, counts, minutes, percentages, clock times
 *  - the live feed: one WebSocket to /ws?view=..., reconnecting with backoff (0.5 s → 5 s),
 *    sending {"type":"resync"} after a reconnect, merging snapshot / diff / alert frames into one
 *    state object that is also published as window.__livestock = {state, connected}.
 *
 * Load order on every page: common.js, i18n.js, then the page's own script.
 */
(function () {
  "use strict";

  /* ---------------------------------------------------------------- error capture */

  const errors = (window.__livestockErrors = window.__livestockErrors || []);
  const MAX_ERRORS = 200;

  function recordError(kind, message, extra) {
    if (errors.length >= MAX_ERRORS) errors.shift();
    errors.push(Object.assign({ kind, message: String(message), at: new Date().toISOString() }, extra || {}));
  }

  window.addEventListener(
    "error",
    (ev) => {
      // Capture phase also sees resources that failed to load (a missing script or stylesheet).
      const target = ev.target;
      if (target && target !== window && (target.src || target.href)) {
        recordError("resource", "failed to load " + (target.src || target.href));
        return;
      }
      recordError("error", ev.message || "error", {
        source: ev.filename || "",
        line: ev.lineno || 0,
        stack: ev.error && ev.error.stack ? String(ev.error.stack) : "",
      });
    },
    true
  );

  window.addEventListener("unhandledrejection", (ev) => {
    const r = ev.reason;
    recordError("unhandledrejection", r && r.message ? r.message : String(r), {
      stack: r && r.stack ? String(r.stack) : "",
    });
  });

  const consoleError = console.error.bind(console);
  console.error = function (...args) {
    recordError(
      "console.error",
      args.map((a) => (a instanceof Error ? a.message : typeof a === "string" ? a : safeJson(a))).join(" ")
    );
    consoleError(...args);
  };

  function safeJson(v) {
    try {
      return JSON.stringify(v);
    } catch (_) {
      return String(v);
    }
  }

  /* ---------------------------------------------------------------- language */

  function detectLang() {
    // The server renders <html lang="zh-CN|en"> from ?lang=; the query is the fallback for static previews.
    const htmlLang = (document.documentElement.getAttribute("lang") || "").trim();
    if (htmlLang === "en" || htmlLang === "zh-CN") return htmlLang;
    const q = new URLSearchParams(location.search).get("lang");
    return q === "en" ? "en" : "zh-CN";
  }

  const lang = detectLang();

  function table() {
    const all = window.I18N || {};
    return all[lang] || all["zh-CN"] || {};
  }

  /** The UI string for key, placeholders {name} filled from vars. */
  function t(key, vars) {
    let s = table()[key];
    if (s === undefined) {
      const zh = (window.I18N || {})["zh-CN"] || {};
      s = zh[key] !== undefined ? zh[key] : key;
    }
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
    return s;
  }

  /**
   * Fills el with the string for key, wrapping each placeholder's value in <span class=CLASS-NAME>
   * so that the number in "还剩最后 {n} 件" can be styled on its own. Text only, never HTML.
   */
  function tInto(el, key, vars, cls) {
    const s = t(key);
    const frag = document.createDocumentFragment();
    let last = 0;
    s.replace(/\{(\w+)\}/g, (m, name, offset) => {
      if (offset > last) frag.appendChild(document.createTextNode(s.slice(last, offset)));
      const span = document.createElement("span");
      span.className = (cls || "ph") + " " + (cls || "ph") + "-" + name;
      span.textContent = vars && name in vars ? String(vars[name]) : m;
      frag.appendChild(span);
      last = offset + m.length;
      return m;
    });
    if (last < s.length) frag.appendChild(document.createTextNode(s.slice(last)));
    el.replaceChildren(frag);
  }

  /** Translates every [data-i18n] element's text and [data-i18n-title] element's title under root. */
  function applyI18n(root) {
    const r = root || document;
    r.querySelectorAll("[data-i18n]").forEach((el) => {
      el.textContent = t(el.getAttribute("data-i18n"));
    });
    r.querySelectorAll("[data-i18n-title]").forEach((el) => {
      el.title = t(el.getAttribute("data-i18n-title"));
    });
  }

  /* ---------------------------------------------------------------- formatting */

  const intFmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  const oneDec = new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

  function isNum(v) {
    return typeof v === "number" && Number.isFinite(v);
  }

  /** 1234567 → "1,234,567"; null → "—". */
  function fmtInt(n) {
    return isNum(n) ? intFmt.format(Math.round(n)) : t("unit.dash");
  }

  /** Integer cents → {sign, yuan: "1,234", cents: "56"}, exact (no float rounding on the cents). */
  function moneyParts(cents) {
    if (!isNum(cents)) return null;
    const c = Math.round(cents);
    const abs = Math.abs(c);
    return {
      sign: c < 0 ? "-" : "",
      yuan: intFmt.format(Math.floor(abs / 100)),
      cents: String(abs % 100).padStart(2, "0"),
    };
  }

  /** Integer cents → "¥1,234.56" (or "¥1,234" with {cents:false}). */
  function fmtMoney(cents, opts) {
    const p = moneyParts(cents);
    if (!p) return t("unit.dash");
    const withCents = !opts || opts.cents !== false;
    return p.sign + "¥" + p.yuan + (withCents ? "." + p.cents : "");
  }

  /** Short money for chart axes: ¥8,500 · ¥12.3万 · ¥1.2亿 (zh) or ¥12.3K · ¥4.5M (en). */
  function fmtMoneyShort(cents) {
    if (!isNum(cents)) return t("unit.dash");
    return "¥" + fmtCompact(cents / 100);
  }

  /** Compact count: 12,345 → "1.2万" (zh) / "12.3K" (en); below 10,000 the plain number. */
  function fmtCompact(n) {
    if (!isNum(n)) return t("unit.dash");
    const a = Math.abs(n);
    const sign = n < 0 ? "-" : "";
    if (a < 10000) return sign + intFmt.format(Math.round(a));
    if (lang === "zh-CN") {
      if (a < 1e8) return sign + trimZero(oneDec.format(a / 1e4)) + t("unit.wan");
      return sign + trimZero(oneDec.format(a / 1e8)) + t("unit.yi");
    }
    if (a < 1e6) return sign + trimZero(oneDec.format(a / 1e3)) + "K";
    if (a < 1e9) return sign + trimZero(oneDec.format(a / 1e6)) + "M";
    return sign + trimZero(oneDec.format(a / 1e9)) + "B";
  }

  function trimZero(s) {
    return s.replace(/\.0$/, "");
  }

  /** Minutes → "42 分钟", "1 小时 05 分", "<1 分钟"; null → "—". */
  function fmtMinutes(m) {
    if (!isNum(m) || m < 0) return t("unit.dash");
    if (m < 1) return t("unit.less_than_minute");
    const whole = Math.round(m);
    if (whole < 60) return t("unit.minutes", { n: whole });
    const h = Math.floor(whole / 60);
    const mm = whole % 60;
    return t("unit.hours_minutes", { h: intFmt.format(h), m: String(mm).padStart(2, "0") });
  }

  /** 0..1 → "83%" (one decimal below 10%). */
  function fmtPct(x) {
    if (!isNum(x)) return t("unit.dash");
    const p = Math.max(0, x) * 100;
    return (p > 0 && p < 10 ? oneDec.format(p) : intFmt.format(Math.round(p))) + "%";
  }

  /** Units per minute → "12.3". */
  function fmtRate(r) {
    if (!isNum(r)) return t("unit.dash");
    if (r === 0) return "0";
    return r < 100 ? oneDec.format(r) : intFmt.format(Math.round(r));
  }

  function pad2(n) {
    return String(n).padStart(2, "0");
  }

  /** Date or epoch ms → "20:01:05". */
  function fmtClock(d, withSeconds) {
    const x = d instanceof Date ? d : new Date(d);
    if (Number.isNaN(x.getTime())) return t("unit.dash");
    const hm = pad2(x.getHours()) + ":" + pad2(x.getMinutes());
    return withSeconds === false ? hm : hm + ":" + pad2(x.getSeconds());
  }

  /** Milliseconds → "1:02:03" / "02:03". */
  function fmtDuration(ms) {
    if (!isNum(ms) || ms < 0) return t("unit.dash");
    const s = Math.floor(ms / 1000);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    return (h > 0 ? h + ":" + pad2(m) : pad2(m)) + ":" + pad2(sec);
  }

  /** RFC 3339 → epoch ms, or null. */
  function parseTime(s) {
    if (!s) return null;
    const ms = Date.parse(s);
    return Number.isNaN(ms) ? null : ms;
  }

  /** The localised text of a {zh, en} pair (the prompt) or message_zh/message_en of an alert. */
  function pick(zh, en) {
    if (lang === "en") return en || zh || "";
    return zh || en || "";
  }

  /* ---------------------------------------------------------------- small DOM helpers */

  /** h("div", {class: "x", text: "hi"}, child...) */
  function h(tag, attrs, ...children) {
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
  function setText(el, text) {
    const s = String(text);
    if (el.textContent !== s) {
      el.textContent = s;
      return true;
    }
    return false;
  }

  /** Re-triggers a one-shot CSS animation class (e.g. a flash when a number changes). */
  function flash(el, cls) {
    const c = cls || "flash";
    el.classList.remove(c);
    void el.offsetWidth; // restart the animation
    el.classList.add(c);
  }

  /**
   * A short highlight of el's background when its number changed (Web Animations: no forced layout,
   * cheap on big tables). At most once per 3 s per cell, so a SKU selling every tick twinkles
   * instead of staying lit.
   */
  const lastPulse = new WeakMap();
  function pulse(el) {
    if (!el.animate) return;
    const now = Date.now();
    if (now - (lastPulse.get(el) || 0) < 3000) return;
    lastPulse.set(el, now);
    el.animate([{ backgroundColor: "rgba(255, 255, 255, 0.13)" }, { backgroundColor: "rgba(255, 255, 255, 0)" }], {
      duration: 700,
      easing: "ease-out",
    });
  }

  /**
   * Runs fn at most once per animation frame (or within 120 ms when frames are throttled,
   * e.g. an OBS source or a background tab), however often schedule() is called.
   */
  function frameScheduler(fn) {
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
      timer = setTimeout(run, 120);
    };
  }

  const store = {
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

  /* ---------------------------------------------------------------- state */

  const SERIES_MAX = 720;
  const ALERTS_MAX = 500;

  function emptySeries() {
    return { t: [], viewers: [], gmv_cents: [], orders: [], units: [], stock: {} };
  }

  /** A Series from the server, made safe to append to (every array the length of t). */
  function normaliseSeries(s) {
    const out = emptySeries();
    if (!s || !Array.isArray(s.t)) return out;
    const n = s.t.length;
    const fit = (a) => {
      const arr = Array.isArray(a) ? a.slice(0, n) : [];
      while (arr.length < n) arr.push(null);
      return arr;
    };
    out.t = s.t.slice();
    out.viewers = fit(s.viewers);
    out.gmv_cents = fit(s.gmv_cents);
    out.orders = fit(s.orders);
    out.units = fit(s.units);
    if (s.stock && typeof s.stock === "object") {
      for (const [sku, arr] of Object.entries(s.stock)) out.stock[sku] = fit(arr);
    }
    trimSeries(out);
    return out;
  }

  function trimSeries(s) {
    const extra = s.t.length - SERIES_MAX;
    if (extra <= 0) return;
    s.t.splice(0, extra);
    s.viewers.splice(0, extra);
    s.gmv_cents.splice(0, extra);
    s.orders.splice(0, extra);
    s.units.splice(0, extra);
    for (const arr of Object.values(s.stock)) arr.splice(0, extra);
  }

  /**
   * The client's copy of the server state: the shape of a snapshot frame
   * ({view, seq, server_ms, skus: [...], show, alerts: [...], series}) kept current by diffs.
   */
  class LiveState {
    constructor(view) {
      this.view = view;
      this.index = new Map(); // sku code → position in state.skus
      this.alertIndex = new Map(); // alert id → position in state.alerts
      this.lastSeq = -Infinity;
      this.clockOffset = 0; // server_ms − Date.now() at the last frame
      this.state = this.blank();
    }

    blank() {
      return { view: this.view, seq: null, server_ms: null, skus: [], show: null, alerts: [], series: emptySeries() };
    }

    /** Now, by the server's clock. */
    now() {
      return Date.now() + this.clockOffset;
    }

    noteServerTime(ms) {
      if (isNum(ms)) this.clockOffset = ms - Date.now();
    }

    sku(code) {
      const i = this.index.get(code);
      return i === undefined ? null : this.state.skus[i];
    }

    /** Replaces everything. Returns a change record. */
    applySnapshot(f) {
      const s = this.blank();
      s.seq = isNum(f.seq) ? f.seq : null;
      s.server_ms = isNum(f.server_ms) ? f.server_ms : null;
      s.view = f.view || this.view;
      this.index.clear();
      for (const v of Array.isArray(f.skus) ? f.skus : []) {
        if (!v || typeof v.sku !== "string") continue;
        const i = this.index.get(v.sku);
        if (i === undefined) {
          this.index.set(v.sku, s.skus.length);
          s.skus.push(v);
        } else s.skus[i] = v;
      }
      s.show = f.show || null;
      this.alertIndex.clear();
      for (const a of Array.isArray(f.alerts) ? f.alerts : []) this.upsertAlertInto(s, a);
      s.series = normaliseSeries(f.series);
      this.state = s;
      this.lastSeq = isNum(f.seq) ? f.seq : -Infinity;
      this.noteServerTime(f.server_ms);
      return { snapshot: true, skus: null, show: true, sample: true, alerts: true };
    }

    /** Merges a diff; null when it is older than what we have. */
    applyDiff(f) {
      if (isNum(f.seq)) {
        if (f.seq < this.lastSeq) return null;
        this.lastSeq = f.seq;
        this.state.seq = f.seq;
      }
      if (isNum(f.server_ms)) this.state.server_ms = f.server_ms;
      this.noteServerTime(f.server_ms);
      const changed = [];
      for (const v of Array.isArray(f.skus) ? f.skus : []) {
        if (!v || typeof v.sku !== "string") continue;
        const i = this.index.get(v.sku);
        if (i === undefined) {
          this.index.set(v.sku, this.state.skus.length);
          this.state.skus.push(v);
        } else this.state.skus[i] = v;
        changed.push(v.sku);
      }
      const showChanged = f.show !== undefined;
      if (showChanged) this.state.show = f.show;
      let sample = false;
      if (f.sample && isNum(f.sample.t)) {
        this.appendSample(f.sample);
        sample = true;
      }
      return { snapshot: false, skus: changed, show: showChanged, sample, alerts: false };
    }

    appendSample(p) {
      const s = this.state.series;
      const n = s.t.length;
      s.t.push(p.t);
      s.viewers.push(isNum(p.viewers) ? p.viewers : null);
      s.gmv_cents.push(isNum(p.gmv_cents) ? p.gmv_cents : null);
      s.orders.push(isNum(p.orders) ? p.orders : null);
      s.units.push(isNum(p.units) ? p.units : null);
      const stock = p.stock && typeof p.stock === "object" ? p.stock : {};
      for (const [sku, val] of Object.entries(stock)) {
        // A SKU first seen late is back-filled with its first value, as the server does.
        if (!s.stock[sku]) s.stock[sku] = new Array(n).fill(isNum(val) ? val : null);
      }
      for (const [sku, arr] of Object.entries(s.stock)) {
        if (isNum(stock[sku])) arr.push(stock[sku]);
        else {
          // Not in this sample: the line carries on at what we know now.
          const v = this.sku(sku);
          arr.push(v && isNum(v.available) ? v.available : arr.length ? arr[arr.length - 1] : null);
        }
      }
      trimSeries(s);
    }

    upsertAlertInto(s, a) {
      if (!a || a.id === undefined || a.id === null) return;
      const id = String(a.id);
      const i = this.alertIndex.get(id);
      if (i === undefined) {
        this.alertIndex.set(id, s.alerts.length);
        s.alerts.push(a);
      } else s.alerts[i] = a;
      if (s.alerts.length > ALERTS_MAX) {
        // Forget the oldest acknowledged alerts first, then the oldest of all.
        let drop = s.alerts.findIndex((x) => x.acked_by);
        if (drop < 0) drop = 0;
        s.alerts.splice(drop, 1);
        this.alertIndex.clear();
        s.alerts.forEach((x, j) => this.alertIndex.set(String(x.id), j));
      }
    }

    /** Upserts an alert frame's alert; returns {alert, isNew}. */
    applyAlert(a) {
      const isNew = !this.alertIndex.has(String(a && a.id));
      this.upsertAlertInto(this.state, a);
      return { alert: a, isNew };
    }
  }

  /* ---------------------------------------------------------------- the feed */

  const BACKOFF_MIN = 500;
  const BACKOFF_MAX = 5000;

  /**
   * Connects to /ws?view=VIEW and keeps connected.
   * handlers: {onState(change, live), onAlert(alert, isNew, live), onStatus(status, info)}
   * status: "connecting" | "connected" | "reconnecting".
   */
  function connect(view, handlers) {
    const live = new LiveState(view);
    const pub = (window.__livestock = { state: live.state, connected: false, view, frames: 0, reconnects: 0 });
    let ws = null;
    let attempt = 0;
    let everOpened = false;
    let retryTimer = 0;
    let retryAt = 0;

    function status(s) {
      if (handlers.onStatus) handlers.onStatus(s, { retryAt, attempt });
    }

    function url() {
      const proto = location.protocol === "https:" ? "wss:" : "ws:";
      return proto + "//" + location.host + "/ws?view=" + encodeURIComponent(view);
    }

    function open() {
      retryTimer = 0;
      status(everOpened ? "reconnecting" : "connecting");
      let sock;
      try {
        sock = new WebSocket(url());
      } catch (e) {
        console.warn("livestock: cannot open the WebSocket", e);
        scheduleRetry();
        return;
      }
      ws = sock;
      sock.onopen = () => {
        if (ws !== sock) return;
        if (everOpened) {
          pub.reconnects += 1;
          send({ type: "resync" });
        }
        everOpened = true;
      };
      sock.onmessage = (ev) => {
        if (ws !== sock) return;
        onFrame(ev.data);
      };
      sock.onclose = () => {
        if (ws !== sock) return;
        ws = null;
        pub.connected = false;
        scheduleRetry();
      };
      sock.onerror = () => {
        /* onclose follows and schedules the retry */
      };
    }

    function scheduleRetry() {
      if (retryTimer) return;
      const base = Math.min(BACKOFF_MAX, BACKOFF_MIN * Math.pow(2, attempt));
      const delay = Math.min(BACKOFF_MAX, Math.round(base * (0.85 + Math.random() * 0.3)));
      attempt += 1;
      retryAt = Date.now() + delay;
      status("reconnecting");
      retryTimer = setTimeout(open, delay);
    }

    function retryNow() {
      if (ws || !retryTimer) return;
      clearTimeout(retryTimer);
      retryTimer = 0;
      attempt = 0;
      open();
    }

    function send(obj) {
      if (ws && ws.readyState === 1) {
        try {
          ws.send(JSON.stringify(obj));
          return true;
        } catch (e) {
          console.warn("livestock: send failed", e);
        }
      }
      return false;
    }

    function onFrame(data) {
      let f;
      try {
        f = JSON.parse(data);
      } catch (e) {
        console.warn("livestock: ignoring a frame that is not JSON");
        return;
      }
      if (!f || typeof f !== "object") return;
      pub.frames += 1;
      switch (f.type) {
        case "snapshot": {
          const change = live.applySnapshot(f);
          attempt = 0;
          pub.state = live.state;
          const wasConnected = pub.connected;
          pub.connected = true;
          if (!wasConnected) status("connected");
          if (handlers.onState) handlers.onState(change, live);
          break;
        }
        case "diff": {
          if (!pub.connected) {
            // A diff before any snapshot on this connection: we cannot merge it safely.
            send({ type: "resync" });
            return;
          }
          const change = live.applyDiff(f);
          if (change && handlers.onState) handlers.onState(change, live);
          break;
        }
        case "alert": {
          if (!f.alert) return;
          const r = live.applyAlert(f.alert);
          if (handlers.onAlert) handlers.onAlert(r.alert, r.isNew, live);
          break;
        }
        default:
          break; // unknown frame types are for newer clients
      }
    }

    window.addEventListener("online", retryNow);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") retryNow();
    });

    open();
    return {
      live,
      send,
      resync: () => send({ type: "resync" }),
      get connected() {
        return pub.connected;
      },
    };
  }

  /* ---------------------------------------------------------------- API */

  /** POST /api/v1/alerts/{id}/ack. Resolves {ok:true} or {ok:false, message}; never rejects. */
  async function ackAlert(id, by) {
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

  /* ---------------------------------------------------------------- sound */

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
  function unlockAudio() {
    const ctx = audio();
    if (ctx && ctx.state === "suspended") ctx.resume().catch(() => {});
  }

  /** A short beep made with WebAudio (no sound file): higher and doubled for level 3. */
  function beep(level) {
    const now = Date.now();
    if (now - lastBeep < 350) return; // a burst of warnings gets one beep
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
      for (let i = 0; i < count; i++) {
        const t0 = ctx.currentTime + 0.02 + i * 0.2;
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
    } catch (_) {
      /* audio is a nicety; never break the board for it */
    }
  }

  window.LS = {
    lang,
    t,
    tInto,
    applyI18n,
    isNum,
    fmtInt,
    fmtMoney,
    fmtMoneyShort,
    moneyParts,
    fmtCompact,
    fmtMinutes,
    fmtPct,
    fmtRate,
    fmtClock,
    fmtDuration,
    parseTime,
    pick,
    h,
    setText,
    flash,
    pulse,
    frameScheduler,
    store,
    connect,
    ackAlert,
    beep,
    unlockAudio,
    LiveState,
    SERIES_MAX,
  };
})();
