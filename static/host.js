/* livestock: the host's prompt screen (/host). Read-only: the product on air, its units left,
 * the next product and the prompt, from the WebSocket feed (view=host). */
(function () {
  "use strict";

  const L = window.LS;
  const { t, setText } = L;
  const $ = (id) => document.getElementById(id);

  L.applyI18n();
  document.title = t("page.host") + " · livestock";

  let status = "connecting";
  let gotState = false;
  let live = null;
  let prev = { sku: null, available: null };

  const schedule = L.frameScheduler(render);
  const feed = L.connect("host", {
    onState(change, ls) {
      live = ls;
      gotState = true;
      schedule();
    },
    onStatus(s) {
      status = s;
      renderConn();
    },
  });
  live = feed.live;

  function renderConn() {
    const el = $("conn");
    el.className = "host-conn conn-" + status;
    setText(el.querySelector(".conn-text"), t("conn." + status));
  }

  function lineupEntry(s, sku) {
    return s && Array.isArray(s.lineup) ? s.lineup.find((e) => e.sku === sku) || null : null;
  }

  /** The stock view (host frames carry the current and next SKUs), or what the lineup knows. */
  function product(s, sku) {
    if (!sku) return null;
    const v = live.sku(sku);
    const e = lineupEntry(s, sku);
    if (!v && !e) return { sku, name: sku, available: null, level: 0 };
    return {
      sku,
      name: (v && v.name) || (e && e.name) || sku,
      available: v ? v.available : e.available,
      level: v ? Math.max(0, Math.min(3, v.level | 0)) : 0,
      sellout: v ? v.sellout_minutes : null,
    };
  }

  function render() {
    const s = live.state.show;
    const state = (s && s.state) || "none";
    const badge = $("host-state");
    badge.className = "host-state state-" + state;
    setText(badge, t("state." + state));
    setText($("host-title"), (s && s.title) || "");

    const main = $("host-main");
    const box = $("host-product");
    const cur = product(s, s && s.current);
    if (!cur) {
      main.classList.add("idle");
      setText($("host-idle-title"), gotState ? t("host.idle_title") : t("conn.connecting"));
      setText($("host-idle-body"), gotState ? t("host.idle_body") : "");
      for (const id of ["host-name", "host-number", "host-status", "host-soldout"]) setText($(id), "");
      prev = { sku: null, available: null };
    } else {
      main.classList.remove("idle");
      setText($("host-idle-title"), "");
      setText($("host-idle-body"), "");
      const soldOut = cur.available === 0;
      box.className = "host-product lvl-" + cur.level + (soldOut ? " soldout" : "");
      setText($("host-name"), cur.name);
      const num = $("host-number");
      if (setText(num, L.fmtInt(cur.available)) && prev.sku === cur.sku) L.flash(num);
      prev = { sku: cur.sku, available: cur.available };
      setText($("host-soldout"), soldOut ? t("host.sold_out") : "");
      const st = $("host-status");
      if (soldOut) setText(st, "");
      else if (cur.level >= 1 && L.isNum(cur.available)) {
        st.classList.remove("quiet");
        L.tInto(st, "host.last_n", { n: L.fmtInt(cur.available) });
      } else {
        st.classList.add("quiet");
        setText(st, L.isNum(cur.sellout) && cur.sellout >= 1 ? t("host.sellout_in", { m: L.fmtMinutes(cur.sellout) }) : "");
      }
    }

    const prompt = s && s.prompt ? L.pick(s.prompt.zh, s.prompt.en) : "";
    const banner = $("host-prompt");
    const wasShown = banner.classList.contains("show");
    if (setText($("host-prompt-text"), prompt) && prompt && wasShown) {
      banner.classList.remove("show");
      void banner.offsetWidth; // replay the entrance for a new prompt
    }
    banner.classList.toggle("show", !!prompt);
    banner.classList.toggle("long", [...prompt].length > 16);
    banner.classList.toggle("urgent", !!cur && (cur.level >= 2 || cur.available === 0));

    const nx = product(s, s && s.next);
    const foot = $("host-next");
    foot.classList.toggle("none", !nx);
    setText($("host-next-name"), nx ? nx.name : gotState ? t("host.no_next") : "");
    setText($("host-next-avail"), nx && L.isNum(nx.available) ? t("host.available") + " " + L.fmtInt(nx.available) : "");
  }

  function tick() {
    setText($("clock"), L.fmtClock(live ? live.now() : Date.now(), false));
    setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
  }

  renderConn();
  tick();
  render();
})();
