// A table too wide for the screen scrolls sideways inside its own box (site.css). So that
// the keyboard can scroll it too, such a box takes the focus (tabindex=0) and, when it is a
// wrapper rather than the table itself, is named as a region after the table's caption or
// the heading above it. Without this script the page works the same; browsers that let
// the keyboard into any scrolling box (Chrome 130 and later, Firefox) need no help.
(function () {
  "use strict";

  function heading(box) {
    for (let node = box; node && node.tagName !== "MAIN"; node = node.parentElement) {
      for (let before = node.previousElementSibling; before; before = before.previousElementSibling) {
        if (/^H[1-6]$/.test(before.tagName)) {
          return before.textContent.trim();
        }
      }
    }
    return "";
  }

  function name(box) {
    const table = box.tagName === "TABLE" ? box : box.querySelector("table");
    const caption = table && table.querySelector("caption");
    const text = (caption && caption.textContent.trim()) || heading(box) || "Table";
    return text + " (scrolls sideways)";
  }

  function mark() {
    document.querySelectorAll("main .table-scroll, main table").forEach(function (box) {
      const scrolls = getComputedStyle(box).overflowX !== "visible" &&
        box.scrollWidth > box.clientWidth + 1;
      const ours = box.hasAttribute("data-scroll-box");
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-box", "");
        if (box.tagName !== "TABLE" && !box.hasAttribute("role")) {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", name(box));
        }
      } else if (!scrolls && ours) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-box");
        if (box.tagName !== "TABLE") {
          box.removeAttribute("role");
          box.removeAttribute("aria-label");
        }
      }
    });
  }

  let pending = 0;
  window.addEventListener("resize", function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(mark);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
})();
