/* livestock: the live feed: one WebSocket to /ws?view=..., reconnecting with backoff
 * (BACKOFF_MIN_MS → BACKOFF_MAX_MS), sending {"type":"resync"} after a reconnect, merging
 * snapshot / diff / alert frames into a LiveState that is also published as
 * window.__livestock = {state, connected, view, frames, reconnects}. */
import { LiveState } from "./live-state.js";

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 5000;

/**
 * Connects to /ws?view=VIEW and keeps connected.
 * handlers: {onState(change, live), onAlert(alert, isNew, live), onStatus(status, info)}
 * status: "connecting" | "connected" | "reconnecting".
 * Answers {live, receive, connected}; receive(text) handles one frame as if the server had sent
 * it (the browser tests feed states that the server cannot be put in on demand).
 */
export function connect(view, handlers) {
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
    // ?room=R on the page watches that room (API.md "Rooms"); a board without it sees them all.
    const room = new URLSearchParams(location.search).get("room");
    const query = "/ws?view=" + encodeURIComponent(view) + (room ? "&room=" + encodeURIComponent(room) : "");
    return proto + "//" + location.host + query;
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
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, attempt));
    const delay = Math.min(BACKOFF_MAX_MS, Math.round(base * (0.85 + Math.random() * 0.3)));
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

  function onSnapshot(f) {
    const change = live.applySnapshot(f);
    attempt = 0;
    pub.state = live.state;
    const wasConnected = pub.connected;
    pub.connected = true;
    if (!wasConnected) status("connected");
    if (handlers.onState) handlers.onState(change, live);
  }

  function onDiff(f) {
    if (!pub.connected) {
      // A diff before any snapshot on this connection: we cannot merge it safely.
      send({ type: "resync" });
      return;
    }
    const change = live.applyDiff(f);
    if (change && handlers.onState) handlers.onState(change, live);
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
    if (f.type === "snapshot") onSnapshot(f);
    else if (f.type === "diff") onDiff(f);
    else if (f.type === "alert" && f.alert) {
      const r = live.applyAlert(f.alert);
      if (handlers.onAlert) handlers.onAlert(r.alert, r.isNew, live);
    }
    // Unknown frame types are for newer clients.
  }

  window.addEventListener("online", retryNow);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") retryNow();
  });

  open();
  return {
    live,
    receive: onFrame,
    get connected() {
      return pub.connected;
    },
  };
}
