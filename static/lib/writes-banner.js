/* livestock: the red banner across the top of the board and the host screen while the server
 * takes no writes (a frame's "writes": "disk_full" or "failed"); hidden again once it is "ok". */
import { t } from "./i18n.js";
import { setText } from "./dom.js";

/**
 * Shows el with the message for writes, or hides it for "ok". The body gets .writes-blocked so
 * the page's layout makes room for the banner instead of covering anything with it.
 */
export function renderWritesBanner(el, writes) {
  const blocked = writes === "disk_full" || writes === "failed";
  el.hidden = !blocked;
  setText(el, blocked ? t("writes." + writes) : "");
  document.body.classList.toggle("writes-blocked", blocked);
}
