// Progressive enhancements only; every page works without JavaScript.
(function () {
  "use strict";
  var browserZone;
  try { browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { browserZone = null; }
  if (browserZone) {
    // Remember the browser's zone so anonymous pages can show times in it.
    if (document.cookie.indexOf("tz=") === -1) {
      document.cookie = "tz=" + browserZone + "; path=/; max-age=31536000; samesite=lax";
    }
    document.addEventListener("DOMContentLoaded", function () {
      document.querySelectorAll("input[data-default-browser-zone]").forEach(function (input) {
        if (!input.value) { input.value = browserZone; }
      });
    });
  }
})();
