// A talk's questions ([data-questions-refresh]: the questions page's list, the room's screen)
// fetch their list again every so many seconds and swap it in, keeping the focused button and
// the scroll position. Buttons in the list (form[data-questions-action]) post without leaving the
// page, then the list refreshes at once; if that fails the form posts as usual, so the server's
// message is shown. Without JavaScript the page has a Reload link and the room's screen a
// <noscript> refresh.
(function () {
  "use strict";
  var list = document.querySelector("[data-questions-refresh]");
  if (!list || !window.fetch) { return; }
  var seconds = parseInt(list.getAttribute("data-questions-refresh"), 10) || 10;
  var source = list.getAttribute("data-questions-source");
  var loading = false;
  var last = null;
  document.querySelectorAll("[data-questions-live]").forEach(function (note) { note.hidden = false; });

  function swapIn(html) {
    if (html === last) { return; }
    last = html;
    var active = document.activeElement;
    var key = active && list.contains(active) ? active.getAttribute("data-focus-key") : null;
    var scrollY = window.scrollY;
    list.innerHTML = html;
    if (key) {
      var again = list.querySelector('[data-focus-key="' + key + '"]');
      if (again) { again.focus({ preventScroll: true }); }
    }
    window.scrollTo(window.scrollX, scrollY);
  }

  function refresh() {
    if (loading || document.visibilityState === "hidden") { return; }
    loading = true;
    fetch(source, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) { loading = false; swapIn(html); })
      .catch(function () { loading = false; });  // try again at the next tick
  }

  window.setInterval(refresh, seconds * 1000);
  document.addEventListener("visibilitychange", refresh);

  list.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-questions-action")) { return; }
    event.preventDefault();
    var button = event.submitter || form.querySelector("button");
    if (button) { button.disabled = true; }
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        loading = false;
        refresh();
      })
      .catch(function () {
        if (button) { button.disabled = false; }
        form.submit();
      });
  });
})();
