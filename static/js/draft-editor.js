// Drag a talk onto a free cell of the draft grid: a talk of the grid to move it, a talk from
// "Talks not in the draft" to place it. The server validates either and its refusal is shown;
// the Move and Place links stay for keyboards.
(function () {
  "use strict";

  function closest(node, selector) {
    return node && node.closest ? node.closest(selector) : null;
  }

  function init() {
    var grid = document.getElementById("draft-grid");
    if (!grid) { return; }
    var status = document.getElementById("draft-editor-status");
    var unplaced = document.getElementById("not-in-draft");
    // What is being dragged: {element, url, minutes (null for a move: the server checks), ...}.
    var dragged = null;
    var refusedCell = null;

    function say(message) { if (status) { status.textContent = message; } }

    function begin(event, element, drag) {
      dragged = drag;
      dragged.element = element;
      element.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", drag.url);
    }

    // A placed talk keeps its own cells, which are not free: only a new talk's length is checked here.
    function fits(cell) {
      return dragged.minutes === null || dragged.minutes <= parseInt(cell.dataset.freeMinutes || "0", 10);
    }

    function clear(cell) { cell.classList.remove("drop-target", "drop-refused"); }

    grid.addEventListener("dragstart", function (event) {
      var cell = closest(event.target, ".talk-cell");
      if (!cell) { return; }
      begin(event, cell, {
        url: cell.dataset.moveUrl, minutes: null, working: "Moving…",
        refused: "The move was refused; reload the page and try again.", failed: "The move could not be sent; check your connection and try again.",
      });
    });
    if (unplaced) {
      unplaced.addEventListener("dragstart", function (event) {
        var item = closest(event.target, ".unplaced-talk");
        if (!item) { return; }
        begin(event, item, {
          url: item.dataset.placeUrl, minutes: parseInt(item.dataset.lengthMinutes, 10), title: item.dataset.title,
          working: "Placing “" + item.dataset.title + "”…", refused: "Placing the talk was refused; reload the page and try again.",
          failed: "The talk could not be placed: check your connection and try again.",
        });
      });
    }
    document.addEventListener("dragend", function () {
      if (dragged) { dragged.element.classList.remove("dragging"); }
      if (refusedCell) { clear(refusedCell); }
      dragged = null;
      refusedCell = null;
    });
    grid.addEventListener("dragover", function (event) {
      var target = closest(event.target, ".free-cell");
      if (!target || !dragged) { return; }
      if (fits(target)) {
        event.preventDefault();
        target.classList.add("drop-target");
      } else if (target !== refusedCell) {
        // Not accepted (no preventDefault), and said once per cell, not on every dragover.
        if (refusedCell) { clear(refusedCell); }
        refusedCell = target;
        target.classList.add("drop-refused");
        var free = parseInt(target.dataset.freeMinutes || "0", 10);
        say("“" + dragged.title + "” lasts " + dragged.minutes + " minutes and does not fit at " +
            target.dataset.slot + ": " + (free > 0 ? "only " + free + " minutes are free there in one session block."
                                                   : "the room is taken then."));
      }
    });
    grid.addEventListener("dragleave", function (event) {
      var target = closest(event.target, ".free-cell");
      // Moving onto the cell's own text is no leaving.
      if (!target || target.contains(event.relatedTarget)) { return; }
      clear(target);
      if (target === refusedCell) { refusedCell = null; }
    });
    grid.addEventListener("drop", function (event) {
      var target = closest(event.target, ".free-cell");
      if (!target || !dragged || !fits(target)) { return; }
      event.preventDefault();
      clear(target);
      var drag = dragged;
      var body = new URLSearchParams();
      body.set("csrf_token", grid.dataset.csrfToken);
      body.set("lock_version", grid.dataset.lockVersion);
      body.set("room_id", target.dataset.roomId);
      body.set("starts_at", target.dataset.startsAt);
      say(drag.working);
      fetch(drag.url, {
        method: "POST",
        headers: { "Accept": "application/json", "X-CSRFToken": grid.dataset.csrfToken },
        body: body,
        credentials: "same-origin",
      }).then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        }, function () {
          return { ok: false, data: {} };  // not JSON: an error page
        });
      }).then(function (result) {
        if (result.ok) {
          say(result.data.message || "Done.");
          window.location.reload();
        } else {
          say(result.data.description || drag.refused);
        }
      }).catch(function () {
        say(drag.failed);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
