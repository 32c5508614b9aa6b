/* Names for the parts of ipywidgets that the kernel cannot name itself.
 *
 * A slider's handles are drawn by the noUiSlider library as <div role="slider"> elements
 * that carry no name, so a screen reader announces "slider" and a number. The slider's own
 * description (its <label>) is the name they should have: "Check-ins" for a one-handle
 * slider, "Check-ins, from" and "Check-ins, to" for a range. Widgets are drawn and redrawn
 * at any time, so the page is watched, and each change is handled once per animation frame.
 */
(function () {
  "use strict";
  if (window.rrA11y) { return; }
  window.rrA11y = true;
  var queued = false;

  function nameHandles() {
    queued = false;
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

  function queue() {
    if (!queued) { queued = true; window.requestAnimationFrame(nameHandles); }
  }

  function start() {
    new MutationObserver(queue).observe(document.body, { childList: true, subtree: true });
    queue();
  }

  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
