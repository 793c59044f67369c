{% autoescape off %}// The portal's service worker (served as /sw.js by yiwang.core.pwa.service_worker).
// It stores the shell only: the stylesheet, the scripts, the icons and the offline page. Pages and
// API answers are never stored (they are personal: cases, messages, data), so nothing of a resident's
// stays on a shared phone; without a network a page is replaced by the offline page.
"use strict";

var CACHE = {{ cache_name }};
var CACHE_PREFIX = {{ cache_prefix }};
var SHELL = {{ shell }};
var OFFLINE_URL = {{ offline_url }};
var STATIC_PREFIX = {{ static_prefix }};
var DEVICE_PAGES = new RegExp({{ device_pages }});

self.addEventListener("install", function (event) {
  // cache: "reload" skips the HTTP cache, so a new version stores fresh files, not yesterday's.
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(SHELL.map(function (url) { return new Request(url, { cache: "reload", credentials: "omit" }); }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  // A deploy names a new cache: the older ones of this site go.
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(CACHE_PREFIX) === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function isStatic(url) {
  return url.origin === self.location.origin && url.pathname.indexOf(STATIC_PREFIX) === 0;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;  // form posts and uploads go to the network untouched
  var url = new URL(request.url);

  if (request.mode === "navigate" && !DEVICE_PAGES.test(url.pathname)) {
    // Network first, and nothing stored: the page is the network's or, without one, the offline page.
    event.respondWith(
      fetch(request).catch(function () {
        return caches.open(CACHE).then(function (cache) { return cache.match(OFFLINE_URL); }).then(function (page) {
          return page || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
        });
      })
    );
    return;
  }
  if (request.mode === "navigate") return;  // a device's page: its own script tells of a lost network

  if (isStatic(url)) {
    // Static files are the same for everybody and change only with a deploy (a new cache): cache first.
    event.respondWith(
      caches.open(CACHE).then(function (cache) {
        return cache.match(request).then(function (hit) {
          return hit || fetch(request).then(function (response) {
            if (response.ok && response.type === "basic") cache.put(request, response.clone());
            return response;
          });
        });
      })
    );
  }
  // Everything else (page fragments, API answers, materials, PDFs) is the browser's own business: not stored here.
});
{% endautoescape %}
