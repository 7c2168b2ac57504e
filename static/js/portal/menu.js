// The header's menu on a phone: folded behind its button so the page's heading comes first; the button
// opens and closes it (Enter or Space), Escape closes it and gives the focus back to the button.
(function () {
  "use strict";
  var PHONE = window.matchMedia("(max-width: 767.98px)");

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
      panels.forEach(function (panel) { panel.classList.toggle("is-folded", !open); });
    }

    function fit() {
      toggle.hidden = !PHONE.matches;
      show(!PHONE.matches);
    }

    toggle.addEventListener("click", function () {
      show(toggle.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && PHONE.matches && toggle.getAttribute("aria-expanded") === "true") {
        show(false);
        toggle.focus();
      }
    });
    PHONE.addEventListener("change", fit);
    fit();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
