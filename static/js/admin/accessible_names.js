// Names Django's admin widgets leave out or put where assistive technology does not read them:
// - the autocomplete fields (Select2) name their combobox and the textbox inside it after the selected
//   value only, so an empty one has no name: add the field's label to both (aria-labelledby), for the
//   fields on the page and for those an inline adds;
// - the two-box permission and group pickers (SelectFilter2) put an aria-label on a bare <span> icon
//   before their filter box, which ARIA does not allow: make the icon an image, so the label is its name.
(function () {
  "use strict";

  function name(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    var box = select.parentElement && select.parentElement.querySelector(".select2-selection[role=combobox]");
    if (!label || !box) {
      return;
    }
    if (!label.id) {
      label.id = select.id + "-label";
    }
    var ids = (box.getAttribute("aria-labelledby") || "").split(" ").filter(function (id) {
      return id && id !== label.id;
    });
    box.setAttribute("aria-labelledby", [label.id].concat(ids).join(" "));
    var rendered = box.querySelector(".select2-selection__rendered[role=textbox]");
    if (rendered) {
      rendered.setAttribute("aria-labelledby", label.id);
    }
  }

  function nameAll() {
    document.querySelectorAll("select.admin-autocomplete").forEach(name);
    document.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  // Django's autocomplete.js starts Select2 from jQuery's ready handler, which jQuery 3 runs
  // asynchronously: it can come after the window's load event, and SelectFilter2 builds its boxes at
  // load. So name them whenever either adds one (a field on the page or in an inline added later), and
  // once more at load.
  var pending = false;
  new MutationObserver(function (changes) {
    var added = changes.some(function (change) {
      return Array.prototype.some.call(change.addedNodes, function (node) {
        return node.nodeType === 1 && (node.matches(".select2, .selector") || node.querySelector(".select2, .selector"));
      });
    });
    if (added && !pending) {
      pending = true;
      window.setTimeout(function () {
        pending = false;
        nameAll();
      }, 0);
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
  window.addEventListener("load", nameAll);
})();
