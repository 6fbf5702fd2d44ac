// Progressive enhancement for the county upload forms; they work without it.
// An import runs while the request is open, so show that it is under way and
// stop a second click from sending the same files twice.
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.classList.contains("upload")) {
    return;
  }
  var bar = form.querySelector("progress");
  if (bar) {
    bar.hidden = false;
  }
  var button = form.querySelector("button[type=submit]");
  if (button) {
    button.disabled = true;
    button.textContent = "Uploading… this may take a while";
  }
});
