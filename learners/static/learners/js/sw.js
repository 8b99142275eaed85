// Service worker: pages and media of courses saved for offline (caches "dvc-course-<id>", filled
// by app.js), static files cached as they are used, and an offline page for everything else.
const SHELL = "dvc-shell-v1";
const OFFLINE = { en: "/en/offline/", zh: "/offline/" };

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(Object.values(OFFLINE))).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

async function fromCache(request) {
  return caches.match(request, { ignoreVary: true });
}

async function page(request) {
  try {
    return await fetch(request);
  } catch (e) {
    const url = new URL(request.url);
    const hit = (await fromCache(request)) || (await caches.match(url.pathname, { ignoreVary: true }));
    if (hit) return hit;
    return caches.match(url.pathname.startsWith("/en/") ? OFFLINE.en : OFFLINE.zh);
  }
}

async function asset(request) {
  const hit = await fromCache(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && new URL(request.url).pathname.startsWith("/static/")) {
    const copy = response.clone();
    caches.open(SHELL).then((c) => c.put(request, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") event.respondWith(page(request));
  else if (/^\/(static|media)\//.test(url.pathname)) event.respondWith(asset(request));
});
