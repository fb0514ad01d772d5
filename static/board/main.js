/* livestock board: the control-room board (/), wired together. Everything on screen comes from
 * the WebSocket feed (lib/socket.js); this module keeps what changed (state.js's dirty) and draws
 * it once per frame through the panels: header, kpis, table, focus, charts, toasts, and the
 * write-state banner. It exports the feed and render() so a test can feed frames and draw them. */
import { applyI18n, t } from "../lib/i18n.js";
import { $ } from "../lib/dom.js";
import { connect } from "../lib/socket.js";
import { renderWritesBanner } from "../lib/writes-banner.js";
import { setupAckBy } from "./ack.js";
import { legendShows, renderCharts, renderStockLegend, resetExtraLines, sampleExtraLines } from "./charts.js";
import { renderEnded } from "./ended.js";
import { renderFocus } from "./focus.js";
import { renderConn, renderHeader, setupLangSwitch, startClock } from "./header.js";
import { renderAlertKpi, renderKpis } from "./kpis.js";
import { alertSound, setupSound } from "./sound.js";
import { board, dirty, popsUp, schedule, setRenderer, show } from "./state.js";
import { setupImport } from "./import.js";
import { kpiShow, renderRooms } from "./rooms.js";
import { renderTable, setupTable } from "./table.js";
import { setupSync } from "./sync.js";
import { renderToasts } from "./toasts.js";

applyI18n();
document.title = t("page.board") + " · livestock";
setupLangSwitch();
setupSound();
setupAckBy();
setupSync();
setupImport();

/** The board's feed: view=board on /ws. */
export const feed = connect("board", {
  onState(change, live) {
    board.live = live;
    board.gotState = true;
    if (change.snapshot) {
      dirty.all = true;
      resetExtraLines();
    } else {
      for (const s of change.skus) dirty.skus.add(s);
    }
    if (change.show) dirty.show = true;
    if (change.sample) {
      sampleExtraLines();
      dirty.series = true;
    }
    if (change.snapshot) dirty.alerts = true;
    if (change.writes) dirty.writes = true;
    schedule();
  },
  onAlert(alert, isNew, live) {
    board.live = live;
    dirty.alerts = true;
    if (isNew && !alert.acked_by && popsUp(alert)) alertSound(alert.level);
    schedule();
  },
  onStatus(status) {
    renderConn(status);
    document.body.classList.toggle("offline", status !== "connected" && board.gotState);
  },
});
board.live = feed.live;

let lastStage = null;

/** What decides the table's order, tags and the plotted SKUs: the product on air, next, lineup;
 * and the show's state (after the end nothing predicts a sell-out). */
function stageKey(s) {
  if (!s) return "";
  return [s.state || "", s.current || "", s.next || "", ...(Array.isArray(s.lineup) ? s.lineup.map((e) => e.sku) : [])].join("\u0000");
}

function clearDirty() {
  dirty.all = false;
  dirty.scroll = false;
  dirty.show = false;
  dirty.series = false;
  dirty.alerts = false;
  dirty.writes = false;
  dirty.skus.clear();
}

/** Draws what changed since the last render (scheduled once per frame; a test may call it). */
export function render() {
  const s = show();
  const stage = stageKey(s);
  const stageChanged = stage !== lastStage;
  lastStage = stage;
  if (dirty.all || dirty.writes) renderWritesBanner($("writes-banner"), board.live.state.writes);
  if (dirty.all || dirty.show) renderHeader(s);
  if (dirty.all || dirty.show) renderRooms();
  if (dirty.all || dirty.show || dirty.series) renderKpis(kpiShow(s));
  // A sample redraws every row: the 趋势 sparklines follow the series.
  if (dirty.all || stageChanged || dirty.skus.size || dirty.scroll || dirty.series) renderTable(s, dirty.all || stageChanged || dirty.series);
  if (dirty.all || dirty.show || dirty.skus.size) renderFocus(s);
  if (dirty.all || dirty.series || stageChanged) renderCharts(s);
  else if (legendShows(dirty.skus)) renderStockLegend();
  if (dirty.all || dirty.alerts || stageChanged) {
    renderToasts();
    renderAlertKpi();
    renderFocus(s);
  }
  if (dirty.all || dirty.show) renderEnded(s);
  clearDirty();
}

setRenderer(render);
setupTable();
startClock();
render();
// How many pop-ups the rail holds depends on its height and the font's metrics: measure again
// when either changes (a kiosk's window resized, the page's own font loaded).
const refitRail = () => {
  dirty.alerts = true;
  schedule();
};
window.addEventListener("resize", refitRail);
if (document.fonts && document.fonts.ready) document.fonts.ready.then(refitRail);
