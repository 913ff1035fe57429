// Marginalia reader: select a passage, highlight or tag it, see, filter and edit highlights.
//
// The server renders everything (highlights, margin lists, cards); this module only reads
// selections, posts JSON and swaps in the partials the server answers with.
// Offsets: a section's .section-text textContent is exactly Section.text. The DOM counts
// UTF-16 code units, the server Unicode code points, so offsets are converted here.

/** Every single key the reader handles as a command (the codebook refuses them as tag shortcuts). */
export const READER_KEYS = ["a", "h", "/"];

const article = document.querySelector("article.brief");
const annotator = document.getElementById("annotator");
const cardPop = document.getElementById("annotation-card");
const statusEl = document.getElementById("reader-status");
const createUrl = article?.dataset.createUrl || "";
const cardUrlTemplate = article?.dataset.cardUrl || "";
const canShare = article?.dataset.canShare === "true";
const phone = window.matchMedia("(max-width: 40rem)");

/** Number of Unicode code points in s (a pair of surrogates counts once). */
export function codePointLength(s) {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"] || "";
  } catch {
    return "";
  }
}

function sectionTextOf(node) {
  const el = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
  return el ? el.closest(".section-text") : null;
}

/**
 * The anchor of a DOM range over one section: {sectionId, start, end, quote} in code points,
 * trimmed of surrounding white space; {error} when it cannot be annotated; null when the
 * range is not in a section at all.
 */
export function anchorFromRange(range) {
  const startC = sectionTextOf(range.startContainer);
  const endC = sectionTextOf(range.endContainer);
  if (!startC && !endC) return null;
  if (startC && endC && startC !== endC) return { error: gettext("Select text within one section.") };
  const container = startC || endC;
  const r = range.cloneRange();
  if (!startC) r.setStart(container, 0);
  if (!endC) r.setEnd(container, container.childNodes.length);
  const text = container.textContent;
  const before = document.createRange();
  before.selectNodeContents(container);
  before.setEnd(r.startContainer, r.startOffset);
  let from = before.toString().length; // UTF-16 units
  let to = from + r.toString().length;
  while (from < to && /\s/.test(text[from])) from += 1;
  while (to > from && /\s/.test(text[to - 1])) to -= 1;
  if (from >= to) return { error: gettext("The selection is empty.") };
  const quote = text.slice(from, to);
  const start = codePointLength(text.slice(0, from));
  return {
    sectionId: Number(container.dataset.sectionId),
    start,
    end: start + codePointLength(quote),
    quote,
  };
}

// Status line --------------------------------------------------------------------------

let toastTimer = 0;
function toast(message, isError = false) {
  if (!statusEl) return;
  statusEl.textContent = message;
  statusEl.classList.toggle("is-error", isError);
  statusEl.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { statusEl.hidden = true; }, isError ? 8000 : 4000);
}

function flash(id) {
  for (const el of document.querySelectorAll(`mark[data-annotation-id="${id}"], .margin-item[data-annotation-id="${id}"]`)) {
    el.classList.remove("flash");
    void el.offsetWidth; // restart the animation
    el.classList.add("flash");
  }
}
document.addEventListener("animationend", (e) => {
  if (e.target instanceof Element && (e.animationName === "hl-flash" || e.animationName === "item-flash")) e.target.classList.remove("flash");
});

function placeNear(el, rect) {
  el.hidden = false;
  el.anchorRect = rect; // to place it again when it grows
  if (phone.matches) {
    el.style.left = "";
    el.style.top = "";
    return;
  }
  const width = el.offsetWidth;
  const maxLeft = window.scrollX + document.documentElement.clientWidth - width - 8;
  el.style.left = `${Math.max(8, Math.min(rect.left + window.scrollX, maxLeft))}px`;
  // Below the anchor if it fits, else above it, else below and scrolled into view.
  const height = el.offsetHeight;
  const fitsBelow = rect.bottom + 8 + height <= window.innerHeight;
  const fitsAbove = rect.top - 8 - height >= 0;
  const top = !fitsBelow && fitsAbove ? rect.top - 8 - height : rect.bottom + 8;
  el.style.top = `${top + window.scrollY}px`;
  if (!fitsBelow && !fitsAbove) el.scrollIntoView({ block: "nearest" });
}

function swap(id, html) {
  const old = document.getElementById(id);
  if (!old || !html) return;
  const tpl = document.createElement("template");
  tpl.innerHTML = html.trim();
  unobserveSizes(old);
  old.replaceWith(tpl.content.firstElementChild);
}

async function postJSON(url, body, headers = {}) {
  let resp;
  try {
    resp = await fetch(url + window.location.search, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken(), ...headers },
      body: JSON.stringify(body),
    });
  } catch {
    return { error: gettext("Network error: nothing was saved.") };
  }
  let data = null;
  if ((resp.headers.get("Content-Type") || "").includes("json")) data = await resp.json().catch(() => null);
  if (!resp.ok) {
    return { error: data?.error || interpolate(gettext("Not saved (HTTP %(status)s). Reload the page and try again."), { status: resp.status }, true) };
  }
  swap(`section-grid-${data.section_id}`, data.section_html);
  swap("annotation-filters", data.filters_html);
  marginsChanged(document.getElementById(`section-grid-${data.section_id}`));
  return data;
}

// The annotator: toolbar, then tag picker ------------------------------------------------

let pending = null; // {sectionId, start, end, quote} while creating
let editing = null; // {url, id} while editing
let panelOpen = false;
// Where focus goes back to when the annotator closes: the section text a keyboard selection
// was made in ({sectionId}), or the edited annotation's margin entry ({annotationId}).
let returnFocus = null;
const bar = annotator?.querySelector(".annotator-bar");
const form = annotator?.querySelector(".annotator-panel");
const statusLine = annotator?.querySelector(".annotator-status");
const filterInput = annotator?.querySelector(".annotator-filter");
const tagItems = annotator ? [...annotator.querySelectorAll(".tag-option")] : [];
const tagGroups = annotator ? [...annotator.querySelectorAll(".tag-group")] : [];
// What the filter matches: a tag's code and labels, and its category's (so "제재" or
// "sanctions" brings up the whole group).
const tagSearch = new Map(
  tagItems.map((li) => [li, searchText(`${li.dataset.search} ${li.closest(".tag-group")?.dataset.search || ""}`)]),
);

function searchText(s) {
  return s.normalize("NFC").toLowerCase();
}

function annotatorStatus(message, isError = true) {
  statusLine.textContent = message || "";
  statusLine.classList.toggle("is-error", Boolean(message) && isError);
}

function hideAnnotator({ restoreFocus = false } = {}) {
  if (!annotator) return;
  const wasInside = annotator.contains(document.activeElement);
  annotator.hidden = true;
  form.hidden = true;
  panelOpen = false;
  pending = null;
  editing = null;
  annotatorStatus("");
  if (restoreFocus || wasInside) focusBack();
  returnFocus = null;
}

/** Put focus back where the annotator was opened from (see returnFocus). */
function focusBack(savedId = null) {
  if (!returnFocus) return;
  if (returnFocus.sectionId) {
    const text = document.querySelector(`.section-text[data-section-id="${returnFocus.sectionId}"]`);
    if (!text) return;
    text.focus({ preventScroll: true });
    // The caret after the new highlight, so the arrow keys carry on from there.
    const mark = savedId ? document.getElementById(`annotation-${savedId}`) : null;
    if (mark) {
      const sel = window.getSelection();
      sel.collapse(mark.parentNode, [...mark.parentNode.childNodes].indexOf(mark) + 1);
    }
  } else if (returnFocus.annotationId) {
    const id = returnFocus.annotationId;
    const target = document.querySelector(`.margin-open[data-annotation-id="${id}"]`) || firstMark(id)?.closest(".section-text");
    target?.focus({ preventScroll: true });
  }
}

function showBar(rect, anchor) {
  pending = anchor.error ? null : anchor;
  editing = null;
  bar.hidden = false;
  form.hidden = true;
  for (const b of bar.querySelectorAll("button:not(.annotator-x)")) b.disabled = Boolean(anchor.error);
  annotatorStatus(anchor.error || "");
  placeNear(annotator, rect);
}

function applyTagFilter() {
  // Every word typed must match, in any order: "sanctions partial", "영변 폐기".
  const words = searchText(filterInput.value).split(/\s+/).filter(Boolean);
  for (const li of tagItems) li.hidden = !words.every((w) => tagSearch.get(li).includes(w));
  for (const group of tagGroups) group.hidden = !group.querySelector(".tag-option:not([hidden])");
  annotator.querySelector(".tag-none").hidden = visibleTagBoxes().length > 0;
}

/** The tag checkboxes shown, in codebook order across the groups. */
function visibleTagBoxes() {
  return tagItems.filter((li) => !li.hidden && !li.closest(".tag-group")?.hidden).map((li) => li.querySelector("input"));
}

/** Show a tag even if the filter hides it (its shortcut was pressed). */
function revealTag(box) {
  const li = box.closest(".tag-option");
  li.hidden = false;
  const group = li.closest(".tag-group");
  if (group) group.hidden = false;
  annotator.querySelector(".tag-none").hidden = true;
}

/** Scroll the tag list (only it) so a whole tag shows, clear of its group's sticky header. */
function scrollTagIntoList(li) {
  const list = li.closest(".tag-list");
  const header = li.closest(".tag-group")?.querySelector(".tag-group-label");
  const top = li.getBoundingClientRect().top - list.getBoundingClientRect().top - list.clientTop;
  const bottom = top + li.offsetHeight;
  const clear = header ? header.offsetHeight : 0;
  if (top < clear) list.scrollTop += top - clear;
  else if (bottom > list.clientHeight) list.scrollTop += bottom - list.clientHeight;
}

/** Arrow keys, Home and End move between the visible tags, over the group headers. */
function moveInTags(box, key) {
  const boxes = visibleTagBoxes();
  const i = boxes.indexOf(box);
  let next = null;
  if (key === "ArrowDown") next = boxes[i + 1] || box;
  else if (key === "ArrowUp") next = i > 0 ? boxes[i - 1] : filterInput;
  else if (key === "Home") next = boxes[0];
  else if (key === "End") next = boxes[boxes.length - 1];
  next?.focus();
}

function openPanel({ title, quote, tags = [], actor = "unspecified", note = "", visibility, lockVisibility = false }) {
  panelOpen = true;
  bar.hidden = true;
  form.hidden = false;
  annotator.querySelector(".annotator-mode").textContent = title;
  annotator.querySelector(".annotator-quote").textContent = quote;
  for (const box of form.querySelectorAll("input[name=tags]")) box.checked = tags.includes(box.value);
  filterInput.value = "";
  applyTagFilter();
  form.elements.actor.value = actor;
  form.elements.note.value = note;
  const vis = visibility || (canShare ? "shared" : "private");
  for (const radio of form.querySelectorAll("input[name=visibility]")) {
    radio.checked = radio.value === vis;
    radio.disabled = lockVisibility || (radio.value === "shared" && !canShare && vis !== "shared");
  }
  annotatorStatus("");
  if (annotator.anchorRect) placeNear(annotator, annotator.anchorRect);
  const first = form.querySelector("input[name=tags]:checked") || visibleTagBoxes()[0] || form.elements.actor;
  first.focus({ preventScroll: true });
}

function openCreatePanel() {
  if (!pending) return;
  if (annotator.hidden) {
    const sel = window.getSelection();
    if (sel.rangeCount) placeNear(annotator, sel.getRangeAt(0).getBoundingClientRect());
  }
  openPanel({ title: gettext("Tag a claim"), quote: pending.quote });
}

function randomKey() {
  // crypto.randomUUID needs a secure context; plain-http hosts get random bytes instead.
  if (window.crypto?.randomUUID) return window.crypto.randomUUID();
  return [...window.crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The selection's Idempotency-Key: kept while the same annotation is re-sent (a retry, a double click). */
function createKey(body) {
  const sent = JSON.stringify(body);
  if (pending.idempotency?.body !== sent) pending.idempotency = { key: randomKey(), body: sent };
  return pending.idempotency.key;
}

async function save(fields) {
  annotatorStatus(gettext("Saving…"), false);
  const createBody = editing
    ? null
    : { section: pending.sectionId, start: pending.start, end: pending.end, quote: pending.quote, ...fields };
  const data = editing
    ? await postJSON(editing.url, fields)
    : await postJSON(createUrl, createBody, { "Idempotency-Key": createKey(createBody) });
  if (data.error) {
    annotatorStatus(data.error);
    return;
  }
  const back = returnFocus;
  returnFocus = null;
  hideAnnotator();
  closeCard();
  window.getSelection().removeAllRanges();
  returnFocus = back;
  focusBack(data.id);
  returnFocus = null;
  toast(data.shown ? data.message : interpolate(gettext("%(message)s It is hidden by the current filters."), { message: data.message }, true));
  if (data.shown) flash(data.id);
}

function formFields() {
  return {
    tags: [...form.querySelectorAll("input[name=tags]:checked")].map((box) => box.value),
    actor: form.elements.actor.value,
    note: form.elements.note.value,
    visibility: form.querySelector("input[name=visibility]:checked")?.value || "private",
  };
}

function highlightNow() {
  if (pending) save({ tags: [], actor: "unspecified", note: "", visibility: "private" });
}

if (annotator) {
  // Keep the document selection when the toolbar is clicked.
  bar.addEventListener("mousedown", (e) => e.preventDefault());
  annotator.addEventListener("click", (e) => {
    const action = e.target.closest("[data-action]")?.dataset.action;
    if (action === "highlight") highlightNow();
    else if (action === "open-tags") openCreatePanel();
    else if (action === "close") hideAnnotator();
  });
  filterInput.addEventListener("input", applyTagFilter);
  form.querySelector(".tag-list").addEventListener("focusin", (e) => {
    const li = e.target.closest(".tag-option");
    if (li) scrollTagIntoList(li);
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    save(formFields());
  });
  annotator.addEventListener("keydown", (e) => {
    const t = e.target;
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      hideAnnotator({ restoreFocus: true });
      return;
    }
    if (e.isComposing) return; // Korean IME: the key belongs to the composition
    if (e.key === "Enter") {
      if (t === filterInput) {
        // Enter in the filter picks the first match, as in a combobox.
        e.preventDefault();
        const box = visibleTagBoxes()[0];
        if (box) {
          box.checked = true;
          filterInput.value = "";
          applyTagFilter();
          box.focus();
        }
        return;
      }
      if (t.tagName === "TEXTAREA" && !(e.ctrlKey || e.metaKey)) return;
      if (t.tagName === "BUTTON" && t.type !== "submit") return;
      if (!form.hidden) {
        e.preventDefault();
        form.requestSubmit();
      }
      return;
    }
    if (t === filterInput) {
      if (e.key === "ArrowDown") {
        e.preventDefault();
        visibleTagBoxes()[0]?.focus();
      }
      return;
    }
    if (t.matches("input[name=tags]") && ["ArrowDown", "ArrowUp", "Home", "End"].includes(e.key)) {
      e.preventDefault();
      moveInTags(t, e.key);
      return;
    }
    if (t.matches("textarea, select") || e.ctrlKey || e.metaKey || e.altKey || e.key.length !== 1) return;
    if (form.hidden) {
      if (e.key === "a") { e.preventDefault(); openCreatePanel(); }
      else if (e.key === "h") { e.preventDefault(); highlightNow(); }
      return;
    }
    if (e.key === "/") {
      e.preventDefault();
      filterInput.focus();
      return;
    }
    const box = form.querySelector(`input[name=tags][data-shortcut="${CSS.escape(e.key.toLowerCase())}"]`);
    if (box) {
      e.preventDefault();
      box.checked = !box.checked;
      revealTag(box);
      box.focus();
    }
  });

  let selTimer = 0;
  document.addEventListener("selectionchange", () => {
    clearTimeout(selTimer);
    selTimer = setTimeout(onSelection, 120);
  });
}

function onSelection() {
  if (panelOpen) return;
  const sel = window.getSelection();
  if (!sel.rangeCount || sel.isCollapsed) {
    if (!annotator.contains(document.activeElement)) hideAnnotator();
    return;
  }
  const range = sel.getRangeAt(0);
  const anchor = anchorFromRange(range);
  if (!anchor) {
    hideAnnotator();
    return;
  }
  const rects = range.getClientRects();
  showBar(rects.length ? rects[rects.length - 1] : range.getBoundingClientRect(), anchor);
}

// Keyboard selection inside a focused section ----------------------------------------------

const MOVES = {
  ArrowRight: ["forward", "character", "word"],
  ArrowLeft: ["backward", "character", "word"],
  ArrowDown: ["forward", "line", "line"],
  ArrowUp: ["backward", "line", "line"],
  Home: ["backward", "lineboundary", "paragraphboundary"],
  End: ["forward", "lineboundary", "paragraphboundary"],
};
const caret = document.createElement("span");
caret.className = "kbd-caret";
caret.hidden = true;
document.body.append(caret);

function firstTextNode(el) {
  return document.createTreeWalker(el, NodeFilter.SHOW_TEXT).nextNode();
}

function drawCaret() {
  const sel = window.getSelection();
  if (!sel.rangeCount || !sel.focusNode) return;
  const r = document.createRange();
  r.setStart(sel.focusNode, sel.focusOffset);
  r.collapse(true);
  const rect = r.getClientRects()[0] || r.getBoundingClientRect();
  if (!rect || (!rect.height && !rect.top)) return;
  caret.style.left = `${rect.left + window.scrollX}px`;
  caret.style.top = `${rect.top + window.scrollY}px`;
  caret.style.height = `${rect.height || 20}px`;
  caret.hidden = false;
  // Keep the caret in view, and out from under the sticky bar.
  const barEl = document.getElementById("reader-bar");
  const top = barEl && getComputedStyle(barEl).position === "sticky" ? Math.max(0, barEl.getBoundingClientRect().bottom) : 0;
  const height = rect.height || 20;
  if (rect.top < top + 4) window.scrollBy(0, rect.top - top - height);
  else if (rect.top + height > window.innerHeight - 4) window.scrollBy(0, rect.top + height - window.innerHeight + height);
}

document.addEventListener("keydown", (e) => {
  const textEl = e.target instanceof Element ? e.target.closest(".section-text") : null;
  if (!textEl || !createUrl || e.metaKey) return;
  const sel = window.getSelection();
  const inside = sel.rangeCount > 0 && textEl.contains(sel.anchorNode) && textEl.contains(sel.focusNode);
  const move = MOVES[e.key];
  if (move) {
    e.preventDefault();
    if (!inside) sel.collapse(firstTextNode(textEl) || textEl, 0); // the caret starts at the top
    sel.modify(e.shiftKey ? "extend" : "move", move[0], e.ctrlKey || e.altKey ? move[2] : move[1]);
    drawCaret();
    return;
  }
  if (!inside || sel.isCollapsed || e.ctrlKey || e.altKey) return;
  if (e.key === "a" || e.key === "Enter") {
    e.preventDefault();
    returnFocus = { sectionId: textEl.dataset.sectionId };
    pending = anchorFromRange(sel.getRangeAt(0));
    if (pending?.error) {
      showBar(sel.getRangeAt(0).getBoundingClientRect(), pending);
      return;
    }
    openCreatePanel();
  } else if (e.key === "h") {
    e.preventDefault();
    returnFocus = { sectionId: textEl.dataset.sectionId };
    pending = anchorFromRange(sel.getRangeAt(0));
    if (pending && !pending.error) highlightNow();
  }
});
document.addEventListener("focusin", (e) => {
  // Tabbing into a section shows where the keyboard caret starts.
  const textEl = e.target instanceof Element && createUrl ? e.target.closest(".section-text") : null;
  if (!textEl || !textEl.matches(":focus-visible")) return;
  const sel = window.getSelection();
  if (sel.rangeCount && textEl.contains(sel.anchorNode)) return;
  sel.collapse(firstTextNode(textEl) || textEl, 0);
  drawCaret();
});
document.addEventListener("focusout", (e) => {
  if (e.target instanceof Element && e.target.matches(".section-text")) caret.hidden = true;
});

// Cards: open on a highlight or a margin entry; edit and delete from there -----------------

let cardReturn = null;

function closeCard() {
  if (!cardPop || cardPop.hidden) return;
  cardPop.hidden = true;
  cardPop.innerHTML = "";
  for (const el of document.querySelectorAll("mark.is-active")) el.classList.remove("is-active");
  cardReturn?.focus?.({ preventScroll: true });
  cardReturn = null;
}

async function openCard(id, near) {
  if (!cardPop || !cardUrlTemplate) return;
  let resp;
  try {
    resp = await fetch(cardUrlTemplate.replace("/0/", `/${id}/`), { credentials: "same-origin" });
  } catch {
    toast(gettext("Network error: could not open the annotation."), true);
    return;
  }
  if (!resp.ok) {
    toast(resp.status === 404 ? gettext("That annotation does not exist or is not visible to you.") : interpolate(gettext("Could not open the annotation (HTTP %(status)s)."), { status: resp.status }, true), true);
    return;
  }
  cardReturn = document.activeElement;
  cardPop.innerHTML = await resp.text(); // server-rendered, escaped template
  for (const el of document.querySelectorAll("mark.is-active")) el.classList.remove("is-active");
  for (const el of document.querySelectorAll(`mark[data-annotation-id="${id}"]`)) el.classList.add("is-active");
  placeNear(cardPop, near.getBoundingClientRect());
  cardPop.querySelector(".card-close")?.focus({ preventScroll: true });
}

function firstMark(id) {
  return document.getElementById(`annotation-${id}`);
}

document.addEventListener("click", async (e) => {
  if (!(e.target instanceof Element)) return;
  const action = e.target.closest("#annotation-card [data-action]");
  if (action) {
    const kind = action.dataset.action;
    if (kind === "close-card") closeCard();
    else if (kind === "edit-annotation" && annotator) {
      const card = action.closest(".annotation-card");
      const quote = card.querySelector(".card-quote").textContent;
      const id = card.dataset.annotationId;
      // The panel takes the card's place: the card would cover it (and its Save button).
      const near = cardPop.getBoundingClientRect();
      cardReturn = null;
      closeCard();
      editing = { url: action.dataset.updateUrl, id };
      pending = null;
      returnFocus = { annotationId: id };
      placeNear(annotator, new DOMRect(near.left, near.top, near.width, 0));
      openPanel({
        title: gettext("Edit annotation"),
        quote,
        tags: action.dataset.tags ? action.dataset.tags.split(" ") : [],
        actor: action.dataset.actor,
        note: action.dataset.note,
        visibility: action.dataset.visibility,
        lockVisibility: action.dataset.isAuthor !== "true",
      });
    } else if (kind === "delete-annotation") {
      if (!window.confirm(gettext("Delete this annotation?"))) return;
      const data = await postJSON(action.dataset.deleteUrl, {});
      if (data.error) toast(data.error, true);
      else {
        closeCard();
        toast(data.message);
      }
    }
    return;
  }
  const marginOpen = e.target.closest(".margin-open");
  if (marginOpen) {
    const id = marginOpen.dataset.annotationId;
    const mark = firstMark(id);
    if (mark) {
      mark.scrollIntoView({ block: "center", behavior: "smooth" });
      flash(id);
    }
    openCard(id, marginOpen);
    return;
  }
  const mark = e.target.closest("mark.hl");
  if (mark && window.getSelection().isCollapsed) {
    openCard(mark.dataset.annotationId, mark);
    return;
  }
  if (cardPop && !cardPop.hidden && !cardPop.contains(e.target) && !annotator?.contains(e.target)) closeCard();
});

document.addEventListener("keydown", (e) => {
  if (e.key !== "Escape") return;
  if (annotator && !annotator.hidden) hideAnnotator();
  else closeCard();
});

// Filters apply as soon as they change (the Apply button is there without script).
document.addEventListener("change", (e) => {
  const filters = e.target instanceof Element ? e.target.closest("#annotation-filters") : null;
  if (filters) filters.requestSubmit();
});

// Margin entries level with their highlights (wide screens) -------------------------------
//
// Where the margin column sits beside the text, each entry is moved (a CSS top offset, never
// a DOM move: reading and tab order stay the list's) to the top of its highlight's first
// line, or just below the entry above it when that one is still in the way, so a dense
// cluster stacks downwards. The list is given the height of its entries, so the section
// grows when the last one runs past its text. An entry without a highlight on the page
// (passage lost, highlight hidden) keeps its place in the stack, under the entry before it.
// Where the list sits under the text (the annotations.css breakpoint) it stays a plain list.

const stacked = window.matchMedia("(max-width: 62rem)");
const SIZED = ".section-text, .margin-item";
let layoutFrame = 0;

/** Lay the margins out on the next frame; any number of calls before it cost one layout. */
function scheduleMarginLayout() {
  if (!layoutFrame) layoutFrame = requestAnimationFrame(layoutMargins);
}

function highlightTop(id) {
  const first = document.getElementById(`annotation-${id}`)?.getClientRects()[0];
  return first ? first.top : NaN;
}

function layoutMargins() {
  layoutFrame = 0;
  const lists = [...document.querySelectorAll(".section-grid .margin-list")];
  if (stacked.matches) {
    for (const list of lists) unalign(list);
    return;
  }
  for (const list of lists) list.classList.add("is-aligned");
  // Every measurement before any write, so a pass costs the browser a single layout.
  const plans = lists.map((list) => {
    const origin = list.getBoundingClientRect().top;
    return {
      list,
      gap: parseFloat(getComputedStyle(list).rowGap) || 0,
      entries: [...list.children].map((item) => ({
        item,
        height: item.getBoundingClientRect().height,
        want: highlightTop(item.dataset.annotationId) - origin,
      })),
    };
  });
  for (const { list, gap, entries } of plans) {
    let free = 0; // the highest top the next entry may take
    for (const { item, height, want } of entries) {
      const top = Number.isNaN(want) ? free : Math.max(want, free);
      item.style.setProperty("--margin-top", `${top}px`);
      free = top + height + gap;
    }
    list.style.setProperty("--margin-height", `${Math.max(0, free - gap)}px`);
  }
}

function unalign(list) {
  list.classList.remove("is-aligned");
  list.style.removeProperty("--margin-height");
  for (const item of list.children) item.style.removeProperty("--margin-top");
}

// Text and entries change size with the column width, web fonts and zoom; only the size
// of what is watched matters, so the offsets written above never trigger another pass.
const sizes = typeof ResizeObserver === "function" ? new ResizeObserver(scheduleMarginLayout) : null;

function observeSizes(root) {
  if (sizes && root) for (const el of root.querySelectorAll(SIZED)) sizes.observe(el);
}

function unobserveSizes(root) {
  if (sizes && root) for (const el of root.querySelectorAll(SIZED)) sizes.unobserve(el);
}

/** A section grid was re-rendered (an annotation created, edited, deleted or filtered out). */
function marginsChanged(grid) {
  observeSizes(grid);
  relink();
  scheduleMarginLayout();
}

observeSizes(document.getElementById("annotated"));
window.addEventListener("resize", scheduleMarginLayout);
stacked.addEventListener("change", scheduleMarginLayout);
document.fonts?.ready.then(scheduleMarginLayout);
document.fonts?.addEventListener("loadingdone", scheduleMarginLayout);
scheduleMarginLayout();

// Hovering or focusing an entry emphasises its highlight, and hovering a highlight its entry.
let hoveredId = null;
let focusedId = null;
let linkedId = null;

function link(id) {
  if (id === linkedId) return;
  for (const el of document.querySelectorAll(".is-linked")) el.classList.remove("is-linked");
  linkedId = id;
  if (!id) return;
  for (const el of document.querySelectorAll(`mark[data-annotation-id="${id}"], .margin-item[data-annotation-id="${id}"]`)) {
    el.classList.add("is-linked");
  }
}

function relink() {
  linkedId = null;
  link(hoveredId || focusedId);
}

document.addEventListener("mouseover", (e) => {
  const el = e.target instanceof Element ? e.target.closest("mark.hl, .margin-item") : null;
  hoveredId = el?.dataset.annotationId || null;
  link(hoveredId || focusedId);
});
document.addEventListener("mouseout", (e) => {
  if (e.relatedTarget) return; // moving within the page: the mouseover that follows links
  hoveredId = null;
  link(focusedId);
});
document.addEventListener("focusin", (e) => {
  const item = e.target instanceof Element ? e.target.closest(".margin-item") : null;
  focusedId = item?.dataset.annotationId || null;
  link(hoveredId || focusedId);
});
document.addEventListener("focusout", (e) => {
  if (e.relatedTarget) return; // the focusin that follows links
  focusedId = null;
  link(hoveredId);
});

// Permalinks: #annotation-<id> scrolls to the highlight, flashes it and opens its card.
function showHash() {
  const match = /^#annotation-(\d+)$/.exec(window.location.hash);
  if (!match) return;
  const mark = firstMark(match[1]);
  if (!mark) {
    toast(gettext("That annotation is not shown here: it may be filtered out, deleted or private."), true);
    return;
  }
  mark.scrollIntoView({ block: "center" });
  flash(match[1]);
  openCard(match[1], mark);
}
window.addEventListener("hashchange", showHash);
showHash();
document.documentElement.classList.add("reader-ready");

// "Show more" in a margin swaps its section in with htmx: lay its margin out like any other.
document.addEventListener("htmx:beforeSwap", (e) => {
  if (e.detail.target?.id?.startsWith("section-grid-")) unobserveSizes(e.detail.target);
});
document.addEventListener("htmx:afterSwap", (e) => {
  const grid = e.detail.target?.id?.startsWith("section-grid-") ? document.getElementById(e.detail.target.id) : null;
  if (grid) marginsChanged(grid);
});
