/* livestock: error capture for the three screens (window.__livestockErrors, read by the browser tests).
 *
 * A classic script, not a module, loaded first in <head>: it must be listening before any module
 * is fetched, so that a module that fails to load or throws while loading is recorded too.
 */
(function () {
  "use strict";

  const errors = (window.__livestockErrors = window.__livestockErrors || []);
  const MAX_ERRORS = 200;

  function safeJson(v) {
    try {
      return JSON.stringify(v);
    } catch (_) {
      return String(v);
    }
  }

  function recordError(kind, message, extra) {
    if (errors.length >= MAX_ERRORS) errors.shift();
    errors.push(Object.assign({ kind, message: String(message), at: new Date().toISOString() }, extra || {}));
  }

  window.addEventListener(
    "error",
    (ev) => {
      // Capture phase also sees resources that failed to load (a missing script or stylesheet).
      const target = ev.target;
      if (target && target !== window && (target.src || target.href)) {
        recordError("resource", "failed to load " + (target.src || target.href));
        return;
      }
      recordError("error", ev.message || "error", {
        source: ev.filename || "",
        line: ev.lineno || 0,
        stack: ev.error && ev.error.stack ? String(ev.error.stack) : "",
      });
    },
    true
  );

  window.addEventListener("unhandledrejection", (ev) => {
    const r = ev.reason;
    recordError("unhandledrejection", r && r.message ? r.message : String(r), {
      stack: r && r.stack ? String(r.stack) : "",
    });
  });

  const consoleError = console.error.bind(console);
  console.error = function (...args) {
    recordError(
      "console.error",
      args.map((a) => (a instanceof Error ? a.message : typeof a === "string" ? a : safeJson(a))).join(" ")
    );
    consoleError(...args);
  };
})();
