/* Live arrival notices (issue 19 §1): an EventSource on /arrivals/stream/ fills #arrival-pane.
   The browser reconnects by itself and sends Last-Event-ID; the server sends what was missed.
   Text only (textContent), never HTML from the server. */
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); } }
  ready(function () {
    var pane = document.getElementById("arrival-pane");
    if (!pane || !window.EventSource) { return; }
    var L = pane.dataset, shown = {};

    function el(tag, cls, text) {
      var e = document.createElement(tag);
      if (cls) { e.className = cls; }
      if (text !== undefined && text !== null) { e.textContent = String(text); }
      return e;
    }
    function row(list, label, value, cls) {
      if (value === "" || value === null || value === undefined) { return; }
      var li = el("li", cls || "");
      li.appendChild(el("span", "arrival-label", label + "："));
      li.appendChild(el("span", "arrival-value", value));
      list.appendChild(li);
    }
    function act(card, n, what) {
      var body = new URLSearchParams();
      body.set("act", what);
      card.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      fetch(L.act.replace(/0\/$/, n.id + "/"), {
        method: "POST", body: body, credentials: "same-origin",
        headers: {"X-CSRFToken": L.csrf, "X-Requested-With": "fetch"}
      }).then(function (r) { return r.json().then(function (j) { return {ok: r.ok, j: j}; }); })
        .then(function (res) {
          var status = card.querySelector(".arrival-status");
          status.textContent = res.ok ? (res.j.label + " · " + L.lDone) : (res.j.message || "");
          card.classList.add(res.ok ? "arrival-done" : "arrival-error");
          if (!res.ok) { card.querySelectorAll("button").forEach(function (b) { b.disabled = false; }); }
        });
    }
    function draw(n) {
      if (shown[n.id]) { return; }
      shown[n.id] = true;
      var card = el("article", "arrival-card");
      card.id = "arrival-notice-" + n.id;
      card.dataset.member = n.member;
      var head = el("header", "arrival-head");
      var who = el("a", "arrival-name", n.salutation || n.name);
      who.href = n.member_url;
      head.appendChild(el("span", "arrival-title", L.lTitle + " " + n.at));
      head.appendChild(who);
      head.appendChild(el("span", "arrival-sub", n.name + " · " + n.member_no + " · " + n.store + " " + n.point));
      var close = el("button", "arrival-close", "×");
      close.type = "button";
      close.title = L.lDismiss;
      close.addEventListener("click", function () { card.remove(); });
      head.appendChild(close);
      card.appendChild(head);
      var list = el("ul", "arrival-facts");
      row(list, L.lLevel, n.level);
      row(list, L.lOwner, n.owner);
      row(list, L.lLastVisit, n.last_visit);
      row(list, L.lSpend, n.spend_band ? "¥" + n.spend_band : "");
      if (n.birthday_in !== null && n.birthday_in !== undefined) {
        list.appendChild(el("li", "arrival-flag", n.birthday_in === 0 ? L.lBirthdayToday : L.lBirthday.replace("{n}", n.birthday_in)));
      }
      if (n.complaints) { row(list, L.lComplaints, n.complaints, "arrival-warn"); }
      if (n.tickets) { row(list, L.lTickets, n.tickets, "arrival-warn"); }
      if (n.care_tasks && n.care_tasks.length) { row(list, L.lTasks, n.care_tasks.join("、")); }
      row(list, L.lPreferred, n.preferred);
      row(list, L.lAvoid, n.avoid, "arrival-warn");
      row(list, L.lTold, n.audience);
      card.appendChild(list);
      var buttons = el("div", "arrival-actions");
      var greeted = el("button", "btn btn-small btn-primary arrival-greeted", L.lGreeted);
      var taken = el("button", "btn btn-small arrival-taken", L.lTaken);
      greeted.type = taken.type = "button";
      greeted.addEventListener("click", function () { act(card, n, "greeted"); });
      taken.addEventListener("click", function () { act(card, n, "taken"); });
      buttons.appendChild(greeted);
      buttons.appendChild(taken);
      buttons.appendChild(el("span", "arrival-status", ""));
      card.appendChild(buttons);
      if (n.state && n.state !== "new") { card.classList.add("arrival-done"); greeted.disabled = taken.disabled = true; }
      pane.insertBefore(card, pane.firstChild);
      pane.hidden = false;
    }
    var source = new EventSource(L.stream);
    source.addEventListener("arrival", function (e) { draw(JSON.parse(e.data)); });
    source.addEventListener("open", function () { pane.dataset.connected = "1"; });
    source.addEventListener("error", function () { pane.dataset.connected = "0"; });
  });
})();
