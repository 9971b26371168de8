// A talk's questions ([data-questions-refresh]: the questions page's list, the room's screen)
// fetch their list again every so many seconds and swap it in, keeping the focused button and
// the scroll position. Buttons in the list (form[data-questions-action]) post without leaving the
// page, then the list refreshes at once; if that fails the form posts as usual, so the server's
// message is shown. Without JavaScript the page has a Reload link and the room's screen a
// <noscript> refresh.
//
// A request that hangs is abandoned after a timeout; an answer older than one already shown is
// dropped; failures wait longer each time (up to two minutes) and a talk that is gone (404)
// stops the loop. A status line tells screen readers how many questions came in.
//
// The list starts with a hidden line ([data-asking-state]) saying whether asking is open, as the
// server decides it from the conference's settings. When it changes (the window opens or closes
// while the page is open, or the organisers turn questions off), the page's window line
// ([data-asking-message]) takes its text, the ask form ([data-asking-form]) is shown only while
// asking is open, and the status line says so.
(function () {
  "use strict";
  var list = document.querySelector("[data-questions-refresh]");
  if (!list || !window.fetch) { return; }
  var seconds = parseInt(list.getAttribute("data-questions-refresh"), 10) || 10;
  var source = list.getAttribute("data-questions-source");
  var status = document.querySelector("[data-questions-status]");
  var TIMEOUT_MS = 8000;
  var LONGEST_WAIT_MS = 120000;
  var requested = 0;  // number of the latest request sent
  var shown = 0;  // number of the request whose answer is on the page
  var failures = 0;
  var stopped = false;
  var timer = null;
  var last = null;
  document.querySelectorAll("[data-questions-live]").forEach(function (note) { note.hidden = false; });

  function count() { return list.querySelectorAll("li.question").length; }

  var ASKING_NEWS = {
    open: "Questions are open now.",
    closed: "Questions are closed now.",
    not_open: "Questions are not open yet.",
    off: "Audience questions are turned off."
  };

  function followAskingState() {
    var marker = list.querySelector("[data-asking-state]");
    var message = document.querySelector("[data-asking-message]");
    if (!marker || !message) { return; }
    var state = marker.getAttribute("data-asking-state");
    var before = message.getAttribute("data-asking-state");
    message.textContent = marker.textContent;
    if (state === before) { return; }
    message.classList.remove("asking-" + before);
    message.classList.add("asking-" + state);
    message.setAttribute("data-asking-state", state);
    document.querySelectorAll("[data-asking-form]").forEach(function (form) {
      // A question being typed stays on screen; sending it then gets the server's message.
      var typed = form.querySelector("textarea");
      if (state === "open" || !(typed && typed.value.trim())) { form.hidden = state !== "open"; }
    });
    if (status && ASKING_NEWS[state]) { status.textContent = ASKING_NEWS[state]; }
  }

  function swapIn(html) {
    if (html === last) { return; }
    var before = last === null ? null : count();
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
    var added = before === null ? 0 : count() - before;
    if (status && added > 0) {
      status.textContent = added === 1 ? "1 new question." : added + " new questions.";
    }
    followAskingState();
  }

  function schedule() {
    if (stopped) { return; }
    window.clearTimeout(timer);
    var wait = Math.min(seconds * 1000 * Math.pow(2, failures), LONGEST_WAIT_MS);
    timer = window.setTimeout(refresh, wait);
  }

  function refresh() {
    if (stopped) { return; }
    if (document.visibilityState === "hidden") { schedule(); return; }
    var number = ++requested;
    var controller = window.AbortController ? new AbortController() : null;
    var abandon = window.setTimeout(function () { if (controller) { controller.abort(); } }, TIMEOUT_MS);
    fetch(source, {
      credentials: "same-origin", cache: "no-store", headers: { "Accept": "text/html" },
      signal: controller ? controller.signal : undefined
    })
      .then(function (response) {
        if (response.status === 404) { stopped = true; }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        failures = 0;
        if (number > shown) { shown = number; swapIn(html); }
      })
      .catch(function () { failures += 1; })
      .then(function () {
        window.clearTimeout(abandon);
        if (number === requested) { schedule(); }
      });
  }

  schedule();
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { refresh(); }
  });

  list.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-questions-action")) { return; }
    event.preventDefault();
    var button = event.submitter || form.querySelector("button");
    if (button) { button.disabled = true; }
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        refresh();
      })
      .catch(function () {
        if (button) { button.disabled = false; }
        form.submit();
      });
  });
})();
