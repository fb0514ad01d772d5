/* livestock reports: the page's start: the strings, the tabs, the language switch, printing, then
 * the report of the page (body[data-report]) rendered by its module. */
import { STRINGS } from "../lib/strings.js";
import { REPORT_STRINGS } from "./strings.js";
import { applyI18n, lang, t } from "../lib/i18n.js";
import { $, setText } from "../lib/dom.js";

for (const code of Object.keys(REPORT_STRINGS)) Object.assign(STRINGS[code], REPORT_STRINGS[code]);

const kind = document.body.dataset.report;
const RENDER = {
  precheck: () => import("./precheck.js"),
  review: () => import("./review.js"),
  daily: () => import("./daily.js"),
};

function setupChrome() {
  applyI18n(document);
  const title = t("report." + kind);
  setText($("report-title"), title);
  document.title = title + " · " + t("app.name");
  for (const a of document.querySelectorAll(".report-tabs a")) {
    const here = a.dataset.kind === kind;
    a.classList.toggle("active", here);
    if (here) a.setAttribute("aria-current", "page");
    if (lang === "en") a.href += "?lang=en";
  }
  for (const btn of document.querySelectorAll(".lang-switch button")) {
    const code = btn.dataset.lang;
    btn.classList.toggle("active", code === lang);
    btn.setAttribute("aria-pressed", String(code === lang));
    btn.addEventListener("click", () => {
      if (code === lang) return;
      const url = new URL(location.href);
      url.searchParams.set("lang", code);
      url.searchParams.delete("token");
      location.assign(url.toString());
    });
  }
  $("print").addEventListener("click", () => window.print());
}

setupChrome();
(RENDER[kind] || RENDER.daily)().then((m) => m.render());
