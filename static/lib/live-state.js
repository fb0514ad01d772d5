/* livestock: the client's copy of the server state, kept current by the feed's frames:
 * snapshot (replaces everything), diff (merges changed SKUs, the show, a series sample, the
 * write state) and alert (upserts one warning). Bounded: SERIES_MAX samples, ALERTS_MAX alerts. */
import { isNum } from "./format.js";

/** Samples of the series kept; older ones are dropped. */
const SERIES_MAX = 720;
/** Alerts kept; the oldest acknowledged ones are forgotten first. */
const ALERTS_MAX = 500;
/** The write states a frame may carry; anything else (or nothing, on a snapshot) is "ok". */
const WRITE_STATES = ["ok", "disk_full", "failed"];

/** The shop-wide columns of a Series besides t and the per-SKU stock (src/domain/series.rs). */
const COLUMNS = ["viewers", "gmv_cents", "orders", "units", "buyers"];

function emptySeries() {
  const s = { t: [], stock: {} };
  for (const c of COLUMNS) s[c] = [];
  return s;
}

function trimSeries(s) {
  const extra = s.t.length - SERIES_MAX;
  if (extra <= 0) return;
  s.t.splice(0, extra);
  for (const c of COLUMNS) s[c].splice(0, extra);
  for (const arr of Object.values(s.stock)) arr.splice(0, extra);
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
  for (const c of COLUMNS) out[c] = fit(s[c]);
  if (s.stock && typeof s.stock === "object") {
    for (const [sku, arr] of Object.entries(s.stock)) out.stock[sku] = fit(arr);
  }
  trimSeries(out);
  return out;
}

/** A frame's write state, or null when it carries none (or one this client does not know). */
function writeState(f) {
  return WRITE_STATES.includes(f.writes) ? f.writes : null;
}

/**
 * The shape of a snapshot frame ({view, seq, server_ms, skus: [...], show, alerts: [...], series,
 * writes}) kept current by diffs.
 */
export class LiveState {
  constructor(view) {
    this.view = view;
    this.index = new Map(); // sku code → position in state.skus
    this.alertIndex = new Map(); // alert id → position in state.alerts
    this.lastSeq = -Infinity;
    this.clockOffset = 0; // server_ms − Date.now() at the last frame
    this.state = this.blank();
  }

  blank() {
    return {
      view: this.view,
      seq: null,
      server_ms: null,
      skus: [],
      show: null,
      /** Every room's summary (board and feed views): {room, name, channel, title, state, current,
          viewers, peak_viewers, gmv_cents, orders, units, buyers}. */
      rooms: [],
      /** The room the frames' show is of. */
      room: null,
      alerts: [],
      series: emptySeries(),
      writes: "ok",
    };
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
    s.rooms = Array.isArray(f.rooms) ? f.rooms : [];
    s.room = typeof f.room === "string" ? f.room : null;
    this.alertIndex.clear();
    for (const a of Array.isArray(f.alerts) ? f.alerts : []) this.upsertAlertInto(s, a);
    s.series = normaliseSeries(f.series);
    // A snapshot is the whole state: one without a write state comes from a server that takes writes.
    s.writes = writeState(f) || "ok";
    this.state = s;
    this.lastSeq = isNum(f.seq) ? f.seq : -Infinity;
    this.noteServerTime(f.server_ms);
    return { snapshot: true, skus: null, show: true, sample: true, alerts: true, writes: true };
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
    const showChanged = f.show !== undefined || Array.isArray(f.rooms);
    if (f.show !== undefined) this.state.show = f.show;
    if (Array.isArray(f.rooms)) this.state.rooms = f.rooms;
    let sample = false;
    if (f.sample && isNum(f.sample.t)) {
      this.appendSample(f.sample);
      sample = true;
    }
    // A diff carries only what changed: without a write state, the last one still holds.
    const writes = writeState(f);
    const writesChanged = writes !== null && writes !== this.state.writes;
    if (writesChanged) this.state.writes = writes;
    return { snapshot: false, skus: changed, show: showChanged, sample, alerts: false, writes: writesChanged };
  }

  appendSample(p) {
    const s = this.state.series;
    const n = s.t.length;
    s.t.push(p.t);
    for (const c of COLUMNS) s[c].push(isNum(p[c]) ? p[c] : null);
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
