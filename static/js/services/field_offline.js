// The page side of the field app offline (static/js/services/field_sw.js is the worker): on the field
// app's pages, install the worker, ask it to send the visits kept on this phone when the connection
// returns, and say what became of them. On every page: erase what the phone keeps (the worker's pages
// and queue, the visit drafts) at log-out, and on any page the server rendered signed out (the session
// has ended, or another person logs in on this phone).
(function () {
  "use strict";

  var SCOPE = "/field/";
  var DRAFT = "visit-draft-";
  var QUEUED = "visit-queued-";

  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  function localKeys(store) {
    var keys = [];
    for (var i = 0; i < store.length; i += 1) keys.push(store.key(i));
    return keys;
  }

  function ask(worker, type) {
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function () {
        resolve();
      };
      worker.postMessage({ type: type }, [channel.port2]);
      setTimeout(resolve, 3000); // a worker that does not answer does not hold the log-out
    });
  }

  function eraseDrafts() {
    var store = storage();
    if (!store) return;
    localKeys(store).forEach(function (key) {
      if (key.indexOf(DRAFT) === 0 || key.indexOf(QUEUED) === 0) store.removeItem(key);
    });
  }

  // Everything the field app keeps on this phone: drafts, the worker's pages and queue, the worker.
  async function eraseAll() {
    eraseDrafts();
    if ("serviceWorker" in navigator) {
      var registration = await navigator.serviceWorker.getRegistration(SCOPE);
      if (registration) {
        var worker = registration.active || registration.waiting || registration.installing;
        if (worker) await ask(worker, "field-wipe");
        await registration.unregister();
      }
    }
    if (window.indexedDB) indexedDB.deleteDatabase("workbox-background-sync"); // the queue, once no worker holds it
    if (window.caches) {
      var names = await caches.keys();
      await Promise.all(
        names
          .filter(function (name) {
            return name.indexOf("field-") === 0;
          })
          .map(function (name) {
            return caches.delete(name);
          }),
      );
    }
  }

  function say(text, link) {
    var region = document.querySelector(".offline-status");
    if (!region) return;
    region.className = "offline-status alert alert-info";
    region.textContent = text;
    if (link) {
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      region.appendChild(document.createTextNode(" "));
      region.appendChild(a);
    }
  }

  // The saved-offline page names the visit the worker kept: its draft is now in the worker's queue, so
  // the next visit to this person starts a new draft with a new key.
  function keepQueuedDraft(store) {
    var marker = document.querySelector("[data-queued-key]");
    var key = marker && marker.dataset.queuedKey;
    if (!key) return;
    localKeys(store).forEach(function (name) {
      if (name.indexOf(DRAFT) !== 0) return;
      var draft;
      try {
        draft = JSON.parse(store.getItem(name) || "null");
      } catch (e) {
        return;
      }
      if (draft && draft.submission_key === key) {
        draft.draftKey = name;
        store.setItem(QUEUED + key, JSON.stringify(draft));
        store.removeItem(name);
      }
    });
  }

  function replayed(store, message) {
    var region = document.querySelector(".offline-status");
    (message.sent || []).forEach(function (key) {
      store.removeItem(QUEUED + key);
    });
    if (message.sent && message.sent.length && region) say(region.dataset.sentText);
    (message.refused || []).forEach(function (refused) {
      // Back to its form as a draft, so the member sees why and sends it again.
      var draft = JSON.parse(store.getItem(QUEUED + refused.key) || "null");
      if (draft && draft.draftKey && !store.getItem(draft.draftKey)) {
        var name = draft.draftKey;
        delete draft.draftKey;
        store.setItem(name, JSON.stringify(draft));
      }
      store.removeItem(QUEUED + refused.key);
      if (region) say(region.dataset.refusedText, { href: refused.form, text: region.dataset.refusedLink });
    });
  }

  function setUpFieldPage(body) {
    if (!("serviceWorker" in navigator)) return;
    var store = storage();
    if (store) keepQueuedDraft(store);
    navigator.serviceWorker.register(body.dataset.fieldWorker, { scope: body.dataset.fieldScope }).catch(function () {
      /* no worker (private mode, an old browser): the pages work online as before */
    });
    var sendKept = function () {
      navigator.serviceWorker.ready.then(function (registration) {
        if (registration.active) registration.active.postMessage({ type: "field-replay" });
      });
    };
    window.addEventListener("online", sendKept);
    if (navigator.onLine) sendKept();
    navigator.serviceWorker.addEventListener("message", function (event) {
      var data = event.data || {};
      var region = document.querySelector(".offline-status");
      if (data.type === "field-visits-replayed" && store) replayed(store, data);
      if (data.type === "field-session-ended") {
        eraseDrafts();
        if (region) say(region.dataset.endedText);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var body = document.body;
    if (body.hasAttribute("data-signed-out") || body.hasAttribute("data-session-ended")) {
      eraseAll();
    } else if (body.dataset.fieldWorker) {
      setUpFieldPage(body);
    }
    // Log-out erases first, then logs out (also without a signal, where the log-out itself cannot reach us).
    Array.prototype.forEach.call(document.querySelectorAll("form[data-logout]"), function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        eraseAll()
          .catch(function () {})
          .then(function () {
            form.submit();
          });
      });
    });
  });
})();
