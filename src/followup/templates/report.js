"use strict";
// Sorting, filtering and expanding the shortlist. Each candidate is one <tbody> (its summary
// row and its detail row), so moving a tbody keeps the pair together.
(function () {
  var table = document.getElementById("shortlist");
  var bodies = Array.prototype.slice.call(table.querySelectorAll("tbody.candidate"));
  var headers = Array.prototype.slice.call(table.querySelectorAll("thead th[data-key]"));
  var text = document.getElementById("filter-text");
  var status = document.getElementById("filter-status");
  var flag = document.getElementById("filter-flag");
  var grade = document.getElementById("filter-grade");
  var shown = document.getElementById("shown-count");
  var expandAll = document.getElementById("expand-all");

  function value(body, key, type) {
    var raw = body.getAttribute("data-" + key) || "";
    if (type === "number") {
      return raw === "" ? null : parseFloat(raw);
    }
    return raw === "" ? null : raw.toLowerCase();
  }

  function sortBy(header, direction) {
    var key = header.getAttribute("data-key");
    var type = header.getAttribute("data-type");
    var sign = direction === "ascending" ? 1 : -1;
    var keyed = bodies.map(function (body, index) {
      return { body: body, value: value(body, key, type), index: index };
    });
    keyed.sort(function (a, b) {
      // Blanks (no score, no grade) always go last, whatever the direction.
      if (a.value === null || b.value === null) {
        return (a.value === null) - (b.value === null) || a.index - b.index;
      }
      if (a.value < b.value) { return -sign; }
      if (a.value > b.value) { return sign; }
      return a.index - b.index;
    });
    keyed.forEach(function (item) { table.appendChild(item.body); });
    bodies = keyed.map(function (item) { return item.body; });
    headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", direction);
  }

  headers.forEach(function (header) {
    header.querySelector("button").addEventListener("click", function () {
      var next = header.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
      sortBy(header, next);
    });
  });

  function matches(body) {
    var flags = (body.getAttribute("data-flags") || "").split(" ").filter(Boolean);
    var wantedFlag = flag.value;
    if (status.value && body.getAttribute("data-status") !== status.value) { return false; }
    if (wantedFlag === "__flagged" && !flags.length) { return false; }
    if (wantedFlag === "__none" && flags.length) { return false; }
    if (wantedFlag && wantedFlag.indexOf("__") !== 0 && flags.indexOf(wantedFlag) < 0) { return false; }
    if (grade.value === "__none" && body.getAttribute("data-grade")) { return false; }
    if (grade.value && grade.value !== "__none" && body.getAttribute("data-grade") !== grade.value) { return false; }
    var needle = text.value.trim().toLowerCase();
    return !needle || (body.getAttribute("data-search") || "").indexOf(needle) >= 0;
  }

  function applyFilters() {
    var count = 0;
    bodies.forEach(function (body) {
      var keep = matches(body);
      body.hidden = !keep;
      count += keep ? 1 : 0;
    });
    shown.textContent = count + " of " + bodies.length + " candidates";
  }

  [status, flag, grade].forEach(function (select) { select.addEventListener("change", applyFilters); });
  text.addEventListener("input", applyFilters);
  document.getElementById("filters").addEventListener("reset", function () { setTimeout(applyFilters, 0); });
  document.getElementById("filters").addEventListener("submit", function (event) { event.preventDefault(); });

  function setOpen(body, open) {
    var button = body.querySelector("button.toggle");
    body.querySelector("tr.detail-row").hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    body.classList.toggle("open", open);
  }

  bodies.forEach(function (body) {
    var button = body.querySelector("button.toggle");
    button.addEventListener("click", function (event) {
      event.stopPropagation();
      setOpen(body, button.getAttribute("aria-expanded") !== "true");
    });
    body.querySelector("tr.summary-row").addEventListener("click", function () { button.click(); });
  });

  expandAll.addEventListener("click", function () {
    var open = expandAll.textContent === "Expand all";
    bodies.forEach(function (body) { if (!body.hidden) { setOpen(body, open); } });
    expandAll.textContent = open ? "Collapse all" : "Expand all";
  });
}());
