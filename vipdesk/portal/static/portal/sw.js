/* vipdesk member centre service worker: pages it showed stay readable offline (network first); a page
   never seen falls back to the kept card page (ignoreVary: the pages vary on Cookie and language). */
const CACHE = "vipdesk-portal-v1";
self.addEventListener("install", (event) => { self.skipWaiting(); });
self.addEventListener("activate", (event) => { event.waitUntil(self.clients.claim()); });
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const page = request.mode === "navigate" && url.pathname.startsWith("/m/") && !url.pathname.startsWith("/m/sign-");
  const asset = url.pathname.startsWith("/static/portal/");
  if (!page && !asset) return;  // the code endpoint and everything else: network only
  event.respondWith(
    fetch(request).then((response) => {
      if (response.ok && !response.redirected) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(request, copy));
      }
      return response;
    }).catch(() => caches.match(request).then((hit) => hit || caches.match("/m/card/", { ignoreVary: true })))
  );
});
