// Find in a brief, and the words a search hit links in with (?hl=word&hl=word#section).
//
// Both paint with the CSS Custom Highlight API: ranges over the text nodes as they are, so
// the DOM, whose text offsets annotations count in, is never touched. Matching is on
// NFC-normalised text, case-insensitive for Latin letters (folded one code unit at a time,
// so a match's offsets in the folded text are its offsets in the page).
//
// This module also measures the reader's sticky bar into --reader-bar, which app.css turns
// into the page's scroll-padding: permalinks, section links, find and search hits all land
// below the bar instead of under it.


const bar = document.getElementById("reader-bar");
const findForm = document.querySelector(".brief-find");
const findBox = document.getElementById("brief-find-q");
const countEl = document.getElementById("brief-find-count");
const notice = document.getElementById("hl-notice");
const highlights = typeof CSS !== "undefined" && "highlights" in CSS ? CSS.highlights : null;

const LATIN = /[A-Za-z\u00C0-\u024F\u1E00-\u1EFF]/;
const MAX_WORDS = 20;
const MAX_WORD_LENGTH = 100;

/** Lower-case Latin letters, keeping the string's length (one code unit for one). */
function fold(s) {
  let out = "";
  for (let i = 0; i < s.length; i += 1) {
    const ch = s[i];
    const lower = LATIN.test(ch) ? ch.toLowerCase() : ch;
    out += lower.length === 1 ? lower : ch;
  }
  return out;
}

function foldQuery(s) {
  return fold(s.normalize("NFC"));
}

// The text of every section, as its text nodes (rebuilt after a section is re-rendered). ---

let index = null;

function buildIndex() {
  index = [...document.querySelectorAll(".section-text")].map((el) => {
    const nodes = [];
    let text = "";
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      nodes.push([n, text.length]);
      text += n.data;
    }
    return { el, nodes, folded: fold(text) };
  });
  return index;
}

function locate(nodes, offset, isEnd) {
  for (const [node, base] of nodes) {
    const end = base + node.data.length;
    if (offset < end || (isEnd && offset === end)) return [node, offset - base];
  }
  return null;
}

/** Ranges over every occurrence of each word, in reading order. */
function rangesOf(words) {
  const found = [];
  for (const { el, nodes, folded } of index || buildIndex()) {
    const hits = [];
    for (const word of words) {
      for (let at = folded.indexOf(word); at >= 0; at = folded.indexOf(word, at + word.length)) hits.push([at, at + word.length]);
    }
    hits.sort((a, b) => a[0] - b[0]);
    for (const [from, to] of hits) {
      const start = locate(nodes, from, false);
      const end = locate(nodes, to, true);
      if (!start || !end) continue;
      const range = new Range();
      range.setStart(...start);
      range.setEnd(...end);
      range.sectionText = el;
      found.push(range);
    }
  }
  return found;
}

function paint(name, ranges) {
  if (!highlights) return;
  if (ranges.length) highlights.set(name, new Highlight(...ranges));
  else highlights.delete(name);
}

// The sticky bar --------------------------------------------------------------------------

function barBottom() {
  if (!bar || getComputedStyle(bar).position !== "sticky") return 0;
  return Math.max(0, bar.getBoundingClientRect().bottom);
}

function measureBar() {
  const sticky = bar && getComputedStyle(bar).position === "sticky" && bar.offsetHeight > 0;
  document.documentElement.style.setProperty("--reader-bar", `${sticky ? bar.offsetHeight : 0}px`);
}

/** Scroll so a range shows below the bar, a third of the way down what is left. */
function reveal(range) {
  const rect = range.getBoundingClientRect();
  const top = barBottom();
  if (rect.top >= top + 8 && rect.bottom <= window.innerHeight - 8) return;
  window.scrollBy({ top: rect.top - top - (window.innerHeight - top) / 3, behavior: "instant" });
}

// Find ------------------------------------------------------------------------------------

let matches = [];
let current = -1;

function showCount() {
  if (!countEl) return;
  if (!findBox.value) countEl.textContent = "";
  else if (!matches.length) countEl.textContent = gettext("No matches");
  else countEl.textContent = interpolate(gettext("%(current)s of %(total)s"), { current: current + 1, total: matches.length }, true);
}

function select(i) {
  if (!matches.length) return;
  current = (i + matches.length) % matches.length;
  paint("find-current", [matches[current]]);
  reveal(matches[current]);
  showCount();
}

function find() {
  const word = foldQuery(findBox.value);
  matches = word ? rangesOf([word]) : [];
  current = -1;
  paint("find", matches);
  paint("find-current", []);
  if (matches.length) select(0);
  else showCount();
}

function clearFind() {
  findBox.value = "";
  find();
}

if (findForm && findBox && highlights) {
  findForm.hidden = false;
  findForm.addEventListener("submit", (e) => e.preventDefault());
  findBox.addEventListener("input", find);
  findBox.addEventListener("keydown", (e) => {
    if (e.isComposing) return; // Korean IME: Enter ends the composition
    if (e.key === "Enter") {
      e.preventDefault();
      if (!matches.length) find();
      else select(current + (e.shiftKey ? -1 : 1));
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      clearFind();
    }
  });
  findForm.addEventListener("click", (e) => {
    const action = e.target instanceof Element ? e.target.closest("[data-find]")?.dataset.find : null;
    if (action === "next") select(current + 1);
    else if (action === "prev") select(current - 1);
  });
}

// Search words (?hl=) ---------------------------------------------------------------------

let searchWords = [];

function hlWords() {
  const seen = new Set();
  const words = [];
  for (const raw of new URLSearchParams(window.location.search).getAll("hl")) {
    const word = raw.normalize("NFC").trim().slice(0, MAX_WORD_LENGTH);
    if (word && !seen.has(foldQuery(word)) && words.length < MAX_WORDS) {
      seen.add(foldQuery(word));
      words.push(word);
    }
  }
  return words;
}

function paintSearchWords() {
  const ranges = searchWords.length ? rangesOf(searchWords.map(foldQuery)) : [];
  paint("search-hl", ranges);
  return ranges;
}

function clearSearchWords() {
  searchWords = [];
  paint("search-hl", []);
  if (notice) notice.hidden = true;
  const url = new URL(window.location.href);
  url.searchParams.delete("hl");
  window.history.replaceState(window.history.state, "", url);
}

function showSearchWords() {
  searchWords = hlWords();
  if (!searchWords.length || !notice || !highlights) return;
  notice.querySelector(".hl-words").textContent = searchWords.join(", ");
  notice.hidden = false;
  notice.querySelector("[data-find=clear-hl]").addEventListener("click", clearSearchWords);
  const ranges = paintSearchWords();
  // The first in the section linked to, else the first in the brief.
  const target = /^#[^#]+$/.test(window.location.hash) ? document.getElementById(decodeURIComponent(window.location.hash.slice(1))) : null;
  if (target && !target.matches("section")) return; // a permalink: the reader shows its highlight
  const first = ranges.find((r) => !target || target.contains(r.startContainer)) || ranges[0];
  if (first) reveal(first);
}

// After a section is re-rendered (an annotation saved) its text nodes are new: paint again.
const annotated = document.getElementById("annotated");
if (annotated && highlights) {
  let frame = 0;
  new MutationObserver((records) => {
    if (!records.some((r) => [...r.addedNodes, ...r.removedNodes].some((n) => n.nodeType === Node.ELEMENT_NODE && (n.matches(".section-grid, .section-text") || n.querySelector?.(".section-text"))))) return;
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => {
      index = null;
      paintSearchWords();
      if (findBox?.value) {
        const keep = current;
        const word = foldQuery(findBox.value);
        matches = rangesOf([word]);
        paint("find", matches);
        current = Math.min(Math.max(keep, 0), matches.length - 1);
        paint("find-current", current >= 0 ? [matches[current]] : []);
        showCount();
      }
    });
  }).observe(annotated, { childList: true, subtree: true });
}

if (bar) {
  measureBar();
  if (typeof ResizeObserver === "function") new ResizeObserver(measureBar).observe(bar);
  window.addEventListener("resize", measureBar);
}
// The browser scrolled to a section link before the bar was measured: scroll again, below it.
const linked = /^#[^#]+$/.test(window.location.hash) ? document.getElementById(decodeURIComponent(window.location.hash.slice(1))) : null;
if (linked?.matches("section") && !new URLSearchParams(window.location.search).has("hl")) linked.scrollIntoView({ block: "start" });
showSearchWords();
