"use strict";
// Draws the shortlist from the page's JSON data block: a hundred rows at a time per section,
// each row's details (reasons, timeline strip) only when it is opened, so a page of 50,000
// candidates opens as fast as one of a hundred. Every value from the data is written as text
// (textContent, attribute values), never as markup.
(function () {
  var PAGE = 100, GROUP_PAGE = 20;
  var SVG = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var C = data.candidates, T = data.texts, S = data.strips;
  var n = C.id.length;
  var sections = document.getElementById("sections");
  var text = document.getElementById("filter-text");
  var status = document.getElementById("filter-status");
  var flag = document.getElementById("filter-flag");
  var grade = document.getElementById("filter-grade");
  var sortKey = document.getElementById("sort-key");
  var shown = document.getElementById("shown-count");
  var expandAll = document.getElementById("expand-all");
  var STATUS_RANK = { ok: 0, flagged: 1, pending: 2, upcoming: 3 };
  var COLUMNS = [
    { key: "rank", label: "#", type: "number", css: "num rank" },
    { key: "name", label: "Candidate", type: "text", css: "who" },
    { key: "status", label: "Status", type: "number" },
    { key: "score", label: "Score", type: "number", css: "num score" },
    { key: "grade", label: "Grade", type: "text", css: "grade-cell" },
    { key: null, label: "Flags", css: "flag-cell" },
    { key: "first", label: "First contact", type: "number", css: "num first" },
    { key: "speed", label: "Spd", title: "Speed 0–100", card: "Speed", type: "number", css: "num part" },
    { key: "persistence", label: "Pers", title: "Persistence 0–100", card: "Persistence", type: "number", css: "num part" },
    { key: "restraint", label: "Rest", title: "Restraint 0–100", card: "Restraint", type: "number", css: "num part" }
  ];
  if (data.optional.p_advance) { COLUMNS.push({ key: "p_advance", label: "P(adv.)", title: data.optional.p_advance, type: "number", css: "num p-advance" }); }
  if (data.optional.trend) { COLUMNS.push({ key: "trend", label: "Trend", type: "text", css: "trend" }); }
  if (data.optional.score_trail) { COLUMNS.push({ key: null, label: "Over time", title: data.optional.score_trail, css: "trail" }); }
  COLUMNS.push({ key: null, label: "Why", css: "reason" });

  function starts(counts) {
    var out = new Array(counts.length), sum = 0;
    for (var i = 0; i < counts.length; i++) { out[i] = sum; sum += counts[i]; }
    return out;
  }
  var reasonStart = starts(C.reason_count);
  var trailStart = C.trail_count ? starts(C.trail_count) : null;
  var flagsOf = {};
  function flagList(i) {
    var code = C.flags[i];
    if (!(code in flagsOf)) { flagsOf[code] = T[code].split(C.flag_separator).filter(Boolean); }
    return flagsOf[code];
  }
  var search = new Array(n);
  // A name, an id, or the interview list's own values (a job, a requisition) find a candidate.
  for (var s = 0; s < n; s++) {
    var words = C.id[s] + " " + (C.name[s] || "");
    for (var e = 0; e < data.extras.length; e++) { words += " " + T[C["extra:" + data.extras[e]][s]]; }
    search[s] = words.toLowerCase();
  }

  var state = { key: "rank", direction: "ascending", groupLimit: GROUP_PAGE, limits: {}, open: {}, allOpen: false };

  function value(i, key) {
    switch (key) {
      case "rank": return C.rank[i];
      case "name": return (C.name[i] || C.id[i]).toLowerCase();
      case "status": return STATUS_RANK[T[C.status[i]]];
      case "score": return C.score[i];
      case "grade": return T[C.grade[i]] || null;
      case "first": return C.first_hours[i];
      case "trend": return T[C.trend[i]] || null;
      default: return C[key][i];
    }
  }

  function matches(i) {
    var flags = flagList(i);
    if (status.value && T[C.status[i]] !== status.value) { return false; }
    if (flag.value === "__flagged" && !flags.length) { return false; }
    if (flag.value === "__none" && flags.length) { return false; }
    if (flag.value && flag.value.indexOf("__") !== 0 && flags.indexOf(flag.value) < 0) { return false; }
    var g = T[C.grade[i]];
    if (grade.value === "__none" && g) { return false; }
    if (grade.value && grade.value !== "__none" && g !== grade.value) { return false; }
    var needle = text.value.trim().toLowerCase();
    return !needle || search[i].indexOf(needle) >= 0;
  }

  function ordered(rows) {
    // Written in rank order: sorting by rank ascending keeps it. Blanks always go last.
    if (state.key === "rank" && state.direction === "ascending") { return rows; }
    var sign = state.direction === "ascending" ? 1 : -1;
    var keyed = rows.map(function (i) { return { i: i, v: value(i, state.key) }; });
    keyed.sort(function (a, b) {
      var an = a.v === null || a.v === undefined, bn = b.v === null || b.v === undefined;
      if (an || bn) { return (an - bn) || a.i - b.i; }
      if (a.v < b.v) { return -sign; }
      if (a.v > b.v) { return sign; }
      return a.i - b.i;
    });
    return keyed.map(function (k) { return k.i; });
  }

  function el(tag, css, content) {
    var node = document.createElement(tag);
    if (css) { node.className = css; }
    if (content !== undefined && content !== null) { node.textContent = content; }
    return node;
  }

  function fixed(x, digits) { return x === null || x === undefined ? "–" : x.toFixed(digits); }

  function firstText(i) {
    var hours = C.first_hours[i], day = C.first_day[i];
    if (hours === null) { return "none"; }
    if (day === 0) { return hours.toFixed(1) + " h (same day)"; }
    return (hours >= 48 ? (hours / 24).toFixed(1) + " d" : hours.toFixed(1) + " h") + " (day " + day + ")";
  }

  function windowText(i) {
    if (T[C.status[i]] === "upcoming") { return "opens after the interview"; }
    var closed = T[C.closed_by[i]];
    return T[C.anchor[i]] + " → " + T[C.window_end[i]] + (closed ? " (" + closed + ")" : "");
  }

  function sparkline(i) {
    var count = C.trail_count[i], start = trailStart[i];
    var values = C.trail.slice(start, start + count).filter(function (v) { return v !== null; });
    var box = el("span", "sparkline");
    if (!values.length) { box.textContent = "–"; return box; }
    var w = 72, h = 20, svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 " + w + " " + h);
    svg.setAttribute("width", w); svg.setAttribute("height", h);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "score over time: " + values.join(", "));
    var points = values.map(function (v, k) {
      var x = values.length === 1 ? w / 2 : 2 + k * (w - 4) / (values.length - 1);
      return x.toFixed(1) + "," + (h - 2 - (Math.max(0, Math.min(100, v)) / 100) * (h - 4)).toFixed(1);
    });
    var line = document.createElementNS(SVG, "polyline");
    line.setAttribute("points", points.join(" "));
    line.setAttribute("class", "spark");
    svg.appendChild(line);
    var title = document.createElementNS(SVG, "title");
    title.textContent = values.join(" → ");
    svg.appendChild(title);
    box.appendChild(svg);
    return box;
  }

  function cell(row, column, content) {
    var td = el("td", column.css || "");
    td.setAttribute("data-label", column.card || column.title || column.label);
    if (content !== undefined) { if (typeof content === "string") { td.textContent = content; } else { td.appendChild(content); } }
    row.appendChild(td);
    return td;
  }

  function summaryRow(i, detailId) {
    var row = el("tr", "summary-row");
    var toggle = el("td", "col-toggle");
    var button = el("button", "toggle");
    button.type = "button";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", detailId);
    button.title = "Show reasons and timeline";
    button.appendChild(el("span", null, "▸")).setAttribute("aria-hidden", "true");
    button.appendChild(el("span", "visually-hidden", "Details for " + C.id[i]));
    toggle.appendChild(button);
    row.appendChild(toggle);
    COLUMNS.forEach(function (column) {
      var label = column.label;
      if (label === "#") { cell(row, column, C.rank[i] === null ? "–" : String(C.rank[i])); }
      else if (label === "Candidate") {
        var who = document.createDocumentFragment();
        who.appendChild(el("span", "cand-name", C.name[i] || C.id[i]));
        who.appendChild(document.createTextNode(" "));
        who.appendChild(el("span", "cand-id", C.id[i]));
        cell(row, column, who);
      } else if (label === "Status") {
        var code = T[C.status[i]];
        cell(row, column, el("span", "status status-" + code, data.status_labels[code] || code));
      } else if (label === "Score") { cell(row, column, fixed(C.score[i], 1)); }
      else if (label === "Grade") {
        var g = T[C.grade[i]];
        var badge = g ? el("span", "grade grade-" + g, g) : el("span", "muted", "–");
        var gradeCell = cell(row, column, badge);
        if (C.capped[i]) {
          var mark = el("span", "capped", "capped");
          var earned = T[C.score_grade[i]];
          mark.title = "The flags cap this grade below what the score alone earns" + (earned ? " (" + earned + ")" : "");
          gradeCell.appendChild(mark);
        }
      } else if (label === "Flags") {
        var td = cell(row, column);
        flagList(i).forEach(function (f) {
          var b = el("span", "badge flag-" + f, data.flag_labels[f] || f);
          b.title = f;
          td.appendChild(b);
        });
      } else if (label === "First contact") { cell(row, column, firstText(i)); }
      else if (column.key === "speed" || column.key === "persistence" || column.key === "restraint") {
        cell(row, column, fixed(C[column.key][i], 0));
      } else if (column.key === "p_advance") {
        cell(row, column, C.p_advance[i] === null ? "–" : Math.round(C.p_advance[i] * 100) + "%");
      } else if (column.key === "trend") { cell(row, column, T[C.trend[i]] || "–"); }
      else if (column.css === "trail") { cell(row, column, sparkline(i)); }
      else { cell(row, column, T[C.reason[i]]); }
    });
    return row;
  }

  function svgNode(tag, attributes, parent) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attributes).forEach(function (k) { node.setAttribute(k, attributes[k]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function titled(node, words) {
    svgNode("title", {}, node).textContent = words;
    return node;
  }

  function pad2(x) { return (x < 10 ? "0" : "") + x; }

  function strip(i) {
    var geometry = data.strip, width = geometry.width, height = geometry.height, axis = geometry.axis;
    var figure = el("figure", "strip");
    var svg = svgNode("svg", { "class": "timeline", viewBox: "0 0 " + width + " " + height,
                               width: width, height: height, role: "img",
                               "aria-label": "Timeline of " + (C.name[i] || C.id[i]) }, figure);
    var lo = S.lo[i], hi = S.hi[i], scale = S.scale[i];
    if (S.window_end[i] !== null) {
      titled(svgNode("rect", { "class": "window", x: S.anchor[i], y: 4, width: (S.window_end[i] - S.anchor[i]).toFixed(1),
                               height: axis * 2 - 8 }, svg), "follow-up window");
    }
    for (var d = Math.ceil(lo); d <= hi; d++) {
      var x = +(geometry.pad + (d - lo) * scale).toFixed(1), major = d % 7 === 0;
      svgNode("line", { "class": major ? "tick-major" : "tick", x1: x, x2: x, y1: 4, y2: axis * 2 - 4 }, svg);
      if (major) {
        // A label at the right edge is right-aligned so that it is not cut off.
        var edge = x > width - geometry.pad - 20;
        svgNode("text", { "class": "tick-label" + (edge ? " edge" : ""), x: x, y: height - 3 }, svg).textContent = "day " + d;
      }
    }
    svgNode("line", { "class": "axis", x1: geometry.pad, x2: width - geometry.pad, y1: axis, y2: axis }, svg);
    titled(svgNode("line", { "class": "anchor", x1: S.anchor[i], x2: S.anchor[i], y1: 4, y2: axis * 2 - 4 }, svg),
           "end of the interview");
    titled(svgNode("line", { "class": "deadline", x1: S.deadline[i], x2: S.deadline[i], y1: 4, y2: axis * 2 - 4 }, svg),
           "end of day " + data.no_contact_days + ": no contact by then is NO_CONTACT");
    for (var k = S.start[i]; k < S.start[i] + S.count[i]; k++) {
      var roles = T[S.roles[k]];
      titled(svgNode("path", { "class": "mark", d: data.shapes[S.shape[k]],
                               transform: "translate(" + S.x[k] + " " + S.y[k] + ")",
                               fill: data.fills[S.fill[k]], "fill-opacity": S.faded[k] ? 0.35 : 1 }, svg),
             "day " + S.day[k] + " " + pad2(Math.floor(S.minute[k] / 60)) + ":" + pad2(S.minute[k] % 60) + " · "
             + T[S.what[k]] + (roles ? " — " + roles : ""));
    }
    var caption = el("figcaption", null, "Candidate's messages above the line, the employer's below; faded marks " +
                     "did not count (outside the window or not follow-up).");
    if (S.left_out[i]) {
      caption.appendChild(el("span", "left-out", " " + S.left_out[i] + " events are not drawn (off the strip's days, or more than " +
                             data.timeline_limit + " on one strip)."));
    }
    caption.appendChild(document.createTextNode(" Full story: "));
    caption.appendChild(el("code", null, "followup explain " + C.id[i] + " …"));
    figure.appendChild(caption);
    return figure;
  }

  function detailContent(i) {
    var box = el("div", "detail");
    var words = el("div", "detail-text");
    var contacts = C.contacts[i] || 0;
    var channels = T[C.channels[i]];
    words.appendChild(el("p", "facts", "Interview " + T[C.interview[i]] + " · follow-up window " + windowText(i) + " · "
                         + contacts + " contact" + (contacts === 1 ? "" : "s") + (channels ? " by " + channels : "")));
    if (data.extras.length) {
      var list = el("dl", "extras");
      data.extras.forEach(function (column) {
        var v = T[C["extra:" + column][i]];
        if (!v) { return; }
        list.appendChild(el("dt", null, column.replace(/_/g, " ")));
        list.appendChild(el("dd", null, v));
      });
      words.appendChild(list);
    }
    var reasons = el("ul", "reasons");
    for (var r = reasonStart[i]; r < reasonStart[i] + C.reason_count[i]; r++) { reasons.appendChild(el("li", null, T[C.reasons[r]])); }
    words.appendChild(reasons);
    if (data.optional.top_factors && T[C.top_factors[i]]) {
      words.appendChild(el("p", "factors", data.optional.top_factors + ": " + T[C.top_factors[i]]));
    }
    box.appendChild(words);
    if (S.has[i]) { box.appendChild(strip(i)); }
    return box;
  }

  function setOpen(body, i, open) {
    var detail = body.querySelector("tr.detail-row");
    if (open && !detail.firstChild.firstChild) { detail.firstChild.appendChild(detailContent(i)); }
    detail.hidden = !open;
    body.querySelector("button.toggle").setAttribute("aria-expanded", open ? "true" : "false");
    body.classList.toggle("open", open);
    if (open) { state.open[i] = true; } else { delete state.open[i]; }
  }

  function candidateBody(i) {
    var body = el("tbody", "candidate");
    body.setAttribute("data-id", C.id[i]);
    body.setAttribute("data-status", T[C.status[i]]);
    var detailId = "detail-" + i;
    body.appendChild(summaryRow(i, detailId));
    var detail = el("tr", "detail-row");
    detail.id = detailId;
    detail.hidden = true;
    var td = el("td");
    td.colSpan = COLUMNS.length + 1;
    detail.appendChild(td);
    body.appendChild(detail);
    var button = body.querySelector("button.toggle");
    button.addEventListener("click", function (event) {
      event.stopPropagation();
      setOpen(body, i, button.getAttribute("aria-expanded") !== "true");
    });
    body.querySelector("tr.summary-row").addEventListener("click", function () { button.click(); });
    if (state.allOpen || state.open[i]) { setOpen(body, i, true); }
    return body;
  }

  function header() {
    var head = el("thead"), row = el("tr");
    var toggle = el("th", "col-toggle");
    toggle.scope = "col";
    toggle.appendChild(el("span", "visually-hidden", "Details"));
    row.appendChild(toggle);
    COLUMNS.forEach(function (column) {
      var th = el("th", column.css || "");
      th.scope = "col";
      if (column.key) {
        th.setAttribute("data-key", column.key);
        var button = el("button", null, column.label);
        button.type = "button";
        if (column.title) { button.title = column.title; }
        if (state.key === column.key) { th.setAttribute("aria-sort", state.direction); }
        button.addEventListener("click", function () {
          var next = state.key === column.key && state.direction === "ascending" ? "descending" : "ascending";
          state.key = column.key; state.direction = next;
          sortKey.value = column.key;
          render();
        });
        th.appendChild(button);
      } else {
        th.textContent = column.label;
      }
      row.appendChild(th);
    });
    head.appendChild(row);
    return head;
  }

  function countsLine(all) {
    var by = { ok: 0, flagged: 0, pending: 0, upcoming: 0 }, withFlags = 0;
    all.forEach(function (i) { by[T[C.status[i]]] += 1; if (flagList(i).length) { withFlags += 1; } });
    return all.length + " candidates: " + by.ok + " OK, " + by.flagged + " flagged, " + by.pending + " pending, "
      + by.upcoming + " upcoming; " + withFlags + " with flags";
  }

  function section(group, rows, all) {
    var box = el("section", "group");
    if (group !== null) {
      box.setAttribute("data-group", group);
      var title = el("h3", "group-title");
      title.appendChild(el("span", "group-column", data.group_by.replace(/_/g, " ") + ": "));
      title.appendChild(document.createTextNode(group));
      box.appendChild(title);
      box.appendChild(el("p", "group-counts", countsLine(all)));
    }
    var limitKey = group === null ? "" : group;
    var limit = state.limits[limitKey] || PAGE;
    var wrap = el("div", "table-wrap");
    var table = el("table", "ranked");
    if (group === null) { table.id = "shortlist"; }
    table.appendChild(header());
    rows.slice(0, limit).forEach(function (i) { table.appendChild(candidateBody(i)); });
    wrap.appendChild(table);
    box.appendChild(wrap);
    if (!rows.length) { box.appendChild(el("p", "empty", "No candidate here matches the filters.")); }
    if (rows.length > limit) {
      var more = el("p", "more");
      more.appendChild(el("span", null, "Showing " + limit + " of " + rows.length + ". "));
      var next = el("button", "link-button show-more", "Show " + Math.min(PAGE * 5, rows.length - limit) + " more");
      next.type = "button";
      next.addEventListener("click", function () { state.limits[limitKey] = limit + PAGE * 5; render(); });
      more.appendChild(next);
      var rest = el("button", "link-button show-all", "Show all " + rows.length);
      rest.type = "button";
      rest.addEventListener("click", function () { state.limits[limitKey] = rows.length; render(); });
      more.appendChild(document.createTextNode(" · "));
      more.appendChild(rest);
      box.appendChild(more);
    }
    return box;
  }

  function render() {
    var rows = [];
    for (var i = 0; i < n; i++) { if (matches(i)) { rows.push(i); } }
    rows = ordered(rows);
    var fragment = document.createDocumentFragment();
    if (C.group) {
      var order = [], byGroup = {}, allByGroup = {};
      for (var j = 0; j < n; j++) {
        var g = T[C.group[j]];
        if (!(g in allByGroup)) { allByGroup[g] = []; byGroup[g] = []; order.push(g); }
        allByGroup[g].push(j);
      }
      rows.forEach(function (r) { byGroup[T[C.group[r]]].push(r); });
      order.slice(0, state.groupLimit).forEach(function (g) { fragment.appendChild(section(g, byGroup[g], allByGroup[g])); });
      if (order.length > state.groupLimit) {
        var more = el("p", "more");
        var next = el("button", "link-button show-more-groups", "Show the other " + (order.length - state.groupLimit) + " groups");
        next.type = "button";
        next.addEventListener("click", function () { state.groupLimit = order.length; render(); });
        more.appendChild(next);
        fragment.appendChild(more);
      }
    } else {
      fragment.appendChild(section(null, rows, null));
    }
    sections.textContent = "";
    sections.appendChild(fragment);
    shown.textContent = rows.length + " of " + n + " candidates";
  }

  function filtersChanged() { state.limits = {}; render(); }
  [status, flag, grade].forEach(function (select) { select.addEventListener("change", filtersChanged); });
  text.addEventListener("input", filtersChanged);
  sortKey.addEventListener("change", function () {
    state.key = sortKey.value;
    // Numbers people want high first, names and ranks in reading order.
    state.direction = ["score", "speed", "persistence", "restraint", "p_advance"].indexOf(state.key) >= 0 ? "descending" : "ascending";
    render();
  });
  document.getElementById("filters").addEventListener("reset", function () {
    setTimeout(function () { state.key = "rank"; state.direction = "ascending"; filtersChanged(); }, 0);
  });
  document.getElementById("filters").addEventListener("submit", function (event) { event.preventDefault(); });
  document.getElementById("print").addEventListener("click", function () { window.print(); });
  expandAll.addEventListener("click", function () {
    state.allOpen = expandAll.textContent === "Expand all";
    if (!state.allOpen) { state.open = {}; }
    expandAll.textContent = state.allOpen ? "Collapse all" : "Expand all";
    render();
  });
  render();
}());
