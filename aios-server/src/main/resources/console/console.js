// aios console: the CSRF header for htmx requests, and keyboard shortcuts. Pages work without it.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  document.addEventListener("htmx:configRequest", function (event) {
    if (csrf) {
      event.detail.headers["X-CSRF-Token"] = csrf.content;
    }
  });
  // htmx swaps only successful answers. An editor's check shows its problem in place; a live
  // refresh that fails keeps what the page shows.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status >= 400 && event.detail.xhr.status !== 401 && target && target.hasAttribute("data-show-problems")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Whether the page is live: the event stream is open (pages still read and act without it).
  function live(state, text) {
    document.documentElement.dataset.live = state;
    var shown = document.getElementById("live-status");
    if (shown) { shown.textContent = text; }
  }
  document.addEventListener("htmx:sseOpen", function () { live("open", "Live: this page updates by itself."); });
  document.addEventListener("htmx:sseError", function () { live("lost", "Reconnecting… (reload if this stays)"); });

  function cards() {
    return Array.prototype.slice.call(document.querySelectorAll(".task-card"));
  }
  function selected() {
    return document.querySelector(".task-card.selected") || (document.activeElement && document.activeElement.closest && document.activeElement.closest(".task-card"));
  }
  function select(card) {
    cards().forEach(function (c) { c.classList.remove("selected"); });
    if (card) {
      card.classList.add("selected");
      card.focus();
      card.scrollIntoView({ block: "nearest" });
    }
  }
  function move(step) {
    var all = cards();
    if (!all.length) { return; }
    var at = all.indexOf(selected());
    select(all[Math.max(0, Math.min(all.length - 1, at < 0 ? 0 : at + step))]);
  }
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  var pendingG = false;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var key = event.key;
    if (pendingG) {
      pendingG = false;
      var to = { i: "/", r: "/runs", c: "/costs", p: "/playbooks", m: "/memory", h: "/status" }[key];
      if (to) { window.location.href = to; event.preventDefault(); }
      return;
    }
    var card = selected();
    var form;
    switch (key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "g": pendingG = true; break;
      case "?": toggleHelp(); break;
      case "Escape": var help = document.getElementById("shortcuts"); if (help) { help.hidden = true; } break;
      case "a":
        form = card ? card.querySelector('form[data-answer="approve"]') : document.querySelector('form[data-answer="approve"]');
        if (form) { form.requestSubmit(); }
        break;
      case "e":
        var edit = card ? card.querySelector('[data-answer="edit"]') : document.getElementById("edit-text");
        if (edit) { edit.tagName === "A" ? edit.click() : edit.focus(); }
        break;
      case "r":
        var reason = (card || document).querySelector('form[data-answer="reject"] input[name="reason"]');
        if (reason) { reason.focus(); }
        break;
      case "Enter":
        if (card && card === document.activeElement) {
          var link = card.querySelector("h3 a");
          if (link) { link.click(); }
        }
        return;
      default: return;
    }
    event.preventDefault();
  });
  function toggleHelp() {
    var help = document.getElementById("shortcuts");
    if (help) {
      help.hidden = !help.hidden;
      if (!help.hidden) { help.querySelector("button").focus(); }
    }
  }
  document.addEventListener("click", function (event) {
    if (event.target.matches("[data-close-shortcuts]")) { toggleHelp(); }
  });
})();
