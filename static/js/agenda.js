// Star and unstar talks without a reload. Every star button submits the page's one shared form
// (form="star-form", its own formaction); without JavaScript that form posts as usual.
(function () {
  "use strict";
  function render(button, starred) {
    var title = button.getAttribute("data-title") || "";
    var action = button.getAttribute("formaction") || "";
    button.setAttribute("formaction", action.replace(/\/(un)?star$/, starred ? "/unstar" : "/star"));
    button.textContent = starred ? "★ Starred" : "☆ Star";
    button.setAttribute("aria-pressed", starred ? "true" : "false");
    button.setAttribute("aria-label", (starred ? "Unstar: " : "Star: ") + title);
    button.className = "star-button " + (starred ? "star-on" : "secondary outline");
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    if (!form.hasAttribute || !form.hasAttribute("data-star-form") || !button || !window.fetch) { return; }
    event.preventDefault();
    var action = button.getAttribute("formaction");
    button.disabled = true;
    fetch(action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (data) {
      button.disabled = false;
      render(button, data.starred);
    }).catch(function () {
      // Fall back to the ordinary form post, which shows any message from the server.
      button.disabled = false;
      form.action = action;
      form.submit();
    });
  });
})();
// "Now and next" ([data-agenda-refresh]) reloads itself every so many seconds while it is on
// screen, but not while someone is choosing in one of its forms; a tab coming back into view
// after that long reloads at once.
(function () {
  "use strict";
  var page = document.querySelector("[data-agenda-refresh]");
  if (!page) { return; }
  var seconds = parseInt(page.getAttribute("data-agenda-refresh"), 10) || 60;
  var due = Date.now() + seconds * 1000;
  function reloadIfDue() {
    var active = document.activeElement;
    var busy = active && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName);
    if (document.visibilityState === "hidden" || busy || Date.now() < due) { return; }
    window.location.reload();
  }
  window.setInterval(reloadIfDue, 5000);
  document.addEventListener("visibilitychange", reloadIfDue);
})();
