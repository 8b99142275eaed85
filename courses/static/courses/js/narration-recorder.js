// "录音 / Record" next to every audio chooser in the page editor (lesson narration, audio clips,
// steps and questions). Records from the microphone (MediaRecorder), lets the trainer listen back,
// record again or keep the take; keeping uploads it as an audio item (stored as the phone
// rendition, docs/decisions/0080-audio-renditions.md) and chooses it in the field.
(() => {
  const configElement = document.getElementById("narration-recorder-config");
  if (!configElement || !window.MediaRecorder || !navigator.mediaDevices) return;
  const config = JSON.parse(configElement.textContent);
  const text = config.text;

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function preferredType() {
    const types = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4", "audio/webm"];
    return types.find((type) => MediaRecorder.isTypeSupported(type)) || "";
  }

  function button(label, name) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = "button button-small button-secondary";
    element.dataset[name] = "";
    element.textContent = label;
    return element;
  }

  function choose(chooser, input, media) {
    input.value = media.id;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    chooser.querySelectorAll("[data-chooser-title], .chosen .title").forEach((title) => {
      title.textContent = media.title;
    });
    const edit = chooser.querySelector("[data-chooser-edit-link]");
    if (edit) {
      edit.href = media.edit_url;
      edit.removeAttribute("hidden");
      edit.classList.remove("w-hidden");
    }
    chooser.classList.remove("blank");
  }

  function attach(chooser) {
    if (chooser.dataset.recorderAttached) return;
    const input = document.getElementById(chooser.id.replace(/-chooser$/, ""));
    if (!input) return;
    chooser.dataset.recorderAttached = "1";

    const box = document.createElement("div");
    box.className = "dvc-recorder";
    box.style.cssText = "display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin-top:.5rem";
    const start = button(text.record, "recorderStart");
    const stop = button(text.stop, "recorderStop");
    const redo = button(text.again, "recorderAgain");
    const keep = button(text.keep, "recorderKeep");
    keep.className = "button button-small";
    const player = document.createElement("audio");
    player.controls = true;
    player.dataset.recorderPlayback = "";
    const status = document.createElement("p");
    status.className = "help";
    status.style.flexBasis = "100%";
    status.setAttribute("role", "status");
    status.dataset.recorderStatus = "";
    box.append(start, stop, player, redo, keep, status);
    chooser.after(box);

    let recorder = null;
    let take = null;
    let timer = null;
    const show = (...visible) => {
      for (const element of [start, stop, player, redo, keep]) {
        element.hidden = !visible.includes(element);
        // The admin's .button rule sets display, which would override [hidden].
        element.style.display = element.hidden ? "none" : "";
      }
    };
    show(start);

    async function record() {
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch (error) {
        status.textContent = text.no_microphone;
        return;
      }
      const chunks = [];
      const type = preferredType();
      recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
      recorder.addEventListener("dataavailable", (event) => {
        if (event.data.size) chunks.push(event.data);
      });
      recorder.addEventListener("stop", () => {
        stream.getTracks().forEach((track) => track.stop());
        clearInterval(timer);
        take = new Blob(chunks, { type: recorder.mimeType || type || "audio/webm" });
        if (player.src) URL.revokeObjectURL(player.src);
        player.src = URL.createObjectURL(take);
        status.textContent = text.listen;
        show(player, redo, keep);
      });
      const started = Date.now();
      recorder.start(1000);
      show(stop);
      status.textContent = text.recording.replace("%s", "0:00");
      timer = setInterval(() => {
        const seconds = Math.round((Date.now() - started) / 1000);
        const clock = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
        status.textContent = text.recording.replace("%s", clock);
      }, 500);
    }

    async function upload() {
      if (!take) return;
      keep.disabled = redo.disabled = true;
      status.textContent = text.uploading;
      const extension = take.type.includes("ogg") ? "ogg" : take.type.includes("mp4") ? "m4a" : "webm";
      const data = new FormData();
      data.append("audio", take, `recording.${extension}`);
      const titleInput = document.querySelector("#id_title");
      if (titleInput && titleInput.value) data.append("title", titleInput.value);
      try {
        const response = await fetch(config.url, {
          method: "POST",
          body: data,
          headers: { "X-CSRFToken": csrfToken() },
          credentials: "same-origin",
        });
        const answer = await response.json();
        if (!response.ok) throw new Error(answer.error || text.failed);
        choose(chooser, input, answer);
        status.textContent = answer.message;
        show(start);
        take = null;
      } catch (error) {
        status.textContent = error.message || text.failed;
      } finally {
        keep.disabled = redo.disabled = false;
      }
    }

    start.addEventListener("click", record);
    stop.addEventListener("click", () => recorder && recorder.state !== "inactive" && recorder.stop());
    redo.addEventListener("click", record);
    keep.addEventListener("click", upload);
  }

  function scan(root) {
    root.querySelectorAll(".chooser[data-chooser-url*='/chooser/audio/']").forEach(attach);
  }

  scan(document);
  new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      mutation.addedNodes.forEach((node) => {
        if (node.nodeType === Node.ELEMENT_NODE) scan(node.parentElement || node);
      });
    }
  }).observe(document.body, { childList: true, subtree: true });
})();
