/* vipdesk till (cashier screen): add and remove line / payment rows, line amount = unit price ×
   quantity, totals, and a look-up of the member before posting. Plain JS, no framework, no CDN.
   Money is handled in fen (integers) so 0.1 + 0.2 stays 0.30. The server checks everything again. */
(function () {
  "use strict";
  var form = document.querySelector("[data-pos-sale]");
  if (!form) { return; }

  function toFen(text) {
    var s = String(text || "").trim().replace(/[,，¥￥\s]/g, "");
    if (!/^\d+(\.\d{0,2})?$/.test(s)) { return null; }
    var parts = s.split(".");
    var frac = ((parts[1] || "") + "00").slice(0, 2);
    return parseInt(parts[0], 10) * 100 + parseInt(frac, 10);
  }
  function fromFen(fen) {
    var neg = fen < 0; fen = Math.abs(fen);
    var yuan = Math.floor(fen / 100), cents = String(fen % 100);
    return (neg ? "-" : "") + yuan + "." + (cents.length < 2 ? "0" + cents : cents);
  }
  function show(fen) {
    if (fen === null) { return "—"; }
    return "¥" + fromFen(fen).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  // ---- rows ------------------------------------------------------------------------------
  function totalInput(prefix) { return form.querySelector("#id_" + prefix + "-TOTAL_FORMS"); }

  function addRow(prefix) {
    var tpl = document.getElementById(prefix + "-template");
    var body = form.querySelector("[data-rows='" + prefix + "']");
    var total = totalInput(prefix);
    if (!tpl || !body || !total) { return null; }
    var index = parseInt(total.value, 10) || 0;
    var html = tpl.innerHTML.replace(/__prefix__/g, String(index));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var rows = body.querySelectorAll("[data-row]");
    var row = rows[rows.length - 1];
    prepare(row);
    return row;
  }

  function clearRow(row) {
    row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
    row.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
    row.querySelectorAll(".field-error").forEach(function (p) { p.remove(); });
  }

  // Django formsets need contiguous indexes: a removed row is emptied and hidden, and the server
  // ignores rows left empty.
  function removeRow(row) {
    var body = row.parentNode;
    var visible = Array.prototype.filter.call(body.querySelectorAll("[data-row]"), function (r) { return !r.hidden; });
    clearRow(row);
    if (visible.length > 1) { row.hidden = true; }
    var note = row.nextElementSibling;
    if (note && note.classList.contains("row-error-note")) { note.remove(); }
    recalc();
  }

  function prepare(row) {
    var method = row.querySelector("[data-role='pay-method']");
    if (method) { togglePoints(row); }
  }

  function togglePoints(row) {
    var method = row.querySelector("[data-role='pay-method']");
    var points = row.querySelector("[data-role='pay-points']");
    if (!method || !points) { return; }
    var cell = points.closest("td");
    var isPoints = method.value === "points";
    points.disabled = !isPoints;
    if (!isPoints) { points.value = ""; }
    if (cell) { cell.classList.toggle("is-off", !isPoints); }
  }

  // ---- arithmetic ------------------------------------------------------------------------
  function lineRows() { return form.querySelectorAll("[data-rows='lines'] [data-row]"); }
  function payRows() { return form.querySelectorAll("[data-rows='payments'] [data-row]"); }

  function recalcLine(row) {
    var price = toFen(row.querySelector("[data-role='unit-price']").value);
    var qtyText = String(row.querySelector("[data-role='quantity']").value || "").trim();
    var amount = row.querySelector("[data-role='line-amount']");
    if (amount.dataset.manual === "1") { return; }
    if (price !== null && /^\d+$/.test(qtyText)) {
      amount.value = fromFen(price * parseInt(qtyText, 10));
    }
  }

  function recalc() {
    var lines = 0, linesOk = true, any = false;
    lineRows().forEach(function (row) {
      if (row.hidden) { return; }
      var v = row.querySelector("[data-role='line-amount']").value;
      if (!String(v).trim()) { return; }
      any = true;
      var fen = toFen(v);
      if (fen === null) { linesOk = false; } else { lines += fen; }
    });
    var linesTotal = document.getElementById("lines-total");
    if (linesTotal) { linesTotal.textContent = any && linesOk ? show(lines) : "—"; }

    var paid = 0, payOk = true, payAny = false, filledPayRows = [];
    payRows().forEach(function (row) {
      if (row.hidden) { return; }
      var input = row.querySelector("[data-role='pay-amount']");
      if (String(input.value).trim()) {
        payAny = true;
        var fen = toFen(input.value);
        if (fen === null) { payOk = false; } else { paid += fen; }
      }
      filledPayRows.push(row);
    });
    // One payment row: it pays the whole lines total unless the cashier typed another amount.
    if (filledPayRows.length === 1 && any && linesOk) {
      var only = filledPayRows[0].querySelector("[data-role='pay-amount']");
      if (only.dataset.manual !== "1") {
        only.value = fromFen(lines);
        paid = lines; payAny = true; payOk = true;
      }
    }
    var payTotal = document.getElementById("payments-total");
    if (payTotal) { payTotal.textContent = payAny && payOk ? show(paid) : "—"; }
    var amountPaid = form.querySelector("[data-role='amount-paid']");
    if (amountPaid && amountPaid.dataset.manual !== "1" && payAny && payOk) {
      amountPaid.value = fromFen(paid);
    }
  }

  form.addEventListener("input", function (event) {
    var target = event.target;
    var role = target.getAttribute("data-role");
    if (role === "line-amount" || role === "pay-amount" || role === "amount-paid") {
      target.dataset.manual = String(target.value).trim() ? "1" : "";
    }
    if (role === "unit-price" || role === "quantity") {
      recalcLine(target.closest("[data-row]"));
    }
    if (role) { recalc(); }
  });
  form.addEventListener("change", function (event) {
    if (event.target.getAttribute("data-role") === "pay-method") {
      togglePoints(event.target.closest("[data-row]"));
    }
  });
  form.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      event.preventDefault();
      var row = addRow(add.getAttribute("data-add-row"));
      var first = row && row.querySelector("input, select");
      if (first) { first.focus(); }
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      event.preventDefault();
      removeRow(remove.closest("[data-row]"));
    }
  });
  // Enter in a field moves on instead of posting half a receipt; the button posts.
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.target.tagName !== "INPUT") { return; }
    event.preventDefault();
    if (event.target.id === "id_member_value") { lookup(); return; }
    var fields = Array.prototype.filter.call(form.querySelectorAll("input:not([type=hidden]), select"), function (el) {
      return !el.disabled && !el.closest("[hidden]");
    });
    var next = fields[fields.indexOf(event.target) + 1];
    if (next) { next.focus(); }
  });

  // ---- member look-up --------------------------------------------------------------------
  var button = document.getElementById("member-lookup");
  var preview = document.getElementById("member-preview");
  function lookup() {
    if (!button || !preview) { return; }
    var value = form.querySelector("#id_member_value").value.trim();
    var by = form.querySelector("#id_member_by").value;
    preview.className = "member-preview";
    if (!value) { preview.textContent = ""; return; }
    var url = button.getAttribute("data-url") + "?by=" + encodeURIComponent(by) + "&value=" + encodeURIComponent(value);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        preview.textContent = "";
        if (!data.found) {
          preview.classList.add("is-bad");
          preview.textContent = data.text;
          return;
        }
        var parts = [data.name || data.text, data.member_no, data.tier].filter(Boolean);
        var strong = document.createElement("strong");
        strong.textContent = parts.join(" · ");
        preview.appendChild(strong);
        preview.appendChild(document.createTextNode(" " + (preview.dataset.availableLabel || "") + " " + Number(data.available).toLocaleString("en-US")));
        if (data.warning) {
          preview.classList.add("is-bad");
          var warn = document.createElement("span");
          warn.className = "preview-warning";
          warn.textContent = " " + data.warning;
          preview.appendChild(warn);
        } else {
          preview.classList.add("is-ok");
        }
      })
      .catch(function () { preview.textContent = ""; });
  }
  if (button) { button.addEventListener("click", lookup); }

  payRows().forEach(prepare);
  // A form that comes back with an error shows what was posted: the amounts are not computed again.
  if (form.querySelector(".field-error, .pos-error") || document.getElementById("pos-error")) {
    form.querySelectorAll("[data-role='pay-amount'], [data-role='amount-paid']").forEach(function (input) {
      if (String(input.value).trim()) { input.dataset.manual = "1"; }
    });
  }
  // Amounts typed by hand (different from unit price × quantity) are kept when the page comes back.
  lineRows().forEach(function (row) {
    var amount = row.querySelector("[data-role='line-amount']");
    if (!amount || !String(amount.value).trim()) { return; }
    var price = toFen(row.querySelector("[data-role='unit-price']").value);
    var qty = String(row.querySelector("[data-role='quantity']").value || "").trim();
    var typed = toFen(amount.value);
    if (price === null || !/^\d+$/.test(qty) || typed !== price * parseInt(qty, 10)) { amount.dataset.manual = "1"; }
  });
  recalc();
})();
