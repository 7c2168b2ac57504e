// The header's menu on a phone: folded behind its button so the page's heading comes first; the button
// opens and closes it (Enter or Space), Escape closes it and gives the focus back to the button.
// Whether it folds is the style sheet's to say (portal.css, below 768 px, once this script has marked the page
// "js-menu"), so a window made wider or narrower shows the right header at once, with no script in between.
(function () {
  "use strict";

  function setUp() {
    var toggle = document.querySelector(".menu-toggle");
    if (!toggle) {
      return;
    }
    var panels = (toggle.getAttribute("aria-controls") || "")
      .split(" ")
      .map(function (id) { return document.getElementById(id); })
      .filter(Boolean);

    function show(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      panels.forEach(function (panel) { panel.classList.toggle("is-open", open); });
    }

    toggle.addEventListener("click", function () {
      show(toggle.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      var shown = toggle.offsetParent !== null;
      if (event.key === "Escape" && shown && toggle.getAttribute("aria-expanded") === "true") {
        show(false);
        toggle.focus();
      }
    });
    show(false);
    document.documentElement.classList.add("js-menu");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
