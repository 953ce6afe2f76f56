// Small touches on top of pages that work without JavaScript.
(function () {
  "use strict";

  // A form with data-confirm asks first (revoke, factory reset).
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // The owner switcher submits as soon as a company is picked.
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) {
      event.target.form.submit();
    }
  });

  // Copy buttons: data-copy names the element whose text is copied.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var text = document.querySelector(button.getAttribute("data-copy")).textContent.trim();
    navigator.clipboard.writeText(text).then(function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    });
  });

  // A button with data-clear empties the element it names (the backup codes' "Done").
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-clear]");
    if (button) document.querySelector(button.getAttribute("data-clear")).replaceChildren();
  });

  // A part that refreshes itself waits while someone uses it: while it holds what its
  // data-poll-hold names (a revealed PIN, an open form), or the focus is inside it on what its
  // data-poll-hold-focus names ("*": anything). htmx's trigger filters ("every 5s [...]") would
  // do this, but they need eval, which the Content-Security-Policy forbids.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var part = event.detail.elt;
    if (!(part instanceof Element)) return;
    var hold = part.getAttribute("data-poll-hold");
    var holdFocus = part.getAttribute("data-poll-hold-focus");
    var focused = document.activeElement;
    if ((hold && part.querySelector(hold)) ||
        (holdFocus && focused && focused !== part && part.contains(focused) && focused.matches(holdFocus))) {
      event.preventDefault();
    }
  });

  document.documentElement.classList.add("js");
})();
