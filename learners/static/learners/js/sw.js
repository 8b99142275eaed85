// Service worker: pages and media of courses saved for offline (caches "dvc-course-<id>", filled
// by app.js), static files cached as they are used, and an offline page for everything else.
// Installing fetches one thing: the offline page in the language of the page that registered it
// (the other language's is cached the first time a page in it loads). Decision 0136.
const SHELL = "dvc-shell-v2";
const OFFLINE = { en: "/en/offline/", zh: "/offline/" };
const offlineFor = (path) => (path.startsWith("/en/") ? OFFLINE.en : OFFLINE.zh);

async function keep(url) {
  const cache = await caches.open(SHELL);
  if (!(await cache.match(url))) await cache.add(url);
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const path = windows.length ? new URL(windows[0].url).pathname : "/";
    await keep(offlineFor(path));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => event.waitUntil((async () => {
  for (const name of await caches.keys()) if (name.startsWith("dvc-shell-") && name !== SHELL) await caches.delete(name);
  await self.clients.claim();
})()));

async function fromCache(request) {
  return caches.match(request, { ignoreVary: true });
}

async function page(event) {
  const { request } = event;
  const url = new URL(request.url);
  try {
    const response = await fetch(request);
    // A page in the other language loaded: its offline page is kept too, after this page.
    if (response.ok) event.waitUntil(keep(offlineFor(url.pathname)).catch(() => {}));
    return response;
  } catch (e) {
    const hit = (await fromCache(request)) || (await caches.match(url.pathname, { ignoreVary: true }));
    if (hit) return hit;
    return caches.match(offlineFor(url.pathname));
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
  if (request.mode === "navigate") event.respondWith(page(event));
  else if (/^\/(static|media)\//.test(url.pathname)) event.respondWith(asset(request));
});
