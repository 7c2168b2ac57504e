// Keeps a home visit form as a draft in this browser until the portal confirms it was filed,
// so a dropped connection on submit loses nothing. The draft keeps the form's submission key:
// sending it again files the visit once, never twice. A new draft gets a key made here, not the
// page's: a form page kept for use offline (field_sw.js) would otherwise give every visit the same.
(function () {
  "use strict";

  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null; // private mode or storage disabled: the form still works, without drafts
    }
  }

  function readDraft(store, key) {
    try {
      return JSON.parse(store.getItem(key) || "null");
    } catch (e) {
      return null;
    }
  }

  function saveDraft(store, form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "submit") return;
      if (el.type === "checkbox" || el.type === "radio") {
        if (!values[el.name]) values[el.name] = [];
        if (el.checked) values[el.name].push(el.value);
      } else {
        values[el.name] = el.value;
      }
    });
    try {
      store.setItem(form.dataset.draftKey, JSON.stringify(values));
    } catch (e) {
      /* storage full: nothing to do */
    }
  }

  function restoreDraft(form, values) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in values)) return;
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values[el.name].indexOf(el.value) !== -1;
      } else if (el.name !== "csrfmiddlewaretoken") {
        el.value = values[el.name];
      }
    });
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    if (!window.crypto || !crypto.getRandomValues) return null;
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    var hex = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function setUpForm(store, form) {
    var draft = readDraft(store, form.dataset.draftKey);
    var hasServerErrors = document.getElementById("error-summary") !== null;
    var key = form.elements.namedItem("submission_key");
    if (!draft && !hasServerErrors && key) key.value = newKey() || key.value;
    if (draft && !hasServerErrors) {
      restoreDraft(form, draft);
      var notice = document.querySelector(".draft-notice");
      if (notice) {
        notice.textContent = notice.dataset.restoredText;
        notice.hidden = false;
      }
    }
    var save = function () { saveDraft(store, form); };
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", save);
  }

  function clearFiledDraft(store, marker) {
    var draft = readDraft(store, marker.dataset.draftKey);
    var filed = (marker.dataset.filedVisits || "").split(" ");
    if (draft && filed.indexOf(draft.submission_key) !== -1) {
      store.removeItem(marker.dataset.draftKey);
    }
    filed.forEach(function (key) {
      if (key) store.removeItem("visit-queued-" + key); // sent from the phone's queue
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var store = storage();
    if (!store) return;
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
    var form = document.querySelector("form[data-draft-key]");
    if (form) setUpForm(store, form);
    var marker = document.querySelector("[data-filed-visits]");
    if (marker) clearFiledDraft(store, marker);
  });
})();
