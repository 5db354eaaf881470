/* guard audit HTML report: review and manager views. Plain JavaScript, no network.
 *
 * Review: each finding of the evidence table is marked 违规 / 不违规 (a second
 * click takes the mark back); all findings of one key (rule, normalized term,
 * shop) share the mark. "下载基线" saves the baseline the page started from
 * (embedded as JSON by guard) with the marks applied: `--baseline FILE` reads it.
 * Findings marked 不违规 are summed up by rule and term as candidate
 * allow-list entries for the merchant's lexicon folder.
 *
 * Tables with class "sortable" sort by a click on a heading; a table with a
 * filter box (input[data-filter=TABLE_ID]) shows only the rows that contain
 * every word typed.
 */
(function () {
  "use strict";
  var LABELS = { pending: "待复核", violation: "违规", not_violation: "不违规" };
  var source = document.getElementById("guard-baseline");
  var baseline = source ? JSON.parse(source.textContent) : null;
  var byKey = {};
  if (baseline) {
    baseline.entries.forEach(function (entry) { byKey[entry.key] = entry; });
  }
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.finding"));

  function reviewOf(key) {
    var entry = byKey[key];
    return entry ? entry.review : "pending";
  }

  function paint() {
    var counts = { pending: 0, violation: 0, not_violation: 0 };
    rows.forEach(function (row) {
      var review = reviewOf(row.getAttribute("data-key"));
      row.setAttribute("data-review", review);
      counts[review] += 1;
      row.querySelectorAll("button[data-review]").forEach(function (button) {
        button.setAttribute("aria-pressed",
          button.getAttribute("data-review") === review ? "true" : "false");
      });
    });
    var shown = document.getElementById("review-counts");
    if (shown) {
      shown.textContent = "本页证据 " + rows.length + " 条：" + LABELS.violation + " " +
        counts.violation + "，" + LABELS.not_violation + " " + counts.not_violation + "，" +
        LABELS.pending + " " + counts.pending + "。";
    }
    candidates();
  }

  function candidates() {
    var table = document.getElementById("allow-candidates");
    var toml = document.getElementById("allow-toml");
    if (!table || !toml) { return; }
    var groups = {};
    var order = [];
    rows.forEach(function (row) {
      if (row.getAttribute("data-review") !== "not_violation") { return; }
      var id = row.getAttribute("data-rule") + "\u0000" + row.getAttribute("data-term");
      if (!groups[id]) {
        groups[id] = { rule: row.getAttribute("data-rule-label"), term: row.getAttribute("data-term"),
                       count: 0, phrases: [] };
        order.push(id);
      }
      var group = groups[id];
      group.count += 1;
      var phrase = row.getAttribute("data-phrase");
      if (phrase && group.phrases.indexOf(phrase) < 0) { group.phrases.push(phrase); }
    });
    while (table.rows.length > 1) { table.deleteRow(1); }
    var phrases = [];
    order.forEach(function (id) {
      var group = groups[id];
      var row = table.insertRow(-1);
      [group.rule, group.term, String(group.count), group.phrases.join("、")].forEach(
        function (value, index) {
          var cell = row.insertCell(-1);
          cell.textContent = value;
          if (index === 2) { cell.className = "num"; }
        });
      group.phrases.forEach(function (phrase) {
        if (phrases.indexOf(phrase) < 0) { phrases.push(phrase); }
      });
    });
    toml.textContent = phrases.length ?
      "[[allow]]\nnote = \"复核时标为不违规的说法\"\nphrases = [" +
      phrases.map(function (p) { return JSON.stringify(p); }).join(", ") + "]\n" :
      "（还没有标为不违规的发现）";
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-review]") : null;
    if (!button) { return; }
    var row = button.closest("tr.finding");
    var key = row.getAttribute("data-key");
    var wanted = button.getAttribute("data-review");
    if (!byKey[key]) {
      byKey[key] = { key: key, rule: row.getAttribute("data-rule"),
                     shop: key.split("|").slice(2).join("|"), review: "pending", findings: 0 };
    }
    byKey[key].review = byKey[key].review === wanted ? "pending" : wanted;
    paint();
  });

  var download = document.getElementById("download-baseline");
  if (download) {
    download.addEventListener("click", function () {
      var entries = Object.keys(byKey).sort().map(function (key) { return byKey[key]; });
      var text = JSON.stringify({ kind: "guard-baseline", version: 1, entries: entries }, null, 2);
      var blob = new Blob([text + "\n"], { type: "application/json" });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "guard-baseline.json";
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    });
  }

  /* ------------------------------------------------------------ sortable, filterable */

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) { return ""; }
    var text = cell.getAttribute("data-sort") || cell.textContent.trim();
    var number = parseFloat(text.replace(/[,%]/g, ""));
    return /^-?[\d.,%]+$/.test(text) && !isNaN(number) ? number : text;
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    var head = table.rows[0];
    Array.prototype.forEach.call(head.cells, function (th, index) {
      th.style.cursor = "pointer";
      th.title = "点击排序";
      th.addEventListener("click", function () {
        var body = Array.prototype.slice.call(table.rows, 1);
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(head.cells, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        body.sort(function (a, b) {
          var x = cellValue(a, index);
          var y = cellValue(b, index);
          var order = typeof x === "number" && typeof y === "number" ? x - y :
            String(x).localeCompare(String(y), "zh-CN");
          return ascending ? order : -order;
        });
        body.forEach(function (row) { row.parentNode.appendChild(row); });
      });
    });
  });

  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    if (!table) { return; }
    input.addEventListener("input", function () {
      var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      Array.prototype.slice.call(table.rows, 1).forEach(function (row) {
        var text = row.textContent.toLowerCase();
        row.style.display = words.every(function (word) { return text.indexOf(word) >= 0; }) ?
          "" : "none";
      });
    });
  });

  paint();
}());
