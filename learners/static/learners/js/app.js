// Every learner page: the offline queue of progress events, "N waiting to sync", the courses saved
// for offline use, and the service worker. What only one page uses (saving a course, certificates
// being made) is a module of its own, loaded by that page only (decision 0180). Everything here is
// an enhancement: pages work without.
const DB = "dvc", STORE = "events", SAVED = "dvc-saved";
const $ = (s, r = document) => r.querySelector(s);

function db() {
  return new Promise((ok, fail) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id" });
    req.onsuccess = () => ok(req.result);
    req.onerror = () => fail(req.error);
  });
}

function tx(mode, fn) {
  return db().then((d) => new Promise((ok, fail) => {
    const t = d.transaction(STORE, mode), out = fn(t.objectStore(STORE));
    t.oncomplete = () => ok(out && out.result);
    t.onerror = () => fail(t.error);
  }));
}

const all = () => tx("readonly", (s) => s.getAll());
const drop = (ids) => tx("readwrite", (s) => ids.forEach((id) => s.delete(id)));

function csrf() {
  const m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

function post(events) {
  return fetch("/api/progress/", {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
    body: JSON.stringify({ events }),
  });
}

async function showPending() {
  const el = $("#sync-status");
  if (!el) return;
  let n = 0;
  try { n = (await all()).length; } catch (e) { n = 0; }
  el.hidden = n === 0;
  el.textContent = n === 1 ? el.dataset.one : (el.dataset.many || "").replace("{n}", n);
}

let flushing = null, backoff = 0, retryTimer = null;
// After a server error (5xx, 429) or a network failure: try again later, waiting twice as long
// each time (2 s … 5 min, with jitter) until a batch goes through.
function retryLater() {
  backoff = Math.min(backoff ? backoff * 2 : 2000, 300000);
  clearTimeout(retryTimer);
  retryTimer = setTimeout(flush, backoff * (0.75 + Math.random() / 2));
}

// An event the server refused for good is dropped from the queue and the learner is told why.
function showRejected(reason) {
  const el = $("#sync-rejected");
  if (!el) return;
  el.textContent = (el.dataset.text || "{reason}").replace("{reason}", reason || "");
  el.hidden = false;
}

// Send what is queued, oldest first, 100 at a time. A rejected event (the server names it) is
// dropped so it cannot block the rest; a network or server failure keeps everything and retries.
// A batch whose response was lost is simply sent again: the server answers 200 and counts the
// events it already had as duplicates.
export function flush() {
  if (flushing) return flushing;
  clearTimeout(retryTimer);
  flushing = (async () => {
    let events = (await all()).sort((a, b) => a.at.localeCompare(b.at));
    while (events.length && navigator.onLine !== false) {
      const batch = events.slice(0, 100);
      let res;
      try { res = await post(batch); } catch (e) { retryLater(); break; }
      if (res.ok) {
        backoff = 0;
        await drop(batch.map((e) => e.id));
        document.dispatchEvent(new CustomEvent("dvc:synced", { detail: await res.json() }));
      } else if (res.status === 400) {
        const err = await res.json().catch(() => ({}));
        const bad = batch[err.index] || batch.find((e) => e.lesson === err.lesson);
        // Not one event at fault (the batch itself was refused): none of it can ever be saved.
        await drop(bad ? [bad.id] : batch.map((e) => e.id));
        showRejected(err.error);
        document.dispatchEvent(new CustomEvent("dvc:rejected", { detail: err }));
      } else if (res.status >= 500 || res.status === 429) {
        retryLater();
        break;
      } else break; // signed out (403): kept until the learner signs in again
      events = (await all()).sort((a, b) => a.at.localeCompare(b.at));
    }
  })().catch(() => {}).finally(() => { flushing = null; showPending(); });
  return flushing;
}

// Queue one progress event (made with a fresh UUID) and try to send it straight away.
export async function record(lesson, kind, data = {}) {
  const event = { id: crypto.randomUUID ? crypto.randomUUID() : uuid(), lesson, kind,
    at: new Date().toISOString(), data };
  try {
    await tx("readwrite", (s) => s.put(event));
  } catch (e) {
    // No IndexedDB (some in-app browsers): send directly, without making the caller wait.
    post([event]).catch(() => {});
    return event;
  }
  await showPending();
  flush();
  return event;
}

function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// --- saving courses for offline ----------------------------------------------------------------
const saved = () => JSON.parse(localStorage.getItem(SAVED) || "{}");
const setSaved = (v) => localStorage.setItem(SAVED, JSON.stringify(v));
const size = (b) => b > 1048576 ? `${(b / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(b / 1024))} KB`;

async function remove(id) {
  await caches.delete(`dvc-course-${id}`);
  const s = saved(); delete s[id]; setSaved(s);
}

function savedList(section) {
  const list = $("ul", section), label = $("template", section).innerHTML;
  const draw = () => {
    const s = saved();
    list.textContent = "";
    Object.entries(s).forEach(([id, c]) => {
      const li = document.createElement("li"), a = document.createElement("a"),
        b = document.createElement("button");
      a.href = c.url; a.textContent = `${c.title} (${size(c.bytes)})`; a.className = "tap";
      b.type = "button"; b.className = "button button--secondary"; b.textContent = label;
      b.onclick = async () => { await remove(id); draw(); };
      li.append(a, " ", b); list.append(li);
    });
    section.hidden = !Object.keys(s).length;
  };
  draw();
}

// The offline page links the shell's style sheet instead of inlining it again (the worker fetches
// that page on the first visit): every page puts the copy it has inlined into the worker's cache,
// under the style sheet's address, where the worker finds it when the offline page asks for it.
async function keepShellStyle(style) {
  const cache = await caches.open("dvc-shell-v2"), url = style.dataset.href;
  if (!(await cache.match(url))) {
    await cache.put(url, new Response(style.textContent, { headers: { "Content-Type": "text/css" } }));
  }
}

const helpers = { saved, setSaved, size, remove };
const boxes = document.querySelectorAll(".offline-save");
const certificates = document.querySelectorAll(".my-certificates");
if (certificates.length) {
  import("./certificates.js").then((m) => certificates.forEach((s) => m.watchCertificates(s)));
}
if ("caches" in window && "serviceWorker" in navigator) {
  // What needs the worker (saving a course) takes its space from the first paint, unseen until
  // now: showing it shifts nothing (decision 0200).
  document.documentElement.classList.add("js-sw");
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  const style = $("#shell-css");
  if (style) keepShellStyle(style).catch(() => {});
  if (boxes.length) import("./offline-save.js").then((m) => boxes.forEach((b) => m.offlineSave(b, helpers)));
  document.querySelectorAll(".saved-courses").forEach(savedList);
} else {
  boxes.forEach((box) => { box.hidden = true; });
}
if ("indexedDB" in window) {
  window.addEventListener("online", flush);
  showPending();
  flush();
}
