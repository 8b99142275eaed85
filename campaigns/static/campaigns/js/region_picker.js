// Region picker: suggest places of the officer's region by name, shown as their full path
// (省 › 市 › 县 › 乡 › 村). The chosen path is what the form receives; the server resolves it.
(function () {
  "use strict";
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.dataset.regionSearch;
    var timer = null;
    var last = "";
    input.addEventListener("input", function () {
      var text = input.value.split("›").pop().trim();
      if (!text || text === last || !list) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        last = text;
        var sep = url.indexOf("?") === -1 ? "?" : "&";
        fetch(url + sep + "q=" + encodeURIComponent(text), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            list.replaceChildren.apply(list, data.results.map(function (item) {
              var option = document.createElement("option");
              option.value = item.label;
              option.label = item.code;
              return option;
            }));
          })
          .catch(function () {});
      }, 200);
    });
  }
  function init() {
    document.querySelectorAll("input[data-region-search]").forEach(attach);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
