/* livestock board: the live rooms side by side (API.md "Rooms"). When more than one room has a
 * show tonight, a strip of cards above the table shows each room's viewers, GMV, conversion and
 * product on air, and the KPI row adds them up into the whole; a card opens the board focused on
 * its room (?room=R), and the whole card goes back. A one-room shop never sees the strip. */
import { t } from "../lib/i18n.js";
import { fmtInt, fmtMoney, fmtPct, isNum } from "../lib/format.js";
import { $, setText } from "../lib/dom.js";
import { board } from "./state.js";

/** The room the page asked for with ?room=, or null for the whole night. */
export const focusRoom = new URLSearchParams(location.search).get("room");

/** The rooms whose show is live or has run tonight. */
export function nightRooms() {
  const rooms = (board.live && board.live.state.rooms) || [];
  return rooms.filter((r) => r.state === "live" || r.state === "ended");
}

/** Whether the board shows several rooms: the strip, and the whole in the KPI row. */
export function multiRoom() {
  return nightRooms().length > 1;
}

/** The show the KPI row reads: the focused room's, or, with several rooms and no focus, their
    sum (the series beside it is the night's too). */
export function kpiShow(s) {
  if (focusRoom || !multiRoom()) return s;
  const rooms = nightRooms();
  const sum = (k) => rooms.reduce((n, r) => n + (isNum(r[k]) ? r[k] : 0), 0);
  return {
    ...s,
    viewers: sum("viewers"),
    peak_viewers: sum("peak_viewers"),
    gmv_cents: sum("gmv_cents"),
    orders: sum("orders"),
    units: sum("units"),
    buyers: sum("buyers"),
  };
}

function href(room) {
  const q = new URLSearchParams(location.search);
  if (room) q.set("room", room);
  else q.delete("room");
  const qs = q.toString();
  return location.pathname + (qs ? "?" + qs : "");
}

function card(room, whole) {
  const a = document.createElement("a");
  a.className = "room-card";
  a.href = href(whole ? null : room.room);
  a.dataset.room = whole ? "" : room.room;
  const selected = whole ? !focusRoom : focusRoom === room.room;
  a.classList.toggle("selected", selected);
  a.classList.toggle("live", room.state === "live");
  const head = document.createElement("div");
  head.className = "room-head";
  const name = document.createElement("span");
  name.className = "room-name";
  setText(name, whole ? t("rooms.whole") : room.name);
  head.appendChild(name);
  const state = document.createElement("span");
  state.className = "room-state";
  setText(state, whole ? t("rooms.count", { n: nightRooms().length }) : t("state." + room.state));
  head.appendChild(state);
  a.appendChild(head);
  const figs = document.createElement("div");
  figs.className = "room-figs num";
  const peak = Math.max(room.peak_viewers || 0, room.viewers || 0);
  const items = [
    [t("rooms.gmv"), fmtMoney(room.gmv_cents, { cents: false })],
    [t("rooms.viewers"), fmtInt(room.viewers)],
    [t("rooms.conversion"), peak > 0 ? fmtPct(room.buyers / peak) : "—"],
  ];
  for (const [label, value] of items) {
    const fig = document.createElement("span");
    fig.className = "room-fig";
    const l = document.createElement("small");
    setText(l, label);
    const v = document.createElement("b");
    setText(v, value);
    fig.append(l, v);
    figs.appendChild(fig);
  }
  a.appendChild(figs);
  const onAir = document.createElement("div");
  onAir.className = "room-onair";
  if (!whole) {
    const sku = room.current && board.live.sku(room.current);
    setText(onAir, room.current ? t("rooms.on_air", { v: sku ? sku.name : room.current }) : t("rooms.nothing_on_air"));
  } else setText(onAir, t("rooms.whole_tip"));
  a.appendChild(onAir);
  return a;
}

/** Draws the strip (hidden with fewer than two rooms tonight). */
export function renderRooms() {
  const strip = $("rooms");
  const show = multiRoom();
  strip.hidden = !show;
  document.body.classList.toggle("has-rooms", show);
  if (!show) return;
  const rooms = nightRooms();
  const whole = {
    viewers: 0,
    peak_viewers: 0,
    gmv_cents: 0,
    buyers: 0,
    state: rooms.some((r) => r.state === "live") ? "live" : "ended",
  };
  for (const r of rooms) for (const k of ["viewers", "peak_viewers", "gmv_cents", "buyers"]) whole[k] += r[k] || 0;
  strip.replaceChildren(card(whole, true), ...rooms.map((r) => card(r, false)));
}
