// The partner counter page: find a member, record a benefit use and take points (card or e-card only)
// through the partner API, with the counter key kept in this tab's sessionStorage
// (vipdesk/partners/api/counter_page.py).
(function () {
  "use strict";
  var root = document.getElementById("counter");
  if (!root) { return; }
  var t = function (name) { return root.getAttribute("data-t-" + name) || ""; };
  var keyInput = document.getElementById("counter-key");
  var keyState = document.getElementById("counter-key-state");
  var error = document.getElementById("lookup-error");
  var current = null;

  function key() { return window.sessionStorage.getItem("vipdesk-partner-key") || ""; }
  function showKey() { keyState.textContent = key() ? "✓ " + key().slice(0, 11) + "…" : ""; }
  function fail(message) { error.textContent = message; error.hidden = false; }

  function call(path, body) {
    if (!key()) { return Promise.reject(new Error(t("nokey"))); }
    return fetch("/api/v1/partner/" + path, {
      method: "POST", credentials: "omit",
      headers: {"Authorization": "Bearer " + key(), "Content-Type": "application/json", "Accept-Language": document.documentElement.lang},
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          var fields = data.fields || {};
          var first = Object.keys(fields).length ? fields[Object.keys(fields)[0]][0] : "";
          throw new Error(first || data.message || t("failed"));
        }
        return data;
      }, function () { throw new Error(t("failed")); });
    });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function benefitRow(b) {
    var box = el("div", "panel benefit-offer");
    box.id = "offer-" + b.code;
    var title = el("h3", "", b.name);
    box.appendChild(title);
    var facts = [];
    // "9.50" → "9.5折": the rate as people say it; the counts inside their sentence ("本月剩余 3 次")
    if (b.discount) { facts.push(t("discount").replace("{d}", String(parseFloat(b.discount)))); }
    facts.push(t("pervisit").replace("{n}", b.per_visit));
    facts.push(b.remaining_this_month === null ? t("nolimit") : t("left").replace("{n}", b.remaining_this_month));
    box.appendChild(el("p", "muted", facts.join(" · ")));
    var form = el("form", "inline-form");
    var ref = el("input"); ref.type = "text"; ref.placeholder = t("ref"); ref.className = "use-ref"; ref.setAttribute("aria-label", t("ref"));
    var amount = el("input"); amount.type = "text"; amount.placeholder = t("amount"); amount.className = "use-amount"; amount.inputMode = "decimal";
    amount.setAttribute("aria-label", t("amount"));
    var go = el("button", "btn btn-primary use-go", t("use")); go.type = "submit";
    var note = el("span", "use-note");
    form.appendChild(ref); form.appendChild(amount); form.appendChild(go); form.appendChild(note);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      error.hidden = true;
      var body = {member: current, code: b.code, reference: ref.value.trim()};
      if (amount.value.trim()) { body.amount = amount.value.trim(); }
      call("uses/", body).then(function (data) {
        note.textContent = data.replayed ? t("replayed") : t("done");
        note.className = "use-note badge badge-ok";
        lookup();
      }).catch(function (e) { fail(e.message); });
    });
    box.appendChild(form);
    return box;
  }

  function lookup() {
    return call("members/lookup/", {member: current}).then(function (data) {
      document.getElementById("member-name").textContent = data.name;
      document.getElementById("member-level").textContent = t("level") + ":" + (data.level || "—");
      var list = document.getElementById("member-benefits");
      while (list.firstChild) { list.removeChild(list.firstChild); }
      if (!data.benefits.length) { list.appendChild(el("p", "empty", t("none"))); }
      data.benefits.forEach(function (b) { list.appendChild(benefitRow(b)); });
      document.getElementById("member").hidden = false;
    });
  }

  document.getElementById("redeem-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var wrong = document.getElementById("redeem-error"), note = document.getElementById("redeem-note");
    var raw = document.getElementById("redeem-points").value.trim();
    wrong.hidden = true;
    note.textContent = "";
    // the API decides: by mobile it refuses (member_present_required), the message shows beside the form
    call("redemptions/", {member: current, reference: document.getElementById("redeem-ref").value.trim(),
                          points: /^[0-9]+$/.test(raw) ? Number(raw) : raw}).then(function (data) {
      note.textContent = data.replayed ? t("replayed") : t("paid") + " " + data.points;
      note.className = "badge badge-ok";
    }).catch(function (e) { wrong.textContent = e.message; wrong.hidden = false; });
  });
  document.getElementById("counter-key-save").addEventListener("click", function () {
    window.sessionStorage.setItem("vipdesk-partner-key", keyInput.value.trim());
    keyInput.value = "";
    showKey();
  });
  document.getElementById("lookup-form").addEventListener("submit", function (event) {
    event.preventDefault();
    error.hidden = true;
    document.getElementById("member").hidden = true;
    document.getElementById("redeem-error").hidden = true;
    document.getElementById("redeem-note").textContent = "";
    current = {};
    current[document.getElementById("lookup-kind").value] = document.getElementById("lookup-value").value.trim();
    lookup().catch(function (e) { fail(e.message); });
  });
  showKey();
}());
