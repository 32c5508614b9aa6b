/* What the page itself must do for keyboard and screen-reader users, beyond the widgets.
 *
 * 1. A slider's handles are drawn by the noUiSlider library as <div role="slider"> elements
 * that carry no name, so a screen reader announces "slider" and a number. The slider's own
 * description (its <label>) is the name they should have: "Check-ins" for a one-handle
 * slider, "Check-ins, from" and "Check-ins, to" for a range.
 *
 * 2. A region that scrolls (the page's main area, or a widget box whose content is wider or
 * taller than the box) must be reachable with the keyboard, or its hidden part cannot be
 * scrolled into view without a mouse. Where such a region holds no control that could take
 * the focus (a slide on the presenter view shown in a small window), it gets tabindex="0";
 * once it no longer scrolls, that is taken back. Regions with controls get nothing: Tab
 * already scrolls them, and no stop is added to the Tab order.
 *
 * Widgets are drawn and redrawn at any time, so the page is watched: its elements, its size,
 * the size of its content (an image that loads makes it taller without a new element), and
 * each change is handled once per animation frame.
 */
(function () {
  "use strict";
  if (window.rrA11y) { return; }
  window.rrA11y = true;
  var queued = false;

  function nameHandles() {
    var sliders = document.querySelectorAll(".widget-slider");
    Array.prototype.forEach.call(sliders, function (slider) {
      var label = slider.querySelector(".widget-label");
      var name = label ? label.textContent.trim() : "";
      var handles = slider.querySelectorAll(".noUi-handle[role='slider']");
      Array.prototype.forEach.call(handles, function (handle, i) {
        var wanted = name || "Value";
        if (handles.length === 2) { wanted += i === 0 ? ", from" : ", to"; }
        if (handle.getAttribute("aria-label") !== wanted) {
          handle.setAttribute("aria-label", wanted);
        }
      });
    });
  }

  var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])";
  var MARK = "data-rr-scroller";

  function scrolls(el) {
    var y = el.scrollHeight > el.clientHeight + 1, x = el.scrollWidth > el.clientWidth + 1;
    if (!x && !y) { return false; }  // most boxes: no style to read
    var style = window.getComputedStyle(el);
    return (y && /auto|scroll/.test(style.overflowY)) || (x && /auto|scroll/.test(style.overflowX));
  }

  function reachable(el) {  // holds a control that is shown, so Tab scrolls to it
    return Array.prototype.some.call(el.querySelectorAll(FOCUSABLE), function (c) {
      return c.getClientRects().length > 0;
    });
  }

  function reachScrollers() {
    var regions = document.querySelectorAll(
      "#rendered_cells, .widget-box, .jp-OutputArea-output, [" + MARK + "]");
    Array.prototype.forEach.call(regions, function (el) {
      var ours = el.hasAttribute(MARK);
      if (ours && !scrolls(el)) {
        el.removeAttribute(MARK);
        el.removeAttribute("tabindex");
      } else if (!ours && !el.hasAttribute("tabindex") && scrolls(el) && !reachable(el)) {
        el.setAttribute(MARK, "");
        el.setAttribute("tabindex", "0");
      }
    });
  }

  function update() {
    queued = false;
    nameHandles();
    reachScrollers();
  }

  function queue() {
    if (!queued) { queued = true; window.requestAnimationFrame(update); }
  }

  function start() {
    new MutationObserver(queue).observe(document.body, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["style", "class"]
    });
    window.addEventListener("resize", queue);
    document.addEventListener("load", queue, true);  // images: load does not bubble
    var cells = document.getElementById("rendered_cells");
    if (cells && window.ResizeObserver) {
      var sizes = new window.ResizeObserver(queue);
      Array.prototype.forEach.call(cells.children, function (child) { sizes.observe(child); });
    }
    queue();
  }

  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
