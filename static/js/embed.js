// The embedded agenda (templates/embed/agenda.html). When the embedding page fixed no time
// zone, show the reader's: their browser's zone goes into the address once (browser_tz), so
// the page stays one kept copy per zone. "Now and next" reloads itself every minute.
(function () {
  "use strict";
  var body = document.body;
  var shown = body.getAttribute("data-embed-reader-zone");
  if (shown !== null) {
    var zone = null;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { zone = null; }
    var address = new URL(window.location.href);
    if (zone && zone !== shown && !address.searchParams.has("browser_tz")) {
      address.searchParams.set("browser_tz", zone);
      window.location.replace(address.toString());
      return;
    }
  }
  var refresh = parseInt(body.getAttribute("data-embed-refresh") || "", 10);
  if (refresh > 0) {
    window.setTimeout(function () { window.location.reload(); }, refresh * 1000);
  }
})();
