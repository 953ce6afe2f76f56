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

  document.documentElement.classList.add("js");
})();

// The codes list refreshes itself, except while someone reads a PIN (it hides itself again
// after 30 seconds) or types in it.
function codesIdle() {
  var codes = document.getElementById("codes");
  if (!codes) return false;
  var typing = document.activeElement && document.activeElement.matches("input, select");
  return !codes.querySelector(".pin-revealed, details[open]") && !(typing && codes.contains(document.activeElement));
}

// A webhook's card refreshes itself while a delivery is about to go, except while someone edits
// it, reads its secret or is on one of its buttons.
function webhookIdle(id) {
  var card = document.getElementById(id);
  if (!card) return false;
  return !card.querySelector(".webhook-edit, .webhook-secret") && !card.contains(document.activeElement);
}
