// The trainer's tick list keeps working offline (issue 20, decision 0114).
// Without this script, and online with nothing waiting, each "Tick as present" button posts its
// form as before. Offline (or while earlier ticks still wait), a tick is kept in localStorage
// with its own UUID (the attendance row's id on the server), the page shows
// how many ticks wait, and they are sent to the JSON sync endpoint when the phone is online,
// retried with back-off while posts fail. The endpoint is idempotent, so a replay changes nothing.
(function () {
  "use strict";
  var table = document.getElementById("roster");
  var status = document.getElementById("tick-sync");
  if (!table || !status || !window.localStorage || !window.JSON) return;
  var url = table.getAttribute("data-sync-url");
  var key = "dvc-ticks-" + table.getAttribute("data-session");
  var pendingText = status.getAttribute("data-pending");
  var syncedText = status.getAttribute("data-synced");
  var waitingMark = status.getAttribute("data-waiting-mark");
  var tokenInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var token = tokenInput ? tokenInput.value : "";
  var delay = 1000;
  var timer = null;
  var sending = false;

  function load() {
    try {
      return JSON.parse(localStorage.getItem(key) || "[]");
    } catch (e) {
      return [];
    }
  }
  function save(ticks) {
    localStorage.setItem(key, JSON.stringify(ticks));
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function mark(learner, text) {
    var row = table.querySelector('tr[data-learner="' + learner + '"]');
    if (!row) return;
    var cell = row.querySelector("td:last-child");
    cell.textContent = text;
  }
  function render() {
    var ticks = load();
    ticks.forEach(function (t) { mark(t.learner, waitingMark); });
    if (ticks.length) {
      status.textContent = pendingText.replace("{n}", String(ticks.length));
      status.hidden = false;
    } else if (!status.hidden) {
      status.textContent = syncedText;
    }
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(flush, delay);
    delay = Math.min(delay * 2, 60000);
  }
  function flush() {
    var ticks = load();
    render();
    if (!ticks.length || sending) return;
    if (navigator.onLine === false) return; // the "online" event calls flush again
    sending = true;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ ticks: ticks }),
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (answer) {
        var done = {};
        (answer.accepted || []).forEach(function (id) { done[id] = true; });
        Object.keys(answer.refused || {}).forEach(function (id) { done[id] = true; });
        ticks.forEach(function (t) { if (done[t.id]) mark(t.learner, "✓"); });
        save(load().filter(function (t) { return !done[t.id]; }));
        delay = 1000;
        sending = false;
        render();
      })
      .catch(function () {
        sending = false;
        later();
      });
  }

  table.addEventListener("submit", function (event) {
    var form = event.target;
    var learner = form.querySelector("input[name=learner]");
    if (!learner) return;
    var ticks = load();
    // Online with nothing waiting: the ordinary form post (the server's page and messages).
    if (navigator.onLine !== false && !ticks.length) return;
    event.preventDefault();
    if (!ticks.some(function (t) { return t.learner === learner.value; })) {
      ticks.push({ id: uuid(), learner: learner.value, at: new Date().toISOString() });
      save(ticks);
    }
    flush();
  });
  window.addEventListener("online", function () { delay = 1000; flush(); });
  flush();
})();
