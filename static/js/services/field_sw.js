// The field app offline (issue #20), on Workbox: the street list, the person pages and visit forms a
// member opened stay readable without a signal (NetworkFirst), and a visit filed without a signal is
// kept in Workbox's background-sync queue and sent once the connection returns; its submission key
// makes the server store it once however often it arrives. Written by hand only what Workbox lacks:
// nothing holding a full ID or certificate number is kept, and everything kept is erased when the
// session ends (the idle limit passed offline, a log-out, or a page the server rendered signed out:
// static/js/services/field_offline.js).
/* global workbox */
(function () {
  "use strict";

  var CFG = self.FIELD_SW;
  var PAGES = "field-pages";
  var STATIC = "field-static";
  var META = "field-meta";
  var CONTACT = CFG.scope + "__last-contact";
  // A whole or near-whole ID number, as the server's number search reads one (services/registry/identity.py):
  // 15 digits or more (the old 15-digit numbers, 17 digits that give the check character away), or 14 and an
  // X; tested on the text made plain (NFKC: full-width digits and letters) and with no space or dash between
  // digits. A certificate number starts with an ID number.
  var FULL_NUMBER = /\d{15,}|\d{14}[Xx]/;
  // Written with spaces or dashes, only what has an ID number's shape (area, birth date, sequence): a phone
  // number beside a year must not keep a page off the phone.
  var ID_SHAPE = /\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]?/;
  var SEPARATED = /(\d)[\s\u3000+-](?=\d)/g;

  function holdsNumber(text) {
    var plain = text.normalize("NFKC");
    return FULL_NUMBER.test(plain) || ID_SHAPE.test(plain.replace(SEPARATED, "$1"));
  }
  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  var visitPath = new RegExp(CFG.visitPattern);
  var personPath = new RegExp(CFG.personPattern);

  workbox.core.setCacheNameDetails({ prefix: "field" });

  function inScope(url) {
    return url.origin === self.location.origin && url.pathname.indexOf(CFG.scope) === 0 && url.pathname !== CFG.swPath;
  }

  // --- the session -----------------------------------------------------------------------------------

  function noteContact() {
    return caches.open(META).then(function (cache) {
      return cache.put(CONTACT, new Response(String(Date.now())));
    });
  }

  function sessionEnded() {
    return caches.open(META).then(function (cache) {
      return cache.match(CONTACT).then(function (response) {
        if (!response) return false;
        return response.text().then(function (text) {
          var idle = Date.now() - Number(text);
          // A clock set back past the last answer counts as ended too: it cannot stretch the idle limit.
          return idle < 0 || idle > CFG.idleSeconds * 1000;
        });
      });
    });
  }

  // Everything personal the worker keeps: the pages and the visits not sent yet. Static files stay.
  function wipe() {
    return Promise.all([
      caches.delete(PAGES),
      caches.delete(META),
      (async function () {
        var entry;
        while ((entry = await queue.shiftRequest())) {
          /* dropped */
        }
      })(),
    ]);
  }

  function sessionEndedPage() {
    var t = CFG.sessionEnded;
    var esc = function (s) {
      return String(s).replace(/[&<>"]/g, function (c) {
        return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
      });
    };
    var html =
      '<!doctype html><html lang="' + esc(t.lang) + '"><head><meta charset="utf-8">' +
      '<meta name="viewport" content="width=device-width, initial-scale=1"><title>' + esc(t.title) + "</title>" +
      '<script src="' + esc(t.script) + '" defer></script></head><body data-session-ended><main><h1>' +
      esc(t.title) + "</h1><p>" + esc(t.text) + "</p></main></body></html>";
    return new Response(html, { status: 401, headers: { "Content-Type": "text/html; charset=utf-8" } });
  }

  // --- pages -----------------------------------------------------------------------------------------

  // Keep a page only when it is a real page (200, not a redirect to the login page) whose address and
  // text hold no full ID or certificate number.
  var privacyPlugin = {
    cacheWillUpdate: async function (params) {
      var response = params.response;
      if (!response || response.status !== 200 || response.type !== "basic") return null;
      var url = params.request.url;
      try {
        url = decodeURIComponent(url);
      } catch (e) {
        /* kept as sent */
      }
      // A search (?q=) is never kept: its page repeats what was typed, a refused number search included.
      if (new URL(url).searchParams.has("q") || holdsNumber(url)) return null;
      var text = await response.clone().text();
      return holdsNumber(text) ? null : response;
    },
    fetchDidSucceed: async function (params) {
      if (params.response.ok) await noteContact();
      return params.response;
    },
  };

  // ignoreVary: the pages vary on the cookie and language, which the worker's own fetches do not send
  // as the browser's navigations do; a member's phone keeps one member's pages.
  var MATCH = { ignoreVary: true };
  var pages = new workbox.strategies.NetworkFirst({ cacheName: PAGES, plugins: [privacyPlugin], matchOptions: MATCH });

  function warm(urls) {
    return caches.open(PAGES).then(function (cache) {
      return Promise.all(
        urls.map(function (url) {
          return fetch(url, { credentials: "same-origin" })
            .then(function (response) {
              return privacyPlugin.cacheWillUpdate({ request: new Request(url), response: response });
            })
            .then(function (response) {
              if (response) return cache.put(url, response);
            })
            .catch(function () {
              /* offline: the next visit online keeps it */
            });
        }),
      );
    });
  }

  workbox.routing.registerRoute(
    function (options) {
      return options.request.mode === "navigate" && inScope(options.url);
    },
    async function (options) {
      // Online, the server says so itself (its login page erases: field_offline.js); offline, the idle
      // limit passed since the server last answered means the session has ended there too.
      if (await sessionEnded()) {
        await wipe();
        return sessionEndedPage();
      }
      try {
        var response = await pages.handle(options);
        if (response.status === 403 || response.status === 404) {
          // No longer theirs to open (the person moved street, the member was given other streets): the
          // copy kept of it goes too, rather than opening offline until the idle limit.
          var kept = await caches.open(PAGES);
          await kept.delete(options.request, MATCH);
          await kept.delete(options.url.href, MATCH);
        }
        var person = options.url.pathname.match(personPath);
        if (person && response.ok) {
          // The visit form of a person opened is what a member will want without a signal. Its GET
          // writes no access-log entry (the person page, already fetched, did).
          options.event.waitUntil(warm([options.url.pathname + "visit/"]));
        }
        return response;
      } catch (error) {
        var fallback = await caches.match(CFG.offlineUrl, { cacheName: PAGES, ignoreVary: true });
        if (fallback) return fallback;
        throw error;
      }
    },
  );

  workbox.routing.registerRoute(
    function (options) {
      return options.url.origin === self.location.origin && options.request.destination !== "document" &&
        ["style", "script"].indexOf(options.request.destination) !== -1;
    },
    new workbox.strategies.StaleWhileRevalidate({ cacheName: STATIC }),
  );

  // --- visits filed without a signal ----------------------------------------------------------------

  var replaying = null;

  async function notify(message) {
    var all = await self.clients.matchAll({ includeUncontrolled: true, type: "window" });
    all.forEach(function (client) {
      client.postMessage(message);
    });
  }

  // Workbox's own replay counts any answer as sent; here the answer decides: the person's page (filed,
  // or filed before: the key) is sent, the login page means the session ended, any other is refused.
  async function replay() {
    var sent = [];
    var refused = [];
    var entry;
    while ((entry = await queue.shiftRequest())) {
      var request = entry.request;
      var response;
      try {
        response = await fetch(request.url, {
          method: "POST",
          headers: request.headers,
          body: await request.clone().arrayBuffer(),
          credentials: "same-origin",
          redirect: "follow",
        });
      } catch (error) {
        await queue.unshiftRequest(entry);
        throw error; // still offline: Workbox tries again at the next sync
      }
      var metadata = entry.metadata || {};
      var landed = new URL(response.url);
      if (landed.pathname === CFG.loginPath) {
        await wipe();
        await notify({ type: "field-session-ended" });
        return;
      }
      await noteContact();
      if (response.ok && !landed.pathname.match(visitPath)) {
        sent.push(metadata.key);
      } else {
        refused.push({ key: metadata.key, form: metadata.form });
      }
    }
    if (sent.length || refused.length) await notify({ type: "field-visits-replayed", sent: sent, refused: refused });
  }

  function replayOnce() {
    if (!replaying) {
      replaying = replay().finally(function () {
        replaying = null;
      });
    }
    return replaying;
  }

  var queue = new workbox.backgroundSync.Queue("field-visits", {
    onSync: replayOnce,
    // A visit older than the session's idle limit belongs to an ended session: it is not sent.
    maxRetentionTime: Math.ceil(CFG.idleSeconds / 60),
  });

  async function savedResponse(key) {
    var page = await caches.match(CFG.savedUrl, { cacheName: PAGES, ignoreVary: true });
    if (!page) return sessionEndedPage();
    var html = (await page.text()).replace('data-queued-key=""', 'data-queued-key="' + key + '"');
    return new Response(html, { status: 202, headers: { "Content-Type": "text/html; charset=utf-8" } });
  }

  workbox.routing.registerRoute(
    function (options) {
      return inScope(options.url) && visitPath.test(options.url.pathname);
    },
    async function (options) {
      var request = options.request;
      var kept = request.clone();
      try {
        var response = await fetch(request);
        await noteContact();
        return response;
      } catch (error) {
        var fields = await kept.clone().formData();
        var key = String(fields.get("submission_key") || "");
        if (!UUID.test(key)) throw error;
        await queue.pushRequest({ request: kept, metadata: { key: key, form: options.url.pathname } });
        return savedResponse(key);
      }
    },
    "POST",
  );

  // --- life cycle and the pages' messages -----------------------------------------------------------

  self.addEventListener("install", function (event) {
    event.waitUntil(
      Promise.all([
        warm([CFG.streetUrl, CFG.offlineUrl, CFG.savedUrl]),
        caches.open(STATIC).then(function (cache) {
          return cache.addAll(CFG.staticUrls);
        }),
      ]).then(function () {
        return self.skipWaiting();
      }),
    );
  });

  self.addEventListener("activate", function (event) {
    event.waitUntil(self.clients.claim());
  });

  self.addEventListener("message", function (event) {
    var data = event.data || {};
    var done;
    if (data.type === "field-replay") done = replayOnce().catch(function () {});
    else if (data.type === "field-wipe") done = wipe();
    else return;
    event.waitUntil(
      done.then(function () {
        if (event.ports[0]) event.ports[0].postMessage({ type: data.type, done: true });
      }),
    );
  });
})();
