// Star and unstar talks without a reload; without JavaScript the forms post as usual.
(function () {
  "use strict";
  function render(form, starred) {
    var button = form.querySelector("button");
    var title = form.getAttribute("data-title") || "";
    form.setAttribute("data-starred", starred ? "true" : "false");
    form.action = form.getAttribute(starred ? "data-unstar-url" : "data-star-url");
    button.textContent = starred ? "★ Starred" : "☆ Star";
    button.setAttribute("aria-pressed", starred ? "true" : "false");
    button.setAttribute("aria-label", (starred ? "Unstar: " : "Star: ") + title);
    button.className = starred ? "star-on" : "secondary outline";
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-star-form") || !window.fetch) { return; }
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (data) {
      button.disabled = false;
      render(form, data.starred);
    }).catch(function () {
      // Fall back to the ordinary form post, which shows any message from the server.
      button.disabled = false;
      form.submit();
    });
  });
})();
