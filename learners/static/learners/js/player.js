// The lesson player: one step per screen, the Listen button (recording or the phone's own voice),
// instant quiz feedback from the key embedded in the page (works offline), progress events.
import { record } from "./app.js";

const $ = (s, r = document) => r.querySelector(s);
const lesson = $(".lesson-player");
const id = Number(lesson.dataset.lesson);
// Progress is recorded only for a signed-in learner enrolled in the course.
const records = lesson.dataset.records === "1";
const track = (kind, data) => (records ? record(id, kind, data) : Promise.resolve());
let readSent = false;
const markRead = () => { if (!readSent) { readSent = true; return track("read"); } return Promise.resolve(); };

track("opened");

// --- steps ---------------------------------------------------------------------------------------
const body = $("#lesson-body"), stepper = $(".stepper");
const steps = [...body.querySelectorAll(":scope > .step")];
const ends = [$("#quiz"), $("#finish")].filter(Boolean);
let current = 0;
function showStep(n) {
  current = Math.max(0, Math.min(n, steps.length));
  const atEnd = current === steps.length;
  steps.forEach((s, i) => { s.hidden = i !== current; });
  ends.forEach((e) => { e.hidden = !atEnd; });
  const label = $("[data-step-label]", stepper);
  label.textContent = label.dataset.stepLabel
    .replace("{n}", Math.min(current + 1, steps.length)).replace("{total}", steps.length);
  $('[data-step="-1"]', stepper).disabled = current === 0;
  $('[data-step="1"]', stepper).hidden = atEnd;
  if (atEnd) markRead();
}
if (steps.length > 1 && !location.search.includes("attempt=")) {
  stepper.addEventListener("click", (e) => {
    const b = e.target.closest("[data-step]");
    if (!b) return;
    stopListening();
    showStep(current + Number(b.dataset.step));
    (steps[current] || ends[0] || body).scrollIntoView({ block: "start" });
  });
  showStep(0);
  // From here the steps' `hidden` attributes decide; before, the page's CSS showed step 1 alone.
  lesson.classList.add("steps-ready");
}

// --- listen --------------------------------------------------------------------------------------
const listen = $("#listen"), audio = $("#narration"), speech = window.speechSynthesis;
const voiceLang = { "zh-hans": "zh-CN", en: "en-US" }[document.documentElement.lang] || "zh-CN";
const label = listen.textContent;
function setPlaying(on) {
  listen.setAttribute("aria-pressed", on ? "true" : "false");
  listen.textContent = on ? `■ ${listen.dataset.stop}` : label;
}
function stopListening() {
  if (audio) audio.pause();
  if (speech) speech.cancel();
  setPlaying(false);
}
// A phone's voice for the page's language (many cheap phones and the WeChat browser have none).
const voiceFor = () => (speech ? speech.getVoices() : [])
  .find((v) => (v.lang || "").replace("_", "-").toLowerCase().startsWith(voiceLang.slice(0, 2).toLowerCase()));
const noVoice = $("#no-voice");
function sayNoVoice() {
  setPlaying(false);
  noVoice.hidden = false;
  noVoice.scrollIntoView({ block: "nearest" });
}
$("#large-text").addEventListener("click", () => {
  document.documentElement.classList.add("large-text");
  noVoice.hidden = true;
});
// Listen is always offered: it plays the recording, reads aloud, or says why it cannot.
listen.hidden = false;
if (audio) audio.addEventListener("ended", () => setPlaying(false));
listen.addEventListener("click", () => {
  if (listen.getAttribute("aria-pressed") === "true") return stopListening();
  if (audio) {
    setPlaying(true);
    return audio.play().catch(() => setPlaying(false));
  }
  const voice = voiceFor();
  if (!voice) return sayNoVoice();
  setPlaying(true);
  const visible = steps.filter((s) => !s.hidden).map((s) => s.innerText).join("\n");
  const say = new SpeechSynthesisUtterance(visible || body.innerText);
  say.lang = voiceLang;
  say.voice = voice;
  say.onend = () => setPlaying(false);
  say.onerror = sayNoVoice;
  speech.speak(say);
});
if (audio && lesson.dataset.autoplay === "1") listen.click();

// --- quiz ----------------------------------------------------------------------------------------
const form = $("#quiz-form"), keyEl = $("#quiz-key");
const key = keyEl ? JSON.parse(keyEl.textContent) : null;
const text = (k) => $(`[data-k="${k}"]`, $("#quiz-text").content).textContent;
const chosen = (q) => [...q.querySelectorAll("input:checked")].map((i) => Number(i.value));
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

const after = (q) => $(`.question-after[data-for="${q.dataset.questionId}"]`);

function check(q) {
  const k = key.questions[q.dataset.questionId], picked = chosen(q), out = $(".feedback", after(q));
  if (!picked.length) { out.textContent = text("choose"); return null; }
  const right = same(picked, k.correct);
  const notes = picked.map((i) => k.feedback[i]).filter(Boolean);
  out.textContent = [right ? text("right") : text("wrong"), ...notes, k.explanation].filter(Boolean).join(" ");
  out.className = `feedback ${right ? "is-right" : "is-wrong"}`;
  return right;
}

if (form && key) {
  const questions = [...form.querySelectorAll("fieldset.question")];
  questions.forEach((q) => {
    const b = $(".check-answer", after(q));
    b.hidden = false;
    b.addEventListener("click", () => check(q));
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const answers = {};
    let right = 0;
    questions.forEach((q) => { answers[q.dataset.questionId] = chosen(q); if (check(q)) right += 1; });
    const score = Math.round((100 * right) / questions.length), passed = score >= key.pass;
    // The answers are on the phone before the result shows: a learner who reads "passed" and
    // closes the browser at once has not lost the pass (recording is a local write, no network).
    await markRead();
    await track("quiz", { answers });
    const result = $(".quiz-result", form);
    result.textContent = text(passed ? "pass" : "fail").replace("{s}", score);
    result.className = `quiz-result callout ${passed ? "callout--tip" : ""}`;
    if (passed && lesson.dataset.next && !$(".next-now", form)) {
      const next = document.createElement("a");
      next.href = lesson.dataset.next;
      next.className = "button button--block next-now";
      next.textContent = $(".lesson-nav a:last-child").textContent;
      result.after(next);
    }
  });
}

const finish = $("#finish");
if (finish) {
  finish.addEventListener("submit", async (e) => {
    if (!records) return;
    e.preventDefault();
    await markRead();
    location.href = lesson.dataset.next || $(".lesson-nav a:last-child").href;
  });
}
