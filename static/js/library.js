// Library: after a sort or page link swaps the results in (htmx), move the keyboard focus to the
// count above them, so keyboard and screen-reader users start reading the new results there.
document.addEventListener("htmx:afterSwap", (event) => {
  const trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (!trigger || trigger.tagName !== "A") return;
  const count = document.querySelector("#library-results .library-count");
  if (count) count.focus();
});
