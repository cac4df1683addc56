// Long work shows that it is working and cannot be started twice (issue 13, "Long work shows progress").
// A form is sent once: its submit button shows "正在处理…" with a spinner and ignores further presses until the
// next page. A link to a PDF, or one marked data-busy="正在生成…" (the archive), shows that text while the browser
// waits; a PDF that arrives as a download leaves the page where it is, so the link is usable again after 20 s.
// Coming back with the browser's back button (the page restored from its cache) makes the buttons usable again.
(function () {
  "use strict";
  function spinner(text) {
    return '<span class="spinner-border spinner-border-sm me-1" aria-hidden="true"></span>' + text;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.busyOff !== undefined) return;
    if (form.dataset.sent === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    var button = event.submitter || form.querySelector('[type="submit"]');
    if (button) {
      // Not `disabled`: a disabled button's name and value would not be sent with the form.
      button.dataset.sent = "1";
      button.dataset.label = button.innerHTML;
      button.classList.add("disabled");
      button.setAttribute("aria-disabled", "true");
      button.setAttribute("aria-busy", "true");
      button.innerHTML = spinner(button.dataset.busy || "正在处理…");
    }
    // An answer that is a download leaves this page in place: usable again after a while.
    setTimeout(function () {
      restore(form);
      if (button) restore(button);
    }, 20000);
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest('a[data-busy], a[href$=".pdf"], a[href*=".pdf?"]');
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || link.target === "_blank") return;
    if (link.dataset.sent === "1") {
      event.preventDefault();
      return;
    }
    link.dataset.sent = "1";
    link.dataset.label = link.innerHTML;
    link.classList.add("disabled");
    link.setAttribute("aria-busy", "true");
    link.innerHTML = spinner(link.dataset.busy || "正在生成…");
    setTimeout(function () { restore(link); }, 20000);
  });
  function restore(el) {
    el.removeAttribute("data-sent");
    if (el.dataset.label !== undefined) el.innerHTML = el.dataset.label;
    el.classList.remove("disabled");
    el.removeAttribute("aria-disabled");
    el.removeAttribute("aria-busy");
  }
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("[data-sent]").forEach(restore);
  });
})();
