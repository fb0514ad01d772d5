/* livestock: the page's language and its UI strings: t(), tInto(), applyI18n(), pick().
 * The strings themselves are in lib/strings.js. */
import { STRINGS } from "./strings.js";

function detectLang() {
  // The server renders <html lang="zh-CN|en"> from ?lang=; the query is the fallback for static previews.
  const htmlLang = (document.documentElement.getAttribute("lang") || "").trim();
  if (htmlLang === "en" || htmlLang === "zh-CN") return htmlLang;
  const q = new URLSearchParams(location.search).get("lang");
  return q === "en" ? "en" : "zh-CN";
}

/** "zh-CN" or "en". */
export const lang = detectLang();

const table = STRINGS[lang] || STRINGS["zh-CN"];

/** The UI string for key, placeholders {name} filled from vars. */
export function t(key, vars) {
  let s = table[key];
  if (s === undefined) {
    const zh = STRINGS["zh-CN"];
    s = zh[key] !== undefined ? zh[key] : key;
  }
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  return s;
}

/**
 * Fills el with the string for key, wrapping each placeholder's value in <span class=CLASS-NAME>
 * so that the number in "还剩最后 {n} 件" can be styled on its own. Text only, never HTML.
 */
export function tInto(el, key, vars, cls) {
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
export function applyI18n(root) {
  const r = root || document;
  r.querySelectorAll("[data-i18n]").forEach((el) => {
    el.textContent = t(el.getAttribute("data-i18n"));
  });
  r.querySelectorAll("[data-i18n-title]").forEach((el) => {
    el.title = t(el.getAttribute("data-i18n-title"));
  });
}

/** The localised text of a {zh, en} pair (the prompt) or message_zh/message_en of an alert. */
export function pick(zh, en) {
  if (lang === "en") return en || zh || "";
  return zh || en || "";
}
