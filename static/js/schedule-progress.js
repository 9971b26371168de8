// Live progress of a solver run: polls the run's JSON and updates the figures in place.
// Without JavaScript the page still works: its "Reload progress" link shows the latest state.
(function () {
  "use strict";
  var POLL_MS = 1000;

  function format(value, digits) {
    return value === null || value === undefined ? null : Number(value).toFixed(digits);
  }

  function setText(root, name, text) {
    var node = root.querySelector('[data-field="' + name + '"]');
    if (node && text !== null) { node.textContent = text; }
  }

  function start(root) {
    var url = root.getAttribute("data-status-url");
    var initialState = root.getAttribute("data-state");
    var bar = root.querySelector("progress");

    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (status) {
          if (!status) { return; }
          setText(root, "state", status.state.charAt(0).toUpperCase() + status.state.slice(1));
          setText(root, "elapsed", format(status.elapsed_seconds, 0));
          setText(root, "objective", format(status.best_objective, 0));
          setText(root, "bound", format(status.best_bound, 0));
          setText(root, "gap", status.gap === null ? null : (status.gap * 100).toFixed(1) + " %");
          if (bar && status.elapsed_seconds !== null) { bar.value = status.elapsed_seconds; }
          if (status.active) {
            window.setTimeout(poll, POLL_MS);
          } else if (status.state !== initialState) {
            // Finished: reload once to show the result, explanation or error.
            window.location.reload();
          }
        })
        .catch(function () { window.setTimeout(poll, POLL_MS * 5); });
    }

    if (initialState === "queued" || initialState === "running") { window.setTimeout(poll, POLL_MS); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("run-progress");
    if (root) { start(root); }
  });
})();
