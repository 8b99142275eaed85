// "Save course for offline" on a course page: the download size first, then every page and file of
// the course into its own cache ("dvc-course-<id>"), which the service worker answers from when
// there is no network. Loaded by app.js on the course page only; the saved-courses list and
// removal live in app.js, which hands them over (this module imports nothing, so app.js is
// never evaluated twice).
const $ = (s, r = document) => r.querySelector(s);

export function offlineSave(box, { saved, setSaved, size, remove }) {
  const id = box.dataset.course, t = (k) => $(`template[data-t="${k}"]`, box).innerHTML;
  const msg = $("[data-msg]", box), btn = (a) => $(`[data-act="${a}"]`, box);
  let manifest = null;
  const show = () => {
    const s = saved()[id];
    btn("remove").hidden = !s;
    btn("size").hidden = !!s;
    msg.textContent = s ? t("saved").replace("{size}", size(s.bytes)) : "";
  };
  btn("size").onclick = async () => {
    try {
      manifest = await (await fetch(box.dataset.manifest, { credentials: "same-origin" })).json();
      msg.textContent = t("size").replace("{size}", size(manifest.bytes));
      btn("save").hidden = false;
    } catch (e) { msg.textContent = t("error"); }
  };
  btn("save").onclick = async () => {
    btn("save").hidden = true;
    msg.textContent = t("saving");
    try {
      const cache = await caches.open(`dvc-course-${id}`);
      await cache.addAll([...manifest.pages, ...manifest.media].map((x) => x.url));
      const s = saved();
      s[id] = { title: manifest.title, url: manifest.url, bytes: manifest.bytes };
      setSaved(s);
    } catch (e) { msg.textContent = t("error"); return; }
    show();
  };
  btn("remove").onclick = async () => { await remove(id); show(); };
  box.hidden = false;
  show();
}
