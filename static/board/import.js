/* livestock board: the empty board's 导入商品表 button. The operator picks the sheet they keep in
 * Excel (XLSX or CSV, Chinese or English titles); it is sent as it is to the import endpoint
 * (all or nothing) and the answer is said in words: how many products came in, or which rows and
 * columns are wrong. The new products then arrive on the board through the feed. */
import { t } from "../lib/i18n.js";
import { fmtInt } from "../lib/format.js";
import { $, setText } from "../lib/dom.js";

/** Bad rows listed under a refused import (the rest are counted). */
const ROWS_SHOWN = 5;

function say(text, ok) {
  const el = $("import-result");
  el.hidden = !text;
  el.classList.toggle("ok", !!ok);
  setText(el, text);
}

/** What the server's answer to an import means for the operator. */
async function explain(res) {
  let body = null;
  try {
    body = await res.json();
  } catch (_) {
    /* not JSON: the status says enough */
  }
  if (res.ok) return { ok: true, text: t("import.done", { n: fmtInt((body && body.created) || 0) }) };
  if (res.status === 401 || res.status === 403) return { ok: false, text: t("import.forbidden") };
  const rows = body && Array.isArray(body.rows) ? body.rows : [];
  if (rows.length) {
    const lines = rows.slice(0, ROWS_SHOWN).map((r) => t("import.row", { row: r.row, column: r.column || "", reason: r.reason || "" }));
    if (rows.length > ROWS_SHOWN) lines.push(t("import.more_rows", { n: rows.length - ROWS_SHOWN }));
    return { ok: false, text: t("import.refused") + " " + lines.join(t("sync.sep")) };
  }
  const why = body && body.error && body.error.message ? body.error.message : res.status + " " + (res.statusText || "");
  return { ok: false, text: t("import.failed", { m: why }) };
}

/** Wires the file picker of the empty board. */
export function setupImport() {
  const input = $("import-file");
  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    say(t("import.sending", { name: file.name }), false);
    try {
      const res = await fetch("/api/v1/import", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": file.type || "text/csv", Accept: "application/json" },
        body: file,
      });
      const r = await explain(res);
      say(r.text, r.ok);
    } catch (_) {
      say(t("import.network"), false);
    }
  });
}
