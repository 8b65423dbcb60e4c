// Allot dashboard: shows a series' count while the operator types its
// start and end. The server computes it with the rules that will judge
// "Add series" (GET /dashboard/count); this script holds no rule of its
// own. Without it the page works the same, and the count appears after
// submitting.
(function () {
  "use strict";
  var form = document.getElementById("allot-form");
  var out = document.getElementById("count");
  if (!form || !out || !window.fetch) {
    return;
  }
  var start = form.elements.start;
  var end = form.elements.end;
  var url = form.getAttribute("data-count-url");
  var timer = 0;
  var latest = 0;

  function show(text, valid) {
    out.textContent = text;
    out.setAttribute("data-valid", valid ? "true" : "false");
  }

  function update() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var s = start.value.trim();
      var e = end.value.trim();
      var ask = ++latest;
      if (s === "" || e === "") {
        show("\u2014", false);
        return;
      }
      var q = "?start=" + encodeURIComponent(s) + "&end=" + encodeURIComponent(e);
      window.fetch(url + q, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          if (ask !== latest) {
            return; // an older answer arriving late
          }
          show(j.valid ? j.count : (j.message || ""), j.valid);
        })
        .catch(function () { /* the count shows after submitting */ });
    }, 150);
  }

  start.addEventListener("input", update);
  end.addEventListener("input", update);
})();
