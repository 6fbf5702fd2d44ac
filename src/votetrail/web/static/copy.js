// Copy buttons next to hashes (templates/_words.html); the value stays selectable without it.
"use strict";
document.addEventListener("click", function (event) {
  var button = event.target;
  if (!(button instanceof HTMLButtonElement) || !button.classList.contains("copy")) {
    return;
  }
  var text = button.getAttribute("data-copy") || "";
  if (navigator.clipboard) {
    navigator.clipboard.writeText(text).then(function () {
      button.textContent = "Copied";
    });
  }
});
