// My learning: a certificate being made is swapped in when it is ready, without a reload. Loaded
// by app.js on that page only.
export function watchCertificates(section, wait = 3000) {
  if (!section.querySelector("[data-state=pending]") || wait > 60000) return;
  setTimeout(async () => {
    try {
      const res = await fetch(location.href, { credentials: "same-origin" });
      const fresh = new DOMParser().parseFromString(await res.text(), "text/html")
        .querySelector(".my-certificates");
      if (fresh) { section.replaceWith(fresh); section = fresh; }
    } catch (e) { /* offline: try again later */ }
    watchCertificates(section, wait * 1.5);
  }, wait);
}
