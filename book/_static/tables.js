/* Interactive long tables, written for this book and shipped with it (no request leaves
   the page). A table rendered by alliance_meta.figures.tables.show(..., interactive=True)
   gets a search box over all cells, a filter for each column with few distinct values,
   sortable column headers (numbers sort as numbers, empty cells last) and a count of the
   rows shown. */
(function () {
  "use strict";

  function cellText(row, i) {
    return row.cells[i] ? row.cells[i].textContent.trim() : "";
  }

  function asNumber(text) {
    if (text === "") return null;
    var m = text.replace(/\u2212/g, "-").match(/^[<>]?\s*(-?\d*\.?\d+(?:e-?\d+)?)/i);
    return m ? parseFloat(m[1]) : null;
  }

  function pair(label, control) {
    var span = document.createElement("span");
    span.className = "am-control";
    span.appendChild(label);
    span.appendChild(control);
    return span;
  }

  function enhance(box, serial) {
    var table = box.querySelector("table");
    var body = table.tBodies[0];
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var rows = Array.prototype.slice.call(body.rows);
    var name = box.getAttribute("aria-label") || "table";

    var bar = document.createElement("div");
    bar.className = "am-table-controls";
    var searchId = "am-search-" + serial;
    var label = document.createElement("label");
    label.setAttribute("for", searchId);
    label.textContent = "Search the table";
    var search = document.createElement("input");
    search.type = "search";
    search.id = searchId;
    search.setAttribute("aria-controls", box.id);
    bar.appendChild(pair(label, search));

    var filters = [];
    heads.forEach(function (th, i) {
      var values = {};
      rows.forEach(function (r) { values[cellText(r, i)] = true; });
      var keys = Object.keys(values).filter(function (v) { return v !== ""; }).sort();
      if (th.classList.contains("am-num") || keys.length < 2 || keys.length > 12) return;
      var id = "am-filter-" + serial + "-" + i;
      var l = document.createElement("label");
      l.setAttribute("for", id);
      l.textContent = th.textContent;
      var sel = document.createElement("select");
      sel.id = id;
      sel.setAttribute("aria-controls", box.id);
      var all = document.createElement("option");
      all.value = "";
      all.textContent = "all";
      sel.appendChild(all);
      keys.forEach(function (k) {
        var o = document.createElement("option");
        o.value = k;
        o.textContent = k;
        sel.appendChild(o);
      });
      bar.appendChild(pair(l, sel));
      filters.push({ column: i, select: sel });
    });

    var count = document.createElement("p");
    count.className = "am-table-count";
    count.setAttribute("aria-live", "polite");

    function update() {
      var q = search.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (r) {
        var ok = !q || r.textContent.toLowerCase().indexOf(q) !== -1;
        filters.forEach(function (f) {
          if (ok && f.select.value !== "" && cellText(r, f.column) !== f.select.value) ok = false;
        });
        r.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = shown + " of " + rows.length + " rows shown";
    }
    search.addEventListener("input", update);
    filters.forEach(function (f) { f.select.addEventListener("change", update); });

    heads.forEach(function (th, i) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "am-sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var up = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        var numeric = th.classList.contains("am-num");
        rows.sort(function (a, b) {
          var x = cellText(a, i), y = cellText(b, i);
          if (x === "" || y === "") return (x === "") - (y === "");
          var c = numeric ? asNumber(x) - asNumber(y) : x.localeCompare(y, undefined, { numeric: true });
          return up ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });

    box.parentNode.insertBefore(bar, box);
    box.parentNode.insertBefore(count, box.nextSibling);
    box.classList.add("am-table-scroll");
    update();
  }

  function init() {
    var boxes = document.querySelectorAll('div.am-table[data-interactive="true"]');
    Array.prototype.forEach.call(boxes, function (box, n) {
      if (!box.id) box.id = "am-table-" + (n + 1);
      enhance(box, n + 1);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
