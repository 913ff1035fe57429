// Annotations page: the filters fold behind one button on narrow screens (a <details>).
// Without this script they are simply open. On wide screens there is room, so they stay
// open (the summary is hidden there); on a phone they start folded, and the summary says
// when filters are in use.

const fold = document.querySelector("[data-browse-fold]");
const wide = window.matchMedia("(min-width: 40.01rem)");

function follow() {
  if (!fold) return;
  fold.open = wide.matches;
}

if (fold) {
  follow();
  wide.addEventListener("change", follow);
}
