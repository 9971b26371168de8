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
// A table wider than the page (on a phone, most organiser tables) scrolls sideways in a region
// of its own, named after its caption or heading, instead of widening the whole page. Tables
// that fit are left alone, so they add no tab stop.
(function () {
  "use strict";
  function labelFor(table) {
    var caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    var labelledBy = table.getAttribute("aria-labelledby");
    var named = labelledBy && document.getElementById(labelledBy);
    if (named) { return named.textContent.trim(); }
    var heading = table.closest("section, article");
    heading = heading && heading.querySelector("h1, h2, h3");
    return heading ? heading.textContent.trim() : "Table";
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.closest(".overflow-auto, .schedule-scroll")) { return; }
      var parent = table.parentNode;
      if (table.getBoundingClientRect().width <= parent.getBoundingClientRect().width + 1) { return; }
      var region = document.createElement("div");
      region.className = "overflow-auto table-region";
      region.setAttribute("role", "region");
      region.setAttribute("tabindex", "0");
      region.setAttribute("aria-label", labelFor(table));
      parent.insertBefore(region, table);
      region.appendChild(table);
    });
  });
})();
// "Print" buttons need JavaScript, so they stay hidden without it (the browser's own Print works).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
// "Copy" buttons copy the text of the field they name (data-copy: its id) and say so; they
// need JavaScript, so they stay hidden without it (the field can still be selected and copied).
(function () {
  "use strict";
  function copied(button) {
    var label = button.firstChild;
    var before = label.nodeValue;
    label.nodeValue = "Copied";
    window.setTimeout(function () { label.nodeValue = before; }, 2000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(function () { copied(button); });
        } else {
          field.select();
          if (document.execCommand("copy")) { copied(button); }
        }
      });
    });
  });
})();
