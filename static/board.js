/* livestock: the control-room board (/).
 * Everything on screen comes from the WebSocket feed (static/common.js); this file only draws. */
(function () {
  "use strict";

  const L = window.LS;
  const { t, h, setText } = L;
  const $ = (id) => document.getElementById(id);

  const VISIBLE_TOASTS = 2;
  const PICKS_KEY = "livestock.board.picks";
  const ACK_NAME_KEY = "livestock.ackBy";
  const SOUND_KEY = "livestock.sound";
  const PALETTE = ["#ff2e63", "#4cc3ff", "#ffc53d", "#36cfc9", "#a78bfa", "#ff9c6e", "#95de64", "#ff85c0", "#5cdbd3", "#d3adf7"];

  /* ------------------------------------------------------------ page chrome */

  L.applyI18n();
  document.title = t("page.board") + " · livestock";

  for (const btn of document.querySelectorAll(".lang-switch button")) {
    const code = btn.dataset.lang;
    btn.classList.toggle("active", code === L.lang);
    btn.setAttribute("aria-pressed", String(code === L.lang));
    btn.addEventListener("click", () => {
      if (code === L.lang) return;
      const url = new URL(location.href);
      url.searchParams.set("lang", code);
      location.assign(url.toString());
    });
  }

  let soundOn = L.store.get(SOUND_KEY) !== "off";
  function renderSound() {
    const b = $("sound-toggle");
    b.textContent = soundOn ? t("sound.on") : t("sound.off");
    b.classList.toggle("off", !soundOn);
    b.setAttribute("aria-pressed", String(soundOn));
  }
  $("sound-toggle").addEventListener("click", () => {
    soundOn = !soundOn;
    L.store.set(SOUND_KEY, soundOn ? "on" : "off");
    if (soundOn) {
      L.unlockAudio();
      L.beep(1);
    }
    renderSound();
  });
  // Browsers only let a page make sound after a click or key press: unlock on the first one.
  window.addEventListener("pointerdown", () => L.unlockAudio(), { once: true, capture: true });
  window.addEventListener("keydown", () => L.unlockAudio(), { once: true, capture: true });
  renderSound();

  function ackName() {
    return (L.store.get(ACK_NAME_KEY) || "").trim();
  }
  function askAckName() {
    const answer = window.prompt(t("alert.ack_prompt"), ackName());
    if (answer === null) return null;
    const name = answer.trim().slice(0, 64);
    if (!name) return null;
    L.store.set(ACK_NAME_KEY, name);
    renderAckBy();
    return name;
  }
  function renderAckBy() {
    const n = ackName();
    $("ack-by").textContent = n ? t("ackby.label", { n }) : t("ackby.none");
  }
  $("ack-by").addEventListener("click", askAckName);
  renderAckBy();

  /* ------------------------------------------------------------ picks (SKUs plotted in the stock chart) */

  let picks = [];
  try {
    const saved = JSON.parse(L.store.get(PICKS_KEY) || "[]");
    if (Array.isArray(saved)) picks = saved.filter((s) => typeof s === "string").slice(0, 24);
  } catch (_) {
    picks = [];
  }
  function savePicks() {
    L.store.set(PICKS_KEY, JSON.stringify(picks));
  }

  const colors = new Map(); // sku → colour, stable while plotted
  function colorFor(sku, current) {
    if (sku === current) return PALETTE[0];
    if (colors.has(sku)) return colors.get(sku);
    const used = new Set(colors.values());
    let c = PALETTE.slice(1).find((x) => !used.has(x));
    if (!c) c = PALETTE[1 + (colors.size % (PALETTE.length - 1))];
    colors.set(sku, c);
    return c;
  }

  /* ------------------------------------------------------------ the feed */

  let live = null; // LiveState
  let status = "connecting";
  let gotState = false;
  const dirty = { all: true, skus: new Set(), show: true, series: true, alerts: true, scroll: false };

  const schedule = L.frameScheduler(render);

  const feed = L.connect("board", {
    onState(change, ls) {
      live = ls;
      gotState = true;
      if (change.snapshot) {
        dirty.all = true;
        extra.reset();
      } else {
        for (const s of change.skus) dirty.skus.add(s);
      }
      if (change.show) dirty.show = true;
      if (change.sample) {
        extra.onSample();
        dirty.series = true;
      }
      if (change.snapshot) dirty.alerts = true;
      schedule();
    },
    onAlert(alert, isNew, ls) {
      live = ls;
      dirty.alerts = true;
      if (isNew && !alert.acked_by && soundOn && popsUp(alert)) L.beep(alert.level);
      schedule();
    },
    onStatus(s) {
      status = s;
      renderConn();
      document.body.classList.toggle("offline", s !== "connected" && gotState);
    },
  });
  live = feed.live;

  function show() {
    return (live && live.state.show) || null;
  }

  function renderConn() {
    const el = $("conn");
    el.className = "conn conn-" + status;
    setText(el.querySelector(".conn-text"), t("conn." + status));
  }
  renderConn();

  /* ------------------------------------------------------------ render loop */

  let lastStage = null;

  /** What decides the table's order, tags and the plotted SKUs: the product on air, next, lineup. */
  function stageKey(s) {
    if (!s) return "";
    return [s.current || "", s.next || "", ...(Array.isArray(s.lineup) ? s.lineup.map((e) => e.sku) : [])].join("\u0000");
  }

  function render() {
    const s = show();
    const stage = stageKey(s);
    const stageChanged = stage !== lastStage;
    lastStage = stage;
    if (dirty.all || dirty.show) {
      renderHeader(s);
      renderKpis(s);
    }
    if (dirty.all || stageChanged || dirty.skus.size || dirty.scroll) renderTable(s, dirty.all || stageChanged);
    if (dirty.all || dirty.show || dirty.skus.size) renderFocus(s);
    if (dirty.all || dirty.series || stageChanged) renderCharts(s);
    else if (stockKeys.some((k) => dirty.skus.has(k))) renderStockLegend();
    if (dirty.all || dirty.alerts) {
      renderToasts();
      renderAlertKpi();
      renderFocus(s);
    }
    dirty.all = false;
    dirty.scroll = false;
    dirty.show = false;
    dirty.series = false;
    dirty.alerts = false;
    dirty.skus.clear();
  }

  /* ------------------------------------------------------------ header + clock */

  function renderHeader(s) {
    const title = $("show-title");
    const badge = $("show-state");
    badge.hidden = !gotState;
    if (!s || (!s.title && s.state === "none")) {
      setText(title, gotState ? t("show.none") : "");
      title.classList.add("muted");
    } else {
      setText(title, s.title || t("show.untitled"));
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
      const started = L.parseTime(s.started_at);
      setText(el, started ? t("show.elapsed", { d: L.fmtDuration(live.now() - started) }) : "");
    } else if (s.state === "ended") {
      const ended = L.parseTime(s.ended_at);
      setText(el, ended ? t("show.ended_at", { t: L.fmtClock(ended, false) }) : "");
    } else if (s.state === "planned") {
      setText(el, t("show.planned_hint"));
    } else setText(el, "");
  }

  function tick() {
    setText($("clock"), L.fmtClock(live ? live.now() : Date.now()));
    renderElapsed();
    setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
  }
  tick();

  /* ------------------------------------------------------------ KPIs */

  function setKpi(id, text) {
    setText($(id).querySelector(".kpi-main"), text);
  }

  /** How much a cumulative series grew over the last minute. */
  function lastMinute(arr) {
    const ser = live.state.series;
    const n = ser.t.length;
    if (n < 2 || !arr) return null;
    const tEnd = ser.t[n - 1];
    let i = n - 1;
    while (i > 0 && tEnd - ser.t[i - 1] <= 60000) i--;
    const a = arr[i];
    const b = arr[n - 1];
    return L.isNum(a) && L.isNum(b) && i < n - 1 ? Math.max(0, b - a) : null;
  }

  function renderKpis(s) {
    setText($("chart-viewers-now"), s ? L.fmtInt(s.viewers) : "");
    setText($("chart-gmv-now"), s ? L.fmtMoney(s.gmv_cents, { cents: false }) : "");
    const gmv = s && L.isNum(s.gmv_cents) ? s.gmv_cents : 0;
    const parts = L.moneyParts(gmv);
    const gmvEl = $("kpi-gmv");
    setKpi("kpi-gmv", parts.sign + parts.yuan);
    setText(gmvEl.querySelector(".kpi-cents"), "." + parts.cents);
    const orders = s && L.isNum(s.orders) ? s.orders : 0;
    const units = s && L.isNum(s.units) ? s.units : 0;
    const viewers = s && L.isNum(s.viewers) ? s.viewers : 0;
    setKpi("kpi-orders", L.fmtInt(orders));
    setKpi("kpi-units", L.fmtInt(units));
    setKpi("kpi-viewers", L.fmtInt(viewers));

    setText(gmvEl.querySelector(".kpi-sub"), orders > 0 ? t("kpi.avg_order", { v: L.fmtMoney(Math.round(gmv / orders)) }) : "");
    const ser = live.state.series;
    const dOrders = lastMinute(ser.orders);
    const dUnits = lastMinute(ser.units);
    setText($("kpi-orders").querySelector(".kpi-sub"), dOrders !== null ? t("kpi.per_min", { v: L.fmtInt(dOrders) }) : "");
    setText($("kpi-units").querySelector(".kpi-sub"), dUnits !== null ? t("kpi.per_min", { v: L.fmtInt(dUnits) }) : "");
    let peak = Math.max(viewers, s && L.isNum(s.peak_viewers) ? s.peak_viewers : 0);
    for (const v of ser.viewers) if (L.isNum(v) && v > peak) peak = v;
    setText($("kpi-viewers").querySelector(".kpi-sub"), peak > 0 ? t("kpi.peak", { v: L.fmtInt(peak) }) : "");
  }

  function openAlerts() {
    return live.state.alerts.filter((a) => !a.acked_by);
  }

  function renderAlertKpi() {
    const open = openAlerts().filter(popsUp); // fading hits are on the watch list instead
    const el = $("kpi-alerts");
    setText(el.querySelector(".kpi-main"), L.fmtInt(open.length));
    let top = null;
    for (const a of open) if (!top || a.level > top.level || (a.level === top.level && (a.at || "") > (top.at || ""))) top = a;
    el.classList.remove("has-1", "has-2", "has-3");
    if (top) el.classList.add("has-" + Math.min(3, Math.max(1, top.level | 0)));
    setText(
      el.querySelector(".kpi-sub"),
      top ? t("kpi.top", { l: t("level." + Math.min(3, Math.max(1, top.level | 0))), k: t("alert.kind." + top.kind) }) : gotState ? t("kpi.none_open") : ""
    );
  }

  /* ------------------------------------------------------------ SKU table */

  const rows = new Map(); // sku → {tr, cells, prev}
  let order = [];

  function lineupIndex(s) {
    const m = new Map();
    if (s && Array.isArray(s.lineup)) s.lineup.forEach((e, i) => m.has(e.sku) || m.set(e.sku, i));
    return m;
  }

  function sortKey(v, s, lx) {
    if (s && v.sku === s.current) return [0, 0];
    if (s && v.sku === s.next) return [1, 0];
    if (lx.has(v.sku)) return [2, lx.get(v.sku)];
    return [3, -(v.level | 0)];
  }

  const collator = new Intl.Collator("en", { numeric: true });

  function sortedSkus(s) {
    const lx = lineupIndex(s);
    const list = live.state.skus.map((v) => ({ v, k: sortKey(v, s, lx) }));
    list.sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || collator.compare(a.v.sku, b.v.sku));
    return list.map((x) => x.v);
  }

  function makeRow(sku) {
    const c = {};
    const tr = h("tr", { dataset: { sku } });
    const cell = (name, cls) => {
      const td = h("td", { class: cls });
      c[name] = td;
      tr.appendChild(td);
      return td;
    };
    const pick = cell("pick", "pick");
    c.box = h("input", { type: "checkbox", "aria-label": sku, title: t("table.chart_tip") });
    c.box.addEventListener("change", () => togglePick(sku, c.box.checked));
    pick.appendChild(c.box);
    const prod = cell("product", "product");
    c.tags = h("span", { class: "ptags" });
    c.name = h("span", { class: "pname-text" });
    c.sub = h("div", { class: "psku" });
    prod.append(h("div", { class: "pname" }, c.tags, c.name), c.sub);
    for (const k of ["on_hand", "damaged", "buffer", "held", "committed"]) cell(k, "n " + k);
    cell("available", "n avail");
    cell("sold", "n sold");
    cell("rate", "n rate");
    cell("sellout", "n sellout");
    const st = cell("st", "st");
    c.stFill = h("div", { class: "st-fill" });
    c.stPct = h("span", { class: "st-pct" });
    st.appendChild(h("div", { class: "st-cell" }, h("div", { class: "st-bar" }, c.stFill), c.stPct));
    const lvl = cell("lvl", "lvl");
    c.badge = h("span", { class: "lvl-badge" });
    lvl.appendChild(c.badge);
    return { tr, c, prev: null, tagKey: "" };
  }

  function numCell(td, n) {
    setText(td, L.fmtInt(n));
    td.classList.toggle("zero", n === 0);
  }

  function updateRow(row, v, s, lx, animate) {
    const { tr, c } = row;
    const level = Math.max(0, Math.min(3, v.level | 0));
    const onAir = !!(s && s.current === v.sku);
    const isNext = !!(s && s.next === v.sku);
    const cls = "lvl-" + level + (onAir ? " onair" : "");
    if (tr.className !== cls) tr.className = cls;

    // Tags: on air / next / lineup position.
    const tagKey = onAir ? "onair" : isNext ? "next" : lx.has(v.sku) ? "l" + lx.get(v.sku) : "";
    if (tagKey !== row.tagKey) {
      row.tagKey = tagKey;
      c.tags.replaceChildren();
      if (onAir) c.tags.appendChild(h("span", { class: "tag tag-onair", text: t("tag.on_air") }));
      else if (isNext) c.tags.appendChild(h("span", { class: "tag tag-next", text: t("tag.next") }));
      else if (lx.has(v.sku)) c.tags.appendChild(h("span", { class: "tag", text: t("tag.lineup", { n: lx.get(v.sku) + 1 }) }));
    }
    setText(c.name, v.name || v.sku);
    c.name.title = v.name || v.sku;
    let sub = v.sku + (v.category ? " · " + v.category : "");
    if (v.presale_cap > 0) sub += " · " + t("tag.presale", { sold: L.fmtInt(v.presale_sold), cap: L.fmtInt(v.presale_cap) });
    setText(c.sub, sub);

    numCell(c.on_hand, v.on_hand);
    numCell(c.damaged, v.damaged);
    numCell(c.buffer, v.buffer);
    numCell(c.held, v.held);
    numCell(c.committed, v.committed);
    numCell(c.available, v.available);
    numCell(c.sold, v.sold_units);
    setText(c.rate, L.isNum(v.rate_per_min) && v.rate_per_min > 0 ? L.fmtRate(v.rate_per_min) : t("unit.dash"));
    setText(c.sellout, L.fmtMinutes(v.sellout_minutes));
    c.sellout.style.color = L.isNum(v.sellout_minutes) && v.sellout_minutes < 60 ? "var(--l1)" : "";
    const st = L.isNum(v.sell_through) ? Math.max(0, Math.min(1, v.sell_through)) : 0;
    c.stFill.style.width = (st * 100).toFixed(1) + "%";
    c.stFill.classList.toggle("hot", st > 0.8);
    setText(c.stPct, L.fmtPct(st));
    c.badge.className = "lvl-badge lvl-" + level;
    setText(c.badge, t("level." + level));
    c.badge.title = level ? t("level." + level + ".action") : "";

    const plotted = onAir || picks.includes(v.sku);
    c.box.checked = plotted;
    c.box.disabled = onAir;
    c.box.style.setProperty("--swatch", plotted ? colorFor(v.sku, s && s.current) : "");

    if (animate && row.prev) {
      if (row.prev.available !== v.available) L.pulse(c.available);
      if (row.prev.sold_units !== v.sold_units) L.pulse(c.sold);
    }
    row.prev = { available: v.available, sold_units: v.sold_units };
  }

  /*
   * Up to VIRTUAL_FROM SKUs every row is in the DOM. Above that (a whole catalogue on the board)
   * only the rows in view, plus a margin, are: spacer rows keep the scroll height, so a table of
   * thousands of SKUs costs what a table of forty does.
   */
  const VIRTUAL_FROM = 150;
  const OVERSCAN = 8;
  let rowHeight = 0;
  let windowKey = "";
  const spacerTop = h("tr", { class: "spacer", "aria-hidden": "true" }, h("td", { colspan: "13" }));
  const spacerBottom = h("tr", { class: "spacer", "aria-hidden": "true" }, h("td", { colspan: "13" }));

  function visibleRange(n) {
    const wrap = $("table-wrap");
    if (!rowHeight) {
      const px = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
      rowHeight = Math.max(20, Math.round(px * 2.7) + 1);
    }
    const head = $("sku-table").tHead;
    const headH = head ? head.offsetHeight : 0;
    const first = Math.max(0, Math.floor((wrap.scrollTop - headH) / rowHeight) - OVERSCAN);
    const count = Math.ceil((wrap.clientHeight || 800) / rowHeight) + 2 * OVERSCAN;
    return [first, Math.min(n, first + count)];
  }

  function renderTable(s, full) {
    const tbody = $("sku-rows");
    const lx = lineupIndex(s);
    const list = sortedSkus(s);
    const newOrder = list.map((v) => v.sku);
    const orderChanged = newOrder.length !== order.length || newOrder.some((x, i) => x !== order[i]);
    order = newOrder;

    const virtual = list.length > VIRTUAL_FROM;
    const [from, to] = virtual ? visibleRange(list.length) : [0, list.length];
    const shown = list.slice(from, to);
    const keep = new Set(shown.map((v) => v.sku));

    // Rows out of view (or of SKUs gone after a snapshot) leave the DOM and the map.
    for (const [sku, row] of rows) {
      if (!keep.has(sku)) {
        row.tr.remove();
        rows.delete(sku);
      }
    }
    for (const v of shown) {
      let row = rows.get(v.sku);
      const isNew = !row;
      if (isNew) {
        row = makeRow(v.sku);
        rows.set(v.sku, row);
      }
      if (isNew || full || dirty.skus.has(v.sku)) updateRow(row, v, s, lx, !dirty.all && !isNew);
    }

    // Put the rows in order, moving only what moved.
    const key = from + ":" + to + ":" + virtual;
    if (orderChanged || key !== windowKey || dirty.all) {
      windowKey = key;
      if (virtual) {
        spacerTop.firstChild.style.height = from * rowHeight + "px";
        spacerBottom.firstChild.style.height = (list.length - to) * rowHeight + "px";
        if (tbody.firstChild !== spacerTop) tbody.insertBefore(spacerTop, tbody.firstChild);
      } else {
        spacerTop.remove();
        spacerBottom.remove();
      }
      let ref = virtual ? spacerTop.nextSibling : tbody.firstChild;
      for (const v of shown) {
        const tr = rows.get(v.sku).tr;
        if (tr === ref) ref = ref.nextSibling;
        else tbody.insertBefore(tr, ref);
      }
      if (virtual) tbody.appendChild(spacerBottom);
    }

    setText($("sku-count"), list.length ? t("table.count", { n: L.fmtInt(list.length) }) : "");
    const empty = $("table-empty");
    const showEmpty = list.length === 0;
    empty.classList.toggle("show", showEmpty);
    empty.classList.toggle("loading", !gotState);
    setText($("table-empty-title"), !showEmpty ? "" : gotState ? t("table.empty_title") : t("table.loading"));
    setText($("table-empty-body"), showEmpty && gotState ? t("table.empty_body") : "");
  }

  $("table-wrap").addEventListener(
    "scroll",
    () => {
      if (order.length > VIRTUAL_FROM) {
        dirty.scroll = true;
        schedule();
      }
    },
    { passive: true }
  );
  window.addEventListener("resize", () => {
    rowHeight = 0;
    dirty.scroll = true;
    schedule();
  });

  function togglePick(sku, on) {
    picks = picks.filter((x) => x !== sku);
    if (on) picks.push(sku);
    else colors.delete(sku);
    savePicks();
    extra.ensure();
    const row = rows.get(sku);
    const v = live.sku(sku);
    if (row && v) updateRow(row, v, show(), lineupIndex(show()), false);
    stockChart.rebuild = true;
    renderCharts(show());
  }

  /* ------------------------------------------------------------ focus panel */

  function lineupEntry(s, sku) {
    return s && Array.isArray(s.lineup) ? s.lineup.find((e) => e.sku === sku) || null : null;
  }

  function renderFocus(s) {
    const focus = $("focus");
    const hasShow = !!(s && (s.current || (Array.isArray(s.lineup) && s.lineup.length) || s.state === "live"));
    focus.classList.toggle("is-empty", !hasShow);
    const empty = $("focus-empty");
    empty.classList.toggle("show", !hasShow);
    empty.classList.toggle("loading", !gotState);
    if (!hasShow) {
      setText($("focus-empty-title"), gotState ? t("focus.no_show") : t("table.loading"));
      setText($("focus-empty-body"), gotState ? t("focus.no_show_hint") : "");
      return;
    }
    setText($("focus-empty-title"), "");
    setText($("focus-empty-body"), "");
    renderOnAir(s);
    renderNext(s);
    renderLineup(s);
    renderFading();
    renderRestock(s);
  }

  function renderOnAir(s) {
    const box = $("onair");
    const code = s.current;
    const v = code ? live.sku(code) : null;
    const le = code ? lineupEntry(s, code) : null;
    if (!code) {
      box.className = "onair idle";
      setText($("onair-name"), t("focus.no_current"));
      setText($("onair-sku"), t("focus.no_current_hint"));
      setText($("onair-callout"), "");
      $("onair-callout").classList.remove("show");
      setText($("onair-prompt-text"), "");
      $("onair-prompt").classList.remove("show");
      return;
    }
    const available = v ? v.available : le ? le.available : null;
    const level = v ? Math.max(0, Math.min(3, v.level | 0)) : 0;
    const soldOut = available === 0;
    box.className = "onair lvl-" + level + (soldOut ? " soldout" : "");
    setText($("onair-name"), (v && v.name) || (le && le.name) || code);
    setText($("onair-sku"), code + (v && v.category ? " · " + v.category : ""));
    setText($("onair-available"), L.fmtInt(available));

    const callout = $("onair-callout");
    if (soldOut) {
      setText(callout, t("focus.sold_out"));
      callout.classList.add("show");
    } else if (level >= 1 && L.isNum(available)) {
      setText(callout, t("focus.last_n", { n: L.fmtInt(available) }));
      callout.classList.add("show");
    } else {
      setText(callout, "");
      callout.classList.remove("show");
    }

    let left = 1;
    if (v && v.base > 0) left = v.available / v.base;
    else if (v && L.isNum(v.sell_through)) left = 1 - v.sell_through;
    $("onair-bar").style.width = (Math.max(0, Math.min(1, left)) * 100).toFixed(1) + "%";

    const prompt = s.prompt ? L.pick(s.prompt.zh, s.prompt.en) : "";
    setText($("onair-prompt-text"), prompt);
    $("onair-prompt").classList.toggle("show", !!prompt);

    setText($("onair-sold"), v ? L.fmtInt(v.sold_units) : t("unit.dash"));
    setText($("onair-rate"), v && L.isNum(v.rate_per_min) && v.rate_per_min > 0 ? L.fmtRate(v.rate_per_min) + t("unit.per_min") : t("unit.dash"));
    setText($("onair-sellout"), v ? L.fmtMinutes(v.sellout_minutes) : t("unit.dash"));
    setText($("onair-st"), v ? L.fmtPct(v.sell_through) : t("unit.dash"));
  }

  function coverMark(covers) {
    return h("span", {
      class: "cover " + (covers ? "yes" : "no"),
      text: covers ? "✓" : "✗",
      title: covers ? t("focus.covers_yes") : t("focus.covers_no"),
      "aria-label": covers ? t("focus.covers_yes") : t("focus.covers_no"),
    });
  }

  function lineupLine(e, cls) {
    const start = L.parseTime(e.planned_start);
    const need = L.isNum(e.planned_rate_per_min) && L.isNum(e.slot_minutes) ? Math.ceil(e.planned_rate_per_min * e.slot_minutes) : null;
    const v = live.sku(e.sku);
    const available = v ? v.available : e.available;
    return h(
      "li",
      { class: cls || "lineup-item", dataset: { sku: e.sku } },
      h("span", { class: "li-time", text: start ? L.fmtClock(start, false) : "" }),
      h(
        "span",
        { class: "li-name", title: e.name || e.sku },
        e.name || e.sku,
        h("span", {
          class: "li-need",
          text:
            need !== null
              ? t("focus.slot_need", { n: L.fmtInt(need), m: L.fmtInt(e.slot_minutes) })
              : L.isNum(e.slot_minutes)
              ? t("focus.slot_minutes", { m: L.fmtInt(e.slot_minutes) })
              : e.sku,
        })
      ),
      h("span", { class: "li-avail", text: L.fmtInt(available) }),
      coverMark(!!e.covers)
    );
  }

  function renderNext(s) {
    const row = $("next-row");
    const code = s.next;
    if (!code) {
      row.className = "next-row none";
      row.replaceChildren(document.createTextNode(s.current ? t("focus.no_next") : t("focus.no_lineup")));
      return;
    }
    const e = lineupEntry(s, code) || { sku: code, name: (live.sku(code) || {}).name, available: (live.sku(code) || {}).available, covers: true };
    const li = lineupLine(e, "next-row");
    row.className = "next-row";
    row.replaceChildren(...li.childNodes);
    row.dataset.sku = code;
  }

  function renderLineup(s) {
    const list = $("lineup-list");
    const lineup = Array.isArray(s.lineup) ? s.lineup : [];
    const curIdx = s.current ? lineup.findIndex((e) => e.sku === s.current) : -1;
    const upcoming = lineup.slice(curIdx + 1).filter((e) => e.sku !== s.next && e.sku !== s.current);
    const left = lineup.length - (curIdx + 1);
    setText(
      $("lineup-done"),
      curIdx > 0 ? t("focus.upcoming_done", { n: Math.max(0, left), d: curIdx }) : left > 0 ? t("focus.upcoming", { n: left }) : ""
    );
    if (!upcoming.length) {
      list.replaceChildren(h("li", { class: "lineup-empty", text: t("focus.no_lineup") }));
      return;
    }
    list.replaceChildren(...upcoming.map((e) => lineupLine(e)));
  }

  const fadingRows = new Map(); // alert id → its row, kept across renders: a click lands on a live button

  function renderFading() {
    const fading = openAlerts().filter((a) => a.kind === "fading");
    $("fading-section").hidden = fading.length === 0;
    const shown = fading.slice(-2).reverse();
    const keep = new Set(shown.map((a) => String(a.id)));
    for (const id of [...fadingRows.keys()]) if (!keep.has(id)) fadingRows.delete(id);
    const rows = shown.map((a) => {
      const id = String(a.id);
      if (!fadingRows.has(id)) fadingRows.set(id, fadingRow(a));
      return fadingRows.get(id);
    });
    const list = $("fading-list");
    const same = list.children.length === rows.length && rows.every((r, i) => list.children[i] === r);
    if (!same) list.replaceChildren(...rows);
  }

  function fadingRow(a) {
    const id = String(a.id);
    const v = a.sku ? live.sku(a.sku) : null;
    // Acknowledged here: a fading hit has no pop-up (see popsUp).
    const btn = h("button", { type: "button", class: "mi-ack", text: t("alert.ack") });
    btn.addEventListener("click", () => acknowledge(id, btn));
    // The server's message already names the product; the name is the tooltip.
    return h(
      "li",
      { class: "mi-wide", title: (v && v.name) || a.sku || "", dataset: { id } },
      h("span", { class: "mi-time", text: L.fmtClock(L.parseTime(a.at) || Date.now(), false) }),
      h("span", { class: "mi-reason", text: L.pick(a.message_zh, a.message_en) }),
      btn
    );
  }

  function renderRestock(s) {
    const list = $("restock-list");
    const reqs = Array.isArray(s.restock_requests) ? s.restock_requests : [];
    if (!reqs.length) {
      list.replaceChildren(h("li", { class: "mini-empty", text: t("focus.no_restock") }));
      return;
    }
    const sorted = reqs.slice().sort((a, b) => (L.parseTime(b.at) || 0) - (L.parseTime(a.at) || 0));
    list.replaceChildren(
      ...sorted.slice(0, 3).map((r) =>
        h(
          "li",
          { dataset: { sku: r.sku } },
          h("span", { class: "mi-time", text: L.parseTime(r.at) ? L.fmtClock(L.parseTime(r.at), false) : "" }),
          h("span", { class: "mi-name", text: r.name || r.sku }),
          h("span", { class: "mi-reason", text: L.pick(r.reason_zh, r.reason_en) })
        )
      )
    );
  }

  /* ------------------------------------------------------------ charts */

  /**
   * Stock lines for SKUs the server does not sample (ticked by the operator): recorded here from
   * the live stock views at each sample, aligned with series.t.
   */
  const extra = {
    lines: new Map(),
    reset() {
      this.lines.clear();
      this.ensure();
    },
    wanted() {
      const s = show();
      const set = new Set(picks);
      if (s && s.current) set.add(s.current);
      return set;
    },
    ensure() {
      if (!live) return;
      const ser = live.state.series;
      const n = ser.t.length;
      for (const sku of this.wanted()) {
        if (ser.stock[sku] || this.lines.has(sku)) continue;
        const arr = new Array(n).fill(null);
        const v = live.sku(sku);
        if (n && v) arr[n - 1] = v.available;
        this.lines.set(sku, arr);
      }
    },
    onSample() {
      const ser = live.state.series;
      const n = ser.t.length;
      this.ensure();
      for (const [sku, arr] of this.lines) {
        if (ser.stock[sku]) {
          this.lines.delete(sku);
          continue;
        }
        const v = live.sku(sku);
        arr.push(v ? v.available : arr.length ? arr[arr.length - 1] : null);
        if (arr.length > n) arr.splice(0, arr.length - n);
        while (arr.length < n) arr.unshift(null);
      }
      const want = this.wanted();
      for (const sku of this.lines.keys()) if (!want.has(sku)) this.lines.delete(sku);
    },
    get(sku) {
      const ser = live.state.series;
      return ser.stock[sku] || this.lines.get(sku) || null;
    },
  };

  const AXIS = "#7d8a9c";
  const GRID = "rgba(255,255,255,0.06)";

  function axisFont() {
    const px = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    return Math.round(px * 0.78) + 'px "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif';
  }

  function gradientFill(color) {
    return (u) => {
      const g = u.ctx.createLinearGradient(0, u.bbox.top, 0, u.bbox.top + u.bbox.height);
      g.addColorStop(0, color + "55");
      g.addColorStop(1, color + "00");
      return g;
    };
  }

  // Tick steps: whole units on the y axes, whole seconds and round minutes on the time axis.
  const Y_INCRS = [];
  for (let e = 0; e <= 12; e++) for (const m of [1, 2, 5]) Y_INCRS.push(m * Math.pow(10, e));
  const X_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600].map((s) => s * 1000);

  function baseOpts(el, yFmt, yMin) {
    const font = axisFont();
    return {
      width: Math.max(100, el.clientWidth),
      height: Math.max(60, el.clientHeight),
      ms: 1,
      pxAlign: 0,
      legend: { show: false },
      cursor: { drag: { x: false, y: false, setScale: false }, points: { show: false }, y: false },
      scales: {
        x: { time: true },
        y: { range: (u, min, max) => [0, max > 0 ? Math.max(max * 1.12, yMin || 0) : yMin || 10] },
      },
      axes: [
        {
          stroke: AXIS,
          font,
          grid: { stroke: GRID, width: 1 },
          ticks: { show: false },
          space: 100,
          gap: 4,
          size: 28,
          incrs: X_INCRS,
          // Seconds only when the ticks are closer than a minute (the first minutes of a show).
          values: (u, vals) => {
            const step = vals.length > 1 ? vals[1] - vals[0] : 60000;
            return vals.map((v) => L.fmtClock(v, step < 60000));
          },
        },
        {
          stroke: AXIS,
          font,
          grid: { stroke: GRID, width: 1 },
          ticks: { show: false },
          space: 30,
          gap: 6,
          size: 62,
          incrs: Y_INCRS,
          values: (u, vals) => vals.map(yFmt),
        },
      ],
      series: [{}],
    };
  }

  /** A uPlot in el, resized with its box; created lazily once the box has a size. */
  function chartBox(id, makeOpts) {
    const el = $(id);
    const box = { el, plot: null, rebuild: false, makeOpts, data: null };
    new ResizeObserver(() => {
      if (box.plot && el.clientWidth > 0 && el.clientHeight > 0) box.plot.setSize({ width: el.clientWidth, height: el.clientHeight });
    }).observe(el);
    return box;
  }

  function drawInto(box, data, empty) {
    const emptyEl = box.el.querySelector(".chart-empty");
    if (emptyEl) emptyEl.style.display = empty ? "" : "none";
    if (empty) {
      // No axes over nothing: the hint says what will appear here.
      if (box.plot) box.plot.destroy();
      box.plot = null;
      box.rebuild = false;
      return;
    }
    if (box.rebuild && box.plot) {
      box.plot.destroy();
      box.plot = null;
    }
    box.rebuild = false;
    if (!box.plot) {
      if (box.el.clientWidth === 0 || box.el.clientHeight === 0) return;
      box.plot = new window.uPlot(box.makeOpts(box.el), data, box.el);
    } else box.plot.setData(data);
  }

  const viewersChart = chartBox("chart-viewers", (el) => {
    const o = baseOpts(el, (v) => L.fmtCompact(v));
    o.series.push({ stroke: "#ff6fae", width: 2, fill: gradientFill("#ff6fae"), points: { show: false } });
    return o;
  });

  const gmvChart = chartBox("chart-gmv", (el) => {
    const o = baseOpts(el, (v) => L.fmtMoneyShort(v * 100), 100);
    o.series.push({ stroke: "#ffc53d", width: 2, fill: gradientFill("#ffc53d"), points: { show: false } });
    return o;
  });

  let stockKeys = []; // the SKUs of the stock chart's series, in order
  let stockCurrent = null;

  const stockChart = chartBox("chart-stock", (el) => {
    const o = baseOpts(el, (v) => L.fmtCompact(v));
    const s = show();
    for (const sku of stockKeys) {
      const c = colorFor(sku, stockCurrent);
      const onAir = sku === stockCurrent;
      o.series.push({
        stroke: c,
        width: onAir ? 3 : 1.75,
        fill: onAir ? gradientFill(c) : undefined,
        points: { show: false },
        spanGaps: true,
      });
    }
    o.hooks = {
      draw: [
        (u) => {
          // Tier lines (20% / 10% / 5% of base) for the product on air.
          const cur = stockCurrent && live.sku(stockCurrent);
          if (!cur || !(cur.base > 0) || !s) return;
          const ctx = u.ctx;
          const tiers = [
            [0.2, "#f5b700"],
            [0.1, "#ff7a1a"],
            [0.05, "#ff3b3b"],
          ];
          ctx.save();
          ctx.setLineDash([6 * devicePixelRatio, 6 * devicePixelRatio]);
          ctx.lineWidth = devicePixelRatio;
          ctx.font = axisFont().replace(/^(\d+)px/, (m, n) => Math.round(n * 0.9 * devicePixelRatio) + "px");
          let lastLabel = -Infinity;
          for (const [f, col] of tiers) {
            const y = u.valToPos(cur.base * f, "y", true);
            if (y < u.bbox.top || y > u.bbox.top + u.bbox.height) continue;
            const labelled = y - lastLabel >= 14 * devicePixelRatio;
            ctx.strokeStyle = col + "aa";
            ctx.beginPath();
            ctx.moveTo(u.bbox.left, y);
            ctx.lineTo(u.bbox.left + u.bbox.width, y);
            ctx.stroke();
            if (!labelled) continue;
            lastLabel = y;
            ctx.fillStyle = col;
            ctx.textAlign = "right";
            ctx.textBaseline = "bottom";
            ctx.fillText(Math.round(f * 100) + "%", u.bbox.left + u.bbox.width - 4, y - 2);
          }
          ctx.restore();
        },
      ],
    };
    return o;
  });

  function renderCharts(s) {
    const ser = live.state.series;
    const n = ser.t.length;

    drawInto(viewersChart, [ser.t, ser.viewers], n === 0);
    drawInto(gmvChart, [ser.t, ser.gmv_cents.map((c) => (L.isNum(c) ? c / 100 : null))], n === 0);

    // Stock: the product on air first, then the ticked SKUs that exist.
    const current = s && s.current ? s.current : null;
    extra.ensure();
    const keys = [];
    if (current) keys.push(current);
    for (const p of picks) if (p !== current && live.sku(p)) keys.push(p);
    if (keys.join("\u0000") !== stockKeys.join("\u0000") || current !== stockCurrent) {
      stockKeys = keys;
      stockCurrent = current;
      stockChart.rebuild = true;
    }
    const data = [ser.t];
    for (const k of stockKeys) {
      const arr = extra.get(k);
      data.push(arr && arr.length === n ? arr : new Array(n).fill(null));
    }
    const emptyEl = $("chart-stock-empty");
    setText(emptyEl, stockKeys.length ? t("chart.waiting") : t("chart.no_stock"));
    drawInto(stockChart, data, n === 0 || stockKeys.length === 0);
    renderStockLegend();
  }

  function renderStockLegend() {
    const el = $("stock-legend");
    el.replaceChildren(
      ...stockKeys.map((sku) => {
        const v = live.sku(sku);
        return h(
          "span",
          { class: "legend-item" + (sku === stockCurrent ? " is-onair" : ""), style: "--swatch:" + colorFor(sku, stockCurrent), title: sku },
          h("span", { class: "legend-swatch" }),
          (v && v.name) || sku,
          h("b", { text: v ? L.fmtInt(v.available) : "" })
        );
      })
    );
  }

  /* ------------------------------------------------------------ alert toasts */

  const toasts = new Map(); // id → element
  const toastErrors = new Map(); // id → message of a failed acknowledge
  let moreEl = null;

  function byNewest(a, b) {
    const ta = L.parseTime(a.at) || 0;
    const tb = L.parseTime(b.at) || 0;
    return tb - ta;
  }

  /* A fading hit goes on the focus panel's watch list (SPEC C: no warning, "watch list"), not
     into a pop-up with a sound: every product off air fades, and the wall must not cry wolf. */
  function popsUp(a) {
    return a.kind !== "fading";
  }

  function renderToasts() {
    const wrap = $("toasts");
    const open = openAlerts().filter(popsUp).sort(byNewest);
    const visible = open.slice(0, VISIBLE_TOASTS);
    const keep = new Set(visible.map((a) => String(a.id)));

    for (const [id, el] of toasts) {
      if (keep.has(id)) continue;
      toasts.delete(id);
      el.classList.add("leaving");
      el.addEventListener("animationend", () => el.remove(), { once: true });
      setTimeout(() => el.remove(), 400);
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

  function makeToast(a) {
    const id = String(a.id);
    const level = Math.max(1, Math.min(3, a.level | 0));
    const v = a.sku ? live.sku(a.sku) : null;
    const at = L.parseTime(a.at);
    const btn = h("button", { type: "button", class: "toast-ack", text: t("alert.ack") });
    const el = h(
      "div",
      { class: "toast lvl-" + level, role: "alert", dataset: { id, kind: a.kind || "", level: String(level) } },
      h(
        "div",
        { class: "toast-head" },
        h("span", { class: "toast-level", text: t("level." + level) }),
        h("span", { class: "toast-kind", text: t("alert.kind." + a.kind) }),
        h("span", { class: "toast-time", text: at ? L.fmtClock(at) : "" })
      ),
      h("div", { class: "toast-msg", text: L.pick(a.message_zh, a.message_en), title: L.pick(a.message_zh, a.message_en) }),
      h("div", { class: "toast-sku", text: a.sku ? ((v && v.name ? v.name + " · " : "") + a.sku) : t("alert.level", { n: level }) }),
      h("div", { class: "toast-actions" }, btn)
    );
    btn.addEventListener("click", () => acknowledge(id, btn));
    return el;
  }

  function updateToastError(el, id) {
    const msg = toastErrors.get(id);
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

  async function acknowledge(id, btn) {
    L.unlockAudio();
    const by = ackName() || askAckName();
    if (!by) return;
    btn.disabled = true;
    setText(btn, t("alert.acking"));
    const r = await L.ackAlert(id, by);
    if (r.ok) {
      toastErrors.delete(id);
      const a = live.state.alerts.find((x) => String(x.id) === id);
      if (a && !a.acked_by) live.applyAlert(Object.assign({}, a, { acked_by: by, acked_at: new Date().toISOString() }));
    } else {
      toastErrors.set(id, r.message);
      btn.disabled = false;
      setText(btn, t("alert.ack"));
    }
    dirty.alerts = true;
    schedule();
  }

  /* ------------------------------------------------------------ first paint */

  render();
})();
