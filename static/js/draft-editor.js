// Drag a talk onto a free cell of the draft grid to move it; the server validates the move.
(function () {
  "use strict";

  function init() {
    var grid = document.getElementById("draft-grid");
    if (!grid) { return; }
    var status = document.getElementById("draft-editor-status");
    var dragged = null;

    function say(message) { if (status) { status.textContent = message; } }

    grid.addEventListener("dragstart", function (event) {
      var cell = event.target.closest ? event.target.closest(".talk-cell") : null;
      if (!cell) { return; }
      dragged = cell;
      cell.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", cell.dataset.moveUrl);
    });
    grid.addEventListener("dragend", function () {
      if (dragged) { dragged.classList.remove("dragging"); }
      dragged = null;
    });
    grid.addEventListener("dragover", function (event) {
      var target = event.target.closest ? event.target.closest(".free-cell") : null;
      if (target && dragged) {
        event.preventDefault();
        target.classList.add("drop-target");
      }
    });
    grid.addEventListener("dragleave", function (event) {
      var target = event.target.closest ? event.target.closest(".free-cell") : null;
      if (target) { target.classList.remove("drop-target"); }
    });
    grid.addEventListener("drop", function (event) {
      var target = event.target.closest ? event.target.closest(".free-cell") : null;
      if (!target || !dragged) { return; }
      event.preventDefault();
      target.classList.remove("drop-target");
      var body = new URLSearchParams();
      body.set("csrf_token", grid.dataset.csrfToken);
      body.set("lock_version", grid.dataset.lockVersion);
      body.set("room_id", target.dataset.roomId);
      body.set("starts_at", target.dataset.startsAt);
      say("Moving…");
      fetch(dragged.dataset.moveUrl, {
        method: "POST",
        headers: { "Accept": "application/json", "X-CSRFToken": grid.dataset.csrfToken },
        body: body,
        credentials: "same-origin",
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (result.ok) {
          say(result.data.message || "Moved.");
          window.location.reload();
        } else {
          say(result.data.description || "The move was refused.");
        }
      }).catch(function () {
        say("The move could not be sent; check your connection and try again.");
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
