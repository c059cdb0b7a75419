// recoupe — the web page.
//
// One plain script, no framework, no build step: it is embedded in the
// binary and served under a strict Content-Security-Policy (no inline
// script or style, nothing from outside the server).
//
// Everything the corpus holds (titles, passages, sources, urls, article
// ids) is hostile data: it only ever reaches the page through
// textContent, createTextNode or setAttribute on a data-/aria-/title
// attribute, and a url becomes a link only when it is http(s). No HTML is
// ever built from strings.
//
// Layout of this file:
//   1. constants and small helpers
//   2. state <-> URL
//   3. API client (token, errors)
//   4. highlighted text (byte offsets, marks)
//   5. search view (hits, totals, pagination)
//   6. filters (sources, month histogram, spellings, dates)
//   7. article view (passages, occurrence navigation)
//   8. batch view (table, sorting, CSV)
//   9. views, events and start-up

'use strict';

/* ---------------------------------------------------------------------
 * 1. Constants and small helpers
 * ------------------------------------------------------------------- */

const PAGE_SIZE = 10;
const MAX_OFFSET = 1000; // the API refuses offsets past this
const MAX_BATCH_NAMES = 200;
const TYPING_DELAY_MS = 200;
const TOKEN_KEY = 'recoupe.token';
const BATCH_NAMES_KEY = 'recoupe.batch-names';

/** How a passage matched a query word, as the page names it. */
const KINDS = {
  exact: 'orthographe exacte',
  stem: 'autre forme du mot',
  variant: 'variante orthographique',
  alias: 'autre nom (alias)',
  typo: 'faute de frappe probable',
};

const numberFormat = new Intl.NumberFormat('fr-FR');
const dateFormat = new Intl.DateTimeFormat('fr-FR', {
  day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC',
});

const $ = (id) => document.getElementById(id);

/** A string from untrusted JSON, or '' when it is anything else. */
function str(value) {
  return typeof value === 'string' ? value : '';
}

/** A non-negative integer from untrusted JSON, or 0. */
function int(value) {
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** An array from untrusted JSON, or []. */
function arr(value) {
  return Array.isArray(value) ? value : [];
}

/**
 * Creates an element. `attrs` are set with setAttribute (so values are
 * never parsed as HTML); `children` are nodes or strings, strings become
 * text nodes; null, undefined and false are skipped.
 */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** "1 passage", "12 passages" (French: 0 and 1 take the singular). */
function plural(n, singular, pluralForm) {
  return `${numberFormat.format(n)} ${n < 2 ? singular : pluralForm}`;
}

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "12 février 2025" for "2025-02-12"; anything else is shown as given. */
function formatDay(day) {
  const m = ISO_DAY.exec(day);
  if (!m) return day;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return Number.isNaN(date.getTime()) ? day : dateFormat.format(date);
}

/** A <time> for an article date, or "sans date". */
function dateNode(day) {
  const text = str(day);
  if (!text) return el('span', { class: 'no-date' }, 'sans date');
  return el('time', ISO_DAY.test(text) ? { datetime: text } : {}, formatDay(text));
}

/** The url when it is an http(s) address, else null (no link is made). */
function webUrl(raw) {
  const text = str(raw);
  if (!/^https?:\/\//i.test(text)) return null;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** A link to an article's own site; rel keeps the opener and referrer out. */
function externalLink(href, ...children) {
  return el('a', {
    href,
    rel: 'noopener noreferrer',
    target: '_blank',
    'aria-describedby': 'new-tab-hint',
  }, ...children);
}

/** True for the targets where a key press is typing, not a shortcut. */
function isTyping(target) {
  if (!(target instanceof Element)) return false;
  return target.isContentEditable || target.closest('input, textarea, select') !== null;
}

/** Elements of `root` whose `attr` equals `value` (no selector escaping needed). */
function withData(root, attr, value) {
  return [...root.querySelectorAll(`[${attr}]`)].filter((node) => node.getAttribute(attr) === value);
}

/**
 * Re-rendering a list destroys the control that had focus. This notes
 * which data attribute identified it and, after `render`, focuses its
 * replacement, so keyboard users keep their place.
 */
function keepingFocus(container, attrs, render) {
  const active = document.activeElement;
  let key = null;
  if (active && container.contains(active)) {
    const attr = attrs.find((a) => active.hasAttribute(a));
    if (attr) key = [attr, active.getAttribute(attr)];
  }
  render();
  if (key) {
    const [again] = withData(container, key[0], key[1]);
    if (again) again.focus({ preventScroll: true });
  }
}

/* ---------------------------------------------------------------------
 * 2. State <-> URL
 *
 * The URL holds the whole state, so a shared address opens the same
 * view: q, since, until, source*, xsource*, xspell*, group=article,
 * strict=1, sort=date, view=article&doc=…[&passage=N] or view=batch.
 * ------------------------------------------------------------------- */

function emptyState() {
  return {
    q: '',
    since: '',
    until: '',
    sources: [],
    xsources: [],
    xspell: [],
    group: false,
    strict: false,
    sort: 'relevance',
    view: 'search',
    doc: '',
    passage: null,
  };
}

let state = emptyState();

function lastDayOfMonth(year, month) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The API takes YYYY, YYYY-MM or YYYY-MM-DD; the date inputs only show
 * full days, so a shared URL's shorter form is widened to the day that
 * starts (or ends) that year or month. Anything else is dropped.
 */
function normalizeDay(value, isEnd) {
  let m = /^(\d{4})$/.exec(value);
  if (m) return isEnd ? `${m[1]}-12-31` : `${m[1]}-01-01`;
  m = /^(\d{4})-(\d{2})$/.exec(value);
  if (m) {
    const last = lastDayOfMonth(Number(m[1]), Number(m[2]));
    return isEnd ? `${m[1]}-${m[2]}-${String(last).padStart(2, '0')}` : `${m[1]}-${m[2]}-01`;
  }
  return ISO_DAY.test(value) ? value : '';
}

function unique(values) {
  return [...new Set(values.filter((v) => v !== ''))];
}

function stateFromUrl(search) {
  const p = new URLSearchParams(search);
  const s = emptyState();
  s.q = (p.get('q') || '').slice(0, 500);
  s.since = normalizeDay(p.get('since') || '', false);
  s.until = normalizeDay(p.get('until') || '', true);
  s.sources = unique(p.getAll('source'));
  s.xsources = unique(p.getAll('xsource'));
  s.xspell = unique(p.getAll('xspell'));
  s.group = p.get('group') === 'article';
  s.strict = p.get('strict') === '1';
  s.sort = p.get('sort') === 'date' ? 'date' : 'relevance';
  const view = p.get('view');
  if (view === 'article' && p.get('doc')) {
    s.view = 'article';
    s.doc = p.get('doc');
    const passage = Number.parseInt(p.get('passage') || '', 10);
    s.passage = Number.isInteger(passage) && passage >= 0 ? passage : null;
  } else if (view === 'batch') {
    s.view = 'batch';
  }
  return s;
}

/** The query string of a state (the search part first, then the view). */
function urlFromState(s) {
  const p = new URLSearchParams();
  if (s.q) p.set('q', s.q);
  if (s.since) p.set('since', s.since);
  if (s.until) p.set('until', s.until);
  s.sources.forEach((v) => p.append('source', v));
  s.xsources.forEach((v) => p.append('xsource', v));
  s.xspell.forEach((v) => p.append('xspell', v));
  if (s.group) p.set('group', 'article');
  if (s.strict) p.set('strict', '1');
  if (s.sort === 'date') p.set('sort', 'date');
  if (s.view === 'article') {
    p.set('view', 'article');
    p.set('doc', s.doc);
    if (s.passage !== null) p.set('passage', String(s.passage));
  } else if (s.view === 'batch') {
    p.set('view', 'batch');
  }
  const query = p.toString();
  return query ? `/?${query}` : '/';
}

/**
 * Writes the state to the address bar: 'push' for a committed change (a
 * new history entry), 'replace' while typing. `extra` goes into
 * history.state (the article view notes it was opened from the results).
 */
function saveUrl(mode, extra = {}) {
  const url = urlFromState(state);
  const same = url === location.pathname + location.search;
  if (mode === 'push' && !same) {
    history.pushState(extra, '', url);
  } else {
    history.replaceState({ ...(history.state || {}), ...extra }, '', url);
  }
  updateNavLinks();
}

/** Keeps the nav links' addresses true, for middle-click and copy. */
function updateNavLinks() {
  $('nav-search').href = urlFromState({ ...state, view: 'search' });
  $('nav-batch').href = urlFromState({ ...state, view: 'batch' });
  const current = state.view === 'batch' ? 'nav-batch' : 'nav-search';
  for (const id of ['nav-search', 'nav-batch']) {
    if (id === current) $(id).setAttribute('aria-current', 'page');
    else $(id).removeAttribute('aria-current');
  }
}

/* ---------------------------------------------------------------------
 * 3. API client
 *
 * Every /api call goes through apiFetch: it sends the bearer token when
 * there is one, asks for it (once, whatever the number of requests
 * waiting) on a 401 and retries, and turns error answers into ApiError
 * with the server's message.
 * ------------------------------------------------------------------- */

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

function readToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

function storeToken(value) {
  try {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled: the token lives in this page only.
  }
}

let token = readToken();
let tokenWanted = null; // { promise, resolve } while the form is shown

/** Shows the token form and resolves once the user has given a token. */
function askForToken(message) {
  $('token-message').textContent = message;
  if (!tokenWanted) {
    let resolve;
    const promise = new Promise((r) => { resolve = r; });
    tokenWanted = { promise, resolve };
    $('token-form').hidden = false;
    $('token').focus();
  }
  return tokenWanted.promise;
}

function onTokenSubmit(event) {
  event.preventDefault();
  const value = $('token').value.trim();
  if (!value || !tokenWanted) return;
  token = value;
  storeToken(value);
  $('token').value = '';
  $('token-form').hidden = true;
  const { resolve } = tokenWanted;
  tokenWanted = null;
  resolve();
}

/** Resolves with `promise`, or rejects as soon as `signal` aborts. */
function unlessAborted(promise, signal) {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    promise.then(resolve, reject);
  });
}

/** The message of an error answer: the API's error.message when it gave one. */
async function errorMessage(response) {
  try {
    const body = await response.json();
    const message = str(body && body.error && body.error.message);
    if (message) return message;
  } catch {
    // Not JSON: fall through to the status.
  }
  return `Le serveur a répondu ${response.status} ${response.statusText}`.trim();
}

async function apiFetch(path, init = {}) {
  for (;;) {
    const headers = new Headers(init.headers || {});
    if (token) headers.set('Authorization', `Bearer ${token}`);
    let response;
    try {
      response = await fetch(path, { ...init, headers, credentials: 'same-origin' });
    } catch (error) {
      if (error.name === 'AbortError') throw error;
      throw new ApiError(0, 'Le serveur ne répond pas. Vérifiez qu’il tourne toujours, puis réessayez.');
    }
    if (response.status === 401) {
      const refused = token !== '';
      const detail = await errorMessage(response);
      token = '';
      storeToken('');
      await unlessAborted(askForToken(refused
        ? `Le jeton a été refusé (${detail}). Saisissez-le à nouveau.`
        : `Ce serveur demande un jeton d'accès (${detail}).`), init.signal);
      continue;
    }
    if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
    return response;
  }
}

async function apiJson(path, init) {
  const response = await apiFetch(path, init);
  try {
    return await response.json();
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(response.status, 'Réponse illisible du serveur.');
  }
}

function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = false;
}

function clearError() {
  const box = $('error');
  box.textContent = '';
  box.hidden = true;
}

/** Shows an API failure, and ignores the aborts of superseded requests. */
function reportFailure(error) {
  if (error && error.name === 'AbortError') return;
  showError(error instanceof ApiError ? error.message : `Erreur inattendue : ${error}`);
}

/* ---------------------------------------------------------------------
 * 4. Highlighted text
 *
 * The API gives marks as UTF-8 byte offsets. Text is encoded to bytes,
 * sliced, and decoded back; JS string indices are never used with them.
 * ------------------------------------------------------------------- */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Marks that fit in `byteLength`, sorted, overlaps dropped (first wins). */
function usableMarks(marks, byteLength) {
  const valid = arr(marks).filter((m) => m
    && Number.isInteger(m.start) && Number.isInteger(m.end)
    && m.start >= 0 && m.start < m.end && m.end <= byteLength);
  valid.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept = [];
  let reached = 0;
  for (const m of valid) {
    if (m.start < reached) continue;
    kept.push(m);
    reached = m.end;
  }
  return kept;
}

/**
 * What a mark says about itself, e.g. "Chareh : variante orthographique
 * de al-Charaa". It names the query word typed; `via` (the spelling it
 * matched through) is added when it is neither that word nor the marked
 * text: one word of a longer spelling, as "el" of el-Chareh, reads
 * "el : autre nom (alias) de al-Charaa (« el-Chareh »)", not as an alias
 * of el-Chareh.
 */
function markDescription(text, mark) {
  const how = str(mark.how);
  const kind = KINDS[how] || 'correspondance';
  if (how === 'exact') return `${text} : ${kind}`;
  const fold = (s) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const same = (a, b) => fold(a) === fold(b);
  let via = str(mark.via);
  if (same(via, text)) via = '';
  let typed = str(mark.query);
  if (same(typed, text)) typed = '';
  if (!typed) {
    typed = via;
    via = '';
  }
  if (!typed) return `${text} : ${kind}`;
  if (via && !same(via, typed)) return `${text} : ${kind} de ${typed} (« ${via} »)`;
  return `${text} : ${kind} de ${typed}`;
}

/**
 * `text` with its marks as <mark data-how> elements. Marks are focusable
 * unless they sit inside a link (`focusable: false`), where a focus stop
 * inside the link would be invalid. Returns the fragment and, for each
 * mark, its element and byte range.
 */
function highlighted(text, marks, { focusable = true } = {}) {
  const bytes = encoder.encode(text);
  const fragment = document.createDocumentFragment();
  const placed = [];
  let at = 0;
  for (const m of usableMarks(marks, bytes.length)) {
    if (m.start > at) fragment.append(decoder.decode(bytes.subarray(at, m.start)));
    const matched = decoder.decode(bytes.subarray(m.start, m.end));
    const description = markDescription(matched, m);
    const how = str(m.how);
    const node = el('mark', {
      'data-how': Object.hasOwn(KINDS, how) ? how : null,
      title: description,
      'aria-description': description,
      tabindex: focusable ? '0' : null,
    }, matched);
    fragment.append(node);
    placed.push({ node, start: m.start, end: m.end });
    at = m.end;
  }
  if (at < bytes.length) fragment.append(decoder.decode(bytes.subarray(at)));
  return { fragment, placed, bytes };
}

/** The gap between two matched words of one name: spaces, hyphens, apostrophes. */
function joinsWords(gap) {
  return /^[ \-'’\u00a0]*$/.test(gap);
}

/**
 * Groups the marks of a passage into occurrences as a reader counts them
 * (and as the API's total_matches does): the words of one name matched
 * one by one (`al`, `Charaa`) are one occurrence.
 */
function occurrences(placed, bytes) {
  const groups = [];
  let last = null;
  for (const p of placed) {
    if (last && joinsWords(decoder.decode(bytes.subarray(last.end, p.start)))) {
      groups[groups.length - 1].push(p.node);
    } else {
      groups.push([p.node]);
    }
    last = p;
  }
  return groups;
}

/* ---------------------------------------------------------------------
 * 5. Search view
 * ------------------------------------------------------------------- */

let searchSeq = 0;            // bumps on each request; older answers are dropped
let searchAbort = null;       // AbortController of the request in flight
let typingTimer = 0;
let typingEntry = false;      // true once this typing run has its history entry

/** What #hits currently shows, to page on and to skip needless reloads. */
const shown = { key: '', count: 0 };

/** Spellings seen in answers, to still describe those the user unticked. */
const knownSpellings = new Map();

/** The /api/search parameters of the state (without paging). */
function searchParams(s) {
  const p = new URLSearchParams();
  p.set('q', s.q.trim());
  if (s.since) p.set('since', s.since);
  if (s.until) p.set('until', s.until);
  s.sources.forEach((v) => p.append('source', v));
  s.xsources.forEach((v) => p.append('xsource', v));
  s.xspell.forEach((v) => p.append('xspell', v));
  if (s.strict) p.set('strict', '1');
  if (s.group) p.set('group', 'article');
  if (s.sort === 'date') p.set('sort', 'date');
  return p;
}

function setBusy(section, busy) {
  $(section).setAttribute('aria-busy', busy ? 'true' : 'false');
}

/** Empties the results, for an empty query. */
function clearResults() {
  if (searchAbort) searchAbort.abort();
  searchSeq += 1;
  setBusy('results', false);
  showNoResults();
  $('welcome').hidden = false;
  renderFilters(null);
}

/**
 * Runs the search of the current state. With `append`, fetches the next
 * page and adds it under the hits shown. Only the answer to the latest
 * request is ever rendered.
 */
async function runSearch({ append = false } = {}) {
  if (!state.q.trim()) {
    clearResults();
    return;
  }
  const params = searchParams(state);
  const key = params.toString();
  if (append && key !== shown.key) return;
  const offset = append ? shown.count : 0;
  params.set('limit', String(PAGE_SIZE));
  if (offset) params.set('offset', String(offset));

  if (searchAbort) searchAbort.abort();
  const controller = new AbortController();
  searchAbort = controller;
  const seq = ++searchSeq;
  setBusy('results', true);
  $('welcome').hidden = true;
  $('more-results').disabled = true;
  try {
    const data = await apiJson(`/api/search?${params}`, { signal: controller.signal });
    if (seq !== searchSeq) return;
    clearError();
    renderSearch(data, key, append);
  } catch (error) {
    if (seq === searchSeq && error.name !== 'AbortError') {
      reportFailure(error);
      // A failed new search must not leave the previous query's hits looking current.
      if (!append) showNoResults();
    }
  } finally {
    if (seq === searchSeq) {
      setBusy('results', false);
      $('more-results').disabled = false;
      searchAbort = null;
    }
  }
}

/** After a failed search: nothing shown, and the next try fetches again. */
function showNoResults() {
  shown.key = '';
  shown.count = 0;
  $('hits').replaceChildren();
  $('totals').textContent = '';
  $('legend').hidden = true;
  $('empty').hidden = true;
  $('more-results').hidden = true;
}

function renderSearch(answer, key, append) {
  const data = answer || {};
  const hits = arr(data.hits);
  const total = state.group ? int(data.total_articles) : int(data.total_passages);
  const list = $('hits');
  let firstNew = null;
  if (!append) {
    list.replaceChildren();
    shown.count = 0;
    renderFilters(data);
  }
  for (const hit of hits) {
    const item = renderHit(hit);
    firstNew = firstNew || item;
    list.append(item);
  }
  shown.key = key;
  shown.count += hits.length;

  renderTotals(data);
  const none = !append && hits.length === 0;
  $('welcome').hidden = true;
  $('empty').hidden = !none;
  $('legend').hidden = none;
  const more = hits.length > 0 && shown.count < total && shown.count <= MAX_OFFSET;
  $('more-results').hidden = !more;
  // After "Plus de résultats", keyboard users land on the first new hit.
  if (append && firstNew) firstNew.focus();
  if (pendingReturn) returnToHit();
}

function renderTotals(data) {
  const passages = int(data.total_passages);
  const articles = int(data.total_articles);
  const common = Array.isArray(data.scoring_only) ? data.scoring_only.map(str).filter(Boolean) : [];
  const note = common.length
    ? ` · trop fréquent pour compter seul : ${common.join(', ')} (+${common[0]} pour l'exiger)`
    : '';
  $('totals').textContent = passages === 0
    ? ''
    : `${plural(passages, 'passage', 'passages')} dans ${plural(articles, 'article', 'articles')}${note}`;
}

/** A hit's title: a link to its site when its url is http(s), else text. */
function renderTitle(hit, tag, className) {
  const title = str(hit.title);
  const heading = el(tag, { class: className });
  const href = webUrl(hit.url);
  const { fragment } = title
    ? highlighted(title, hit.title_marks, { focusable: !href })
    : { fragment: el('span', { class: 'untitled' }, '(sans titre)') };
  heading.append(href ? externalLink(href, fragment) : fragment);
  return heading;
}

function renderMeta(hit) {
  const source = str(hit.source);
  return el('p', { class: 'hit-meta meta' },
    el('span', { class: 'hit-date' }, dateNode(hit.date)),
    el('span', { class: 'sep', 'aria-hidden': 'true' }, ' · '),
    el('span', { class: 'hit-source' }, source || 'source inconnue'));
}

function renderSnippet(hit) {
  const p = el('p', { class: 'snippet' });
  p.append(highlighted(str(hit.snippet), hit.snippet_marks).fragment);
  return p;
}

function passageAttr(hit) {
  return Number.isInteger(hit.passage) && hit.passage >= 0 ? String(hit.passage) : null;
}

function renderHit(hit) {
  const doc = str(hit.doc);
  const item = el('li', { class: 'hit', 'data-doc': doc, 'data-passage': passageAttr(hit), tabindex: '-1' });
  item.append(renderTitle(hit, 'h3', 'hit-title'), renderMeta(hit));
  if (str(hit.snippet)) item.append(renderSnippet(hit));
  if (hit.title_only === true) {
    item.append(el('p', { class: 'title-only' }, 'Seul le titre de l’article correspond.'));
  }

  const actions = el('div', { class: 'hit-actions' },
    el('button', {
      type: 'button', class: 'open-article', 'data-doc': doc, 'data-passage': passageAttr(hit),
    }, 'Voir l’article entier'));
  const copies = arr(hit.copies).map(str).filter(Boolean);
  if (copies.length) actions.append(renderCopies(copies));
  item.append(actions);

  const more = arr(hit.more);
  if (more.length) item.append(renderMorePassages(doc, more));
  return item;
}

/** "aussi dans N articles", opening onto the list of those articles. */
function renderCopies(copies) {
  return el('details', { class: 'copies' },
    el('summary', {}, `aussi dans ${plural(copies.length, 'article', 'articles')}`),
    el('ul', { class: 'copy-list' }, copies.map((doc) => el('li', {},
      el('button', { type: 'button', class: 'copy-doc link-button', 'data-doc': doc }, doc)))));
}

/** With group=article: the article's next best passages under its hit. */
function renderMorePassages(doc, more) {
  return el('ol', { class: 'more', 'aria-label': 'Autres passages de cet article' },
    more.map((hit) => el('li', { class: 'more-hit', 'data-passage': passageAttr(hit) },
      renderSnippet(hit),
      el('button', {
        type: 'button', class: 'open-passage link-button', 'data-doc': doc, 'data-passage': passageAttr(hit),
      }, 'Voir dans l’article'))));
}

function onHitsClick(event) {
  const button = event.target.closest('.open-article, .open-passage, .copy-doc');
  if (!button) return;
  const passage = Number.parseInt(button.getAttribute('data-passage') || '', 10);
  openArticle(button.getAttribute('data-doc') || '', Number.isInteger(passage) ? passage : null);
}

/* ---------------------------------------------------------------------
 * 6. Filters: dates, month histogram, sources, spellings
 * ------------------------------------------------------------------- */

/** How many filters narrow the search (the date range counts once). */
function activeFilters() {
  return (state.since || state.until ? 1 : 0) + state.sources.length
    + state.xsources.length + state.xspell.length;
}

/** Shows the clear button and, on the folded panel, how many filters are on. */
function renderFilterCount() {
  const n = activeFilters();
  $('clear-filters').hidden = n === 0;
  $('filters-count').textContent = n ? `(${plural(n, 'actif', 'actifs')})` : '';
}

/** Renders every filter from a search answer (null: no search). */
function renderFilters(data) {
  const facets = (data && data.facets) || {};
  renderMonths(arr(facets.months));
  renderSources(arr(facets.sources));
  renderSpellings(arr(data && data.spellings));
  renderChips();
  renderFilterCount();
}

/** Applies a filter change: new history entry, new search. */
function filtersChanged() {
  typingEntry = false;
  saveUrl('push');
  renderFilterCount();
  runSearch();
}

function onDateChange() {
  state.since = $('since').value;
  state.until = $('until').value;
  filtersChanged();
}

function clearFilters() {
  Object.assign(state, { since: '', until: '', sources: [], xsources: [], xspell: [] });
  syncControls();
  filtersChanged();
  $('filters-summary').focus();
}

// -- Month histogram ---------------------------------------------------

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined) node.setAttribute(name, String(value));
  }
  return append(node, children);
}

/** The first and last day of "YYYY-MM". */
function monthBounds(month) {
  const [y, m] = month.split('-').map(Number);
  return [`${month}-01`, `${month}-${String(lastDayOfMonth(y, m)).padStart(2, '0')}`];
}

/** Every month from `first` to `last` ("YYYY-MM"), or null past `cap`. */
function monthsBetween(first, last, cap) {
  let [y, m] = first.split('-').map(Number);
  const out = [];
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    out.push(month);
    if (month >= last) return out;
    if (out.length > cap) return null;
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
}

function renderMonths(months) {
  const box = $('months');
  keepingFocus(box, ['data-month'], () => drawMonths(box, months));
}

/** The histogram itself: one bar per month, months without passages left empty. */
function drawMonths(box, months) {
  box.replaceChildren();
  const counts = new Map();
  for (const m of months) {
    const month = str(m && m.month);
    if (/^\d{4}-(0[1-9]|1[0-2])$/.test(month) && int(m.count) > 0) counts.set(month, int(m.count));
  }
  if (counts.size === 0) {
    if (state.q.trim()) box.append(el('p', { class: 'hint' }, 'Aucun passage daté.'));
    return;
  }
  const sorted = [...counts.keys()].sort();
  // Months without passages keep their place, so the bars read as a time line.
  const slots = monthsBetween(sorted[0], sorted[sorted.length - 1], 600) || sorted;
  const max = Math.max(...counts.values());
  const slotWidth = 10;
  const height = 50;
  const chart = svg('svg', {
    class: 'months-chart',
    viewBox: `0 0 ${slots.length * slotWidth} ${height}`,
    preserveAspectRatio: 'none',
    role: 'group',
    'aria-label': `Passages par mois, de ${sorted[0]} à ${sorted[sorted.length - 1]}`,
  });
  // A chart of a few months stays narrow instead of stretching its bars.
  chart.style.width = `min(100%, ${slots.length * 1.75}rem)`;

  slots.forEach((month, i) => {
    const n = counts.get(month);
    if (!n) return;
    const [first, last] = monthBounds(month);
    const selected = state.since === first && state.until === last;
    const label = `${month} : ${plural(n, 'passage', 'passages')}`;
    const barHeight = Math.max(2, (n / max) * (height - 2));
    chart.append(svg('g', { class: 'month' },
      // The whole column is clickable, not only the (maybe tiny) bar.
      svg('rect', { class: 'month-area', x: i * slotWidth, y: 0, width: slotWidth, height }),
      svg('rect', {
        class: selected ? 'bar selected' : 'bar',
        'data-month': month,
        x: i * slotWidth + 1,
        y: height - barHeight,
        width: slotWidth - 2,
        height: barHeight,
        tabindex: 0,
        role: 'button',
        'aria-label': label,
        'aria-pressed': selected ? 'true' : 'false',
      }, svg('title', {}, label))));
  });
  box.append(chart, el('p', { class: 'months-axis', 'aria-hidden': 'true' },
    el('span', {}, sorted[0]), el('span', {}, sorted[sorted.length - 1])));
}

/** A month clicked: the date range becomes that month, or is cleared if it was. */
function pickMonth(month) {
  const [first, last] = monthBounds(month);
  const again = state.since === first && state.until === last;
  state.since = again ? '' : first;
  state.until = again ? '' : last;
  $('since').value = state.since;
  $('until').value = state.until;
  filtersChanged();
}

function monthOf(target) {
  const group = target instanceof Element ? target.closest('g.month') : null;
  const bar = group && group.querySelector('[data-month]');
  return bar ? bar.getAttribute('data-month') : null;
}

function onMonthsClick(event) {
  const month = monthOf(event.target);
  if (month) pickMonth(month);
}

function onMonthsKey(event) {
  if (event.key !== 'Enter' && event.key !== ' ') return;
  const month = event.target instanceof Element && event.target.getAttribute('data-month');
  if (!month) return;
  event.preventDefault();
  pickMonth(month);
}

// -- Sources -----------------------------------------------------------

function renderSources(sources) {
  const list = $('sources');
  keepingFocus(list, ['data-keep', 'data-exclude'], () => {
    list.replaceChildren();
    for (const s of sources) {
      const name = str(s && s.name);
      if (!name) continue;
      const kept = state.sources.includes(name);
      list.append(el('li', { class: 'facet-item' },
        el('span', { class: 'facet-name' }, name),
        el('span', { class: 'facet-count' }, numberFormat.format(int(s.count))),
        el('span', { class: 'facet-actions' },
          el('button', {
            type: 'button', class: 'facet-button', 'data-keep': name,
            'aria-pressed': kept ? 'true' : 'false', 'aria-label': `Garder seulement ${name}`,
          }, 'garder'),
          el('button', {
            type: 'button', class: 'facet-button', 'data-exclude': name,
            'aria-pressed': 'false', 'aria-label': `Exclure ${name}`,
          }, 'exclure'))));
    }
    if (!list.children.length && state.q.trim()) {
      list.append(el('li', { class: 'hint' }, 'Aucune source.'));
    }
  });
}

/** The kept ("seulement") and excluded ("sauf") sources, each removable. */
function renderChips() {
  const chips = $('source-chips');
  const chip = (kind, name, prefix, attr) => el('li', { class: `chip chip-${kind}` },
    el('span', {}, `${prefix} `, el('strong', {}, name)),
    el('button', {
      type: 'button', class: 'chip-remove', [attr]: name,
      'aria-label': `Retirer le filtre « ${prefix.toLowerCase()} ${name} »`, title: 'Retirer',
    }, '×'));
  keepingFocus(chips, ['data-unkeep', 'data-unexclude'], () => chips.replaceChildren(
    ...state.sources.map((name) => chip('keep', name, 'Seulement', 'data-unkeep')),
    ...state.xsources.map((name) => chip('exclude', name, 'Sauf', 'data-unexclude'))));
  chips.hidden = chips.children.length === 0;
}

function toggleIn(values, value, on) {
  const rest = values.filter((v) => v !== value);
  return on ? [...rest, value] : rest;
}

function onSourcesClick(event) {
  const button = event.target.closest('button');
  if (!button) return;
  const kept = button.getAttribute('data-keep');
  const excluded = button.getAttribute('data-exclude');
  if (kept !== null) {
    // "garder" toggles: a second press lets the other sources back in.
    state.sources = toggleIn(state.sources, kept, !state.sources.includes(kept));
    state.xsources = toggleIn(state.xsources, kept, false);
  } else if (excluded !== null) {
    state.xsources = toggleIn(state.xsources, excluded, true);
    state.sources = toggleIn(state.sources, excluded, false);
  } else {
    return;
  }
  renderChips();
  if (excluded !== null) {
    // The excluded source leaves the list; its chip is where focus goes.
    const [chipButton] = withData($('source-chips'), 'data-unexclude', excluded);
    if (chipButton) chipButton.focus();
  }
  filtersChanged();
}

function onChipsClick(event) {
  const button = event.target.closest('button');
  if (!button) return;
  if (button.hasAttribute('data-unkeep')) {
    state.sources = toggleIn(state.sources, button.getAttribute('data-unkeep'), false);
  } else if (button.hasAttribute('data-unexclude')) {
    state.xsources = toggleIn(state.xsources, button.getAttribute('data-unexclude'), false);
  } else {
    return;
  }
  renderChips();
  $('sources-title').focus();
  filtersChanged();
}

// -- Spellings -----------------------------------------------------------

/** "variante orthographique de al-Charaa" for a spelling entry. */
function spellingKind(spelling, info) {
  const how = str(info && info.how);
  const kind = KINDS[how] || '';
  const via = str(info && info.via);
  if (!kind) return '';
  return via && how !== 'exact' && via.toLowerCase() !== spelling.toLowerCase() ? `${kind} de ${via}` : kind;
}

function spellingItem(spelling, info, passages, excluded) {
  const how = str(info && info.how);
  const kind = spellingKind(spelling, info);
  return el('li', { class: excluded ? 'spelling excluded' : 'spelling' },
    el('label', {},
      el('input', { type: 'checkbox', 'data-spelling': spelling, checked: !excluded }),
      el('span', { class: 'spelling-text' },
        el('span', { class: 'swatch', 'data-how': Object.hasOwn(KINDS, how) ? how : null }, spelling),
        kind ? el('span', { class: 'spelling-kind' }, kind) : null,
        el('span', { class: 'spelling-count' },
          excluded ? 'exclue de la recherche' : plural(passages, 'passage', 'passages')))));
}

/**
 * One checkbox per spelling found, ticked; the spellings the user
 * unticked (xspell) stay listed, unticked, though the API no longer
 * returns them.
 */
function renderSpellings(spellings) {
  const list = $('spellings');
  keepingFocus(list, ['data-spelling'], () => {
    list.replaceChildren();
    const listed = new Set();
    for (const s of spellings) {
      const spelling = str(s && s.spelling);
      if (!spelling || listed.has(spelling) || state.xspell.includes(spelling)) continue;
      listed.add(spelling);
      knownSpellings.set(spelling, { how: str(s.how), via: str(s.via) });
      list.append(spellingItem(spelling, s, int(s.passages), false));
    }
    for (const spelling of state.xspell) {
      list.append(spellingItem(spelling, knownSpellings.get(spelling), 0, true));
    }
    if (!list.children.length && state.q.trim()) {
      list.append(el('li', { class: 'hint' }, 'Aucune graphie.'));
    }
  });
}

function onSpellingChange(event) {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.hasAttribute('data-spelling')) return;
  state.xspell = toggleIn(state.xspell, box.getAttribute('data-spelling'), !box.checked);
  filtersChanged();
}

/* ---------------------------------------------------------------------
 * 7. Article view
 * ------------------------------------------------------------------- */

let articleSeq = 0;
let articleAbort = null;
let articleKey = '';            // doc + query of the article shown
const matchNav = { groups: [], current: -1 };
let pendingReturn = null;       // { doc } to focus again back in the results

function openArticle(doc, passage) {
  if (!doc) return;
  clearTimeout(typingTimer);
  typingEntry = false;
  state.view = 'article';
  state.doc = doc;
  state.passage = passage;
  saveUrl('push', { fromResults: true });
  applyState();
}

/** "Retour aux résultats": back in history when the results are the entry before. */
function backToResults() {
  pendingReturn = { doc: state.doc };
  if (history.state && history.state.fromResults) {
    history.back();
    return;
  }
  state.view = 'search';
  state.doc = '';
  state.passage = null;
  saveUrl('push');
  applyState();
}

/** Back in the results: focus the hit the article was opened from. */
function returnToHit() {
  const doc = pendingReturn && pendingReturn.doc;
  pendingReturn = null;
  const [button] = withData($('hits'), 'data-doc', doc || '')
    .filter((node) => node.classList.contains('open-article'));
  if (button) {
    button.focus({ preventScroll: true });
    button.closest('.hit').scrollIntoView({ block: 'center' });
  }
}

async function loadArticle() {
  const params = new URLSearchParams();
  if (state.q.trim()) params.set('q', state.q.trim());
  if (state.strict) params.set('strict', '1');
  const key = `${state.doc}\n${params}`;
  if (key === articleKey) {
    document.title = `${$('article-title').textContent} — recoupe`;
    showWantedPassage();
    return;
  }
  if (articleAbort) articleAbort.abort();
  const controller = new AbortController();
  articleAbort = controller;
  const seq = ++articleSeq;
  setBusy('article', true);
  resetArticle();
  try {
    const query = params.toString();
    const data = await apiJson(`/api/article/${encodeURIComponent(state.doc)}${query ? `?${query}` : ''}`,
      { signal: controller.signal });
    if (seq !== articleSeq) return;
    clearError();
    articleKey = key;
    renderArticle(data);
    showWantedPassage();
  } catch (error) {
    if (seq === articleSeq && error.name !== 'AbortError') {
      reportFailure(error);
      $('article-title').textContent = error.status === 404 ? 'Article introuvable' : 'Article non chargé';
    }
  } finally {
    if (seq === articleSeq) {
      setBusy('article', false);
      articleAbort = null;
    }
  }
}

function resetArticle() {
  articleKey = '';
  $('article-title').textContent = 'Chargement de l’article…';
  $('article-meta').replaceChildren();
  $('article-link').replaceChildren();
  $('article-body').replaceChildren();
  matchNav.groups = [];
  matchNav.current = -1;
  updateMatchCount();
}

function renderArticle(answer) {
  const data = answer || {};
  const title = str(data.title);
  const heading = $('article-title');
  heading.replaceChildren(title
    ? highlighted(title, data.title_matches).fragment
    : el('span', { class: 'untitled' }, '(sans titre)'));
  document.title = `${title || 'Article'} — recoupe`;

  const source = str(data.source);
  $('article-meta').replaceChildren(
    el('span', { class: 'hit-date' }, dateNode(data.date)),
    el('span', { class: 'sep', 'aria-hidden': 'true' }, ' · '),
    el('span', { class: 'hit-source' }, source || 'source inconnue'),
    el('span', { class: 'sep', 'aria-hidden': 'true' }, ' · '),
    el('span', { class: 'article-doc' }, 'identifiant : ', el('code', {}, str(data.doc) || state.doc)));

  const href = webUrl(data.url);
  $('article-link').replaceChildren(href
    ? append(document.createDocumentFragment(), ['Article d’origine : ', externalLink(href, str(data.url))])
    : '');

  const body = $('article-body');
  const groups = [];
  for (const passage of arr(data.passages)) {
    const entry = passage || {};
    const number = Number.isInteger(entry.passage) ? entry.passage : null;
    const { fragment, placed, bytes } = highlighted(str(entry.text), entry.matches);
    const p = el('p', { class: 'passage-text' });
    p.append(fragment);
    body.append(el('div', { class: 'passage', 'data-passage': number }, p));
    for (const group of occurrences(placed, bytes)) {
      group.forEach((node) => { node.dataset.occurrence = String(groups.length); });
      groups.push(group);
    }
  }
  if (!body.children.length) body.append(el('p', { class: 'empty' }, 'Cet article n’a aucun passage.'));
  matchNav.groups = groups;
  matchNav.current = -1;
  updateMatchCount();
}

/**
 * Marks the passage the article was opened from (a hit's passage), makes
 * its first match the current occurrence and scrolls to it.
 */
function showWantedPassage() {
  $('article-title').focus({ preventScroll: true });
  const body = $('article-body');
  for (const old of body.querySelectorAll('.from-hit')) old.classList.remove('from-hit');
  for (const old of body.querySelectorAll('.from-hit-label')) old.remove();
  const [block] = state.passage === null ? [] : withData(body, 'data-passage', String(state.passage));
  if (!block) {
    window.scrollTo(0, 0);
    return;
  }
  block.classList.add('from-hit');
  block.prepend(el('p', { class: 'from-hit-label' }, 'Passage trouvé'));
  const mark = block.querySelector('mark[data-occurrence]');
  if (mark) setCurrentMatch(Number(mark.dataset.occurrence), false);
  block.scrollIntoView({ block: 'center' });
}

function updateMatchCount() {
  const total = matchNav.groups.length;
  $('match-count').textContent = `${matchNav.current + 1} / ${total}`;
  $('prev-match').disabled = total === 0;
  $('next-match').disabled = total === 0;
}

/** Makes occurrence `index` the current one; `focus` also moves focus and scrolls to it. */
function setCurrentMatch(index, focus) {
  for (const node of matchNav.groups[matchNav.current] || []) node.classList.remove('current');
  matchNav.current = index;
  const group = matchNav.groups[index] || [];
  for (const node of group) node.classList.add('current');
  updateMatchCount();
  if (focus && group[0]) {
    group[0].focus({ preventScroll: true });
    group[0].scrollIntoView({ block: 'center' });
  }
}

/** Next (+1) or previous (-1) occurrence, wrapping around. */
function stepMatch(delta) {
  const total = matchNav.groups.length;
  if (!total) return;
  const from = matchNav.current;
  const next = from < 0 ? (delta > 0 ? 0 : total - 1) : (from + delta + total) % total;
  setCurrentMatch(next, true);
}

/** Tabbing onto a mark makes it the current occurrence, so n / p go on from there. */
function onArticleFocus(event) {
  const node = event.target;
  if (node instanceof HTMLElement && node.dataset.occurrence !== undefined) {
    const index = Number(node.dataset.occurrence);
    if (index !== matchNav.current) setCurrentMatch(index, false);
  }
}

/* ---------------------------------------------------------------------
 * 8. Batch view
 * ------------------------------------------------------------------- */

let batchSeq = 0;
let batchAbort = null;
let batchRows = [];                               // the last answer's names
const batchSort = { key: '', dir: 'none' };       // '' = order of the answer

/** The names of the textarea: one a line, blank lines dropped. */
function batchNames() {
  return $('batch-names').value.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
}

/** The batch uses the search's strictness and date range; this says so. */
function renderBatchScope() {
  const period = state.since || state.until
    ? `Période : ${state.since ? `du ${formatDay(state.since)}` : 'depuis le début'} ${state.until ? `au ${formatDay(state.until)}` : 'à aujourd’hui'}.`
    : 'Période : toutes les dates.';
  const strict = state.strict ? 'Orthographe stricte (sans variantes).' : 'Toutes les graphies de chaque nom sont cherchées.';
  $('batch-scope').textContent = `${period} ${strict} Ces réglages sont ceux de la page de recherche.`;
}

function batchQuery(format) {
  const p = new URLSearchParams();
  if (format) p.set('format', format);
  if (state.strict) p.set('strict', '1');
  if (state.since) p.set('since', state.since);
  if (state.until) p.set('until', state.until);
  const query = p.toString();
  return `/api/batch${query ? `?${query}` : ''}`;
}

/** The names to send, or null after saying why there are none to send. */
function checkedBatchNames() {
  const names = batchNames();
  if (!names.length) {
    showError('Indiquez au moins un nom, un par ligne.');
    return null;
  }
  if (names.length > MAX_BATCH_NAMES) {
    showError(`${numberFormat.format(names.length)} noms : la recherche par lot en prend ${MAX_BATCH_NAMES} au plus.`);
    return null;
  }
  return names;
}

function batchRequest(names, signal) {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    body: names.join('\n'),
    signal,
  };
}

async function runBatch(event) {
  if (event) event.preventDefault();
  const names = checkedBatchNames();
  if (!names) return;
  if (batchAbort) batchAbort.abort();
  const controller = new AbortController();
  batchAbort = controller;
  const seq = ++batchSeq;
  setBusy('batch', true);
  $('batch-summary').textContent = 'Recherche en cours…';
  try {
    const data = await apiJson(batchQuery(''), batchRequest(names, controller.signal));
    if (seq !== batchSeq) return;
    clearError();
    batchRows = arr(data && data.names).map(batchRow);
    batchSort.key = '';
    batchSort.dir = 'none';
    renderBatch();
  } catch (error) {
    if (seq === batchSeq) {
      $('batch-summary').textContent = '';
      reportFailure(error);
    }
  } finally {
    if (seq === batchSeq) {
      setBusy('batch', false);
      batchAbort = null;
    }
  }
}

/** One name of the answer, read defensively. */
function batchRow(entry, index) {
  const spellings = arr(entry && entry.spellings).map((s) => ({
    spelling: str(s && s.spelling), how: str(s && s.how), via: str(s && s.via), passages: int(s && s.passages),
  })).filter((s) => s.spelling);
  return {
    index,
    name: str(entry && entry.name),
    passages: int(entry && entry.passages),
    articles: int(entry && entry.articles),
    first_date: str(entry && entry.first_date),
    last_date: str(entry && entry.last_date),
    spellings,
    spellingsText: spellings.map((s) => s.spelling).join(', '),
  };
}

/** Sort order of a column: names and spellings alphabetical, undated last. */
function compareRows(key) {
  const collator = new Intl.Collator('fr', { sensitivity: 'base', numeric: true });
  switch (key) {
    case 'passages':
    case 'articles':
      return (a, b) => a[key] - b[key];
    case 'first_date':
    case 'last_date':
      return (a, b) => a[key].localeCompare(b[key]);
    case 'spellings':
      return (a, b) => collator.compare(a.spellingsText, b.spellingsText);
    default:
      return (a, b) => collator.compare(a.name, b.name);
  }
}

function sortedBatchRows() {
  if (!batchSort.key) return batchRows;
  const compare = compareRows(batchSort.key);
  const sign = batchSort.dir === 'descending' ? -1 : 1;
  const isDate = batchSort.key.endsWith('_date');
  return [...batchRows].sort((a, b) => {
    if (isDate && !a[batchSort.key] !== !b[batchSort.key]) return a[batchSort.key] ? -1 : 1;
    return sign * compare(a, b) || a.index - b.index;
  });
}

function renderBatch() {
  const table = $('batch-table');
  const found = batchRows.filter((r) => r.passages > 0).length;
  $('batch-summary').textContent = `${plural(batchRows.length, 'nom cherché', 'noms cherchés')}, `
    + `${plural(found, 'trouvé', 'trouvés')}, ${plural(batchRows.length - found, 'sans résultat', 'sans résultat')}.`;
  table.hidden = batchRows.length === 0;
  for (const th of table.querySelectorAll('thead th')) {
    const key = th.querySelector('button').getAttribute('data-sort-key');
    th.setAttribute('aria-sort', key === batchSort.key ? batchSort.dir : 'none');
  }
  $('batch-rows').replaceChildren(...sortedBatchRows().map(renderBatchRow));
}

function renderBatchRow(row) {
  const searchHref = urlFromState({ ...emptyState(), q: row.name, strict: state.strict, since: state.since, until: state.until });
  const spellings = el('td', { class: 'batch-spellings' });
  row.spellings.forEach((s, i) => {
    if (i) spellings.append(', ');
    const description = spellingKind(s.spelling, s);
    spellings.append(el('span', {
      class: 'swatch', 'data-how': Object.hasOwn(KINDS, s.how) ? s.how : null,
      title: description || null,
    }, s.spelling), ` (${numberFormat.format(s.passages)})`);
  });
  if (!row.spellings.length) spellings.append(el('span', { class: 'muted' }, '—'));
  return el('tr', { class: row.passages === 0 ? 'zero' : null },
    el('th', { scope: 'row' }, el('a', { href: searchHref, class: 'batch-name', 'data-name': row.name }, row.name)),
    el('td', { class: 'num' }, numberFormat.format(row.passages)),
    el('td', { class: 'num' }, numberFormat.format(row.articles)),
    el('td', {}, row.first_date ? dateNode(row.first_date) : el('span', { class: 'muted' }, '—')),
    el('td', {}, row.last_date ? dateNode(row.last_date) : el('span', { class: 'muted' }, '—')),
    spellings);
}

/** A column header clicked: sort by it, or flip the order when it already sorts. */
function onBatchHeadClick(event) {
  const button = event.target.closest('button[data-sort-key]');
  if (!button) return;
  const key = button.getAttribute('data-sort-key');
  if (batchSort.key === key) {
    batchSort.dir = batchSort.dir === 'ascending' ? 'descending' : 'ascending';
  } else {
    batchSort.key = key;
    // Counts read best biggest first; names and dates in reading order.
    batchSort.dir = key === 'passages' || key === 'articles' ? 'descending' : 'ascending';
  }
  renderBatch();
}

/** A name in the table opens its search in this page. */
function onBatchRowsClick(event) {
  const link = event.target.closest('a.batch-name');
  if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  state = stateFromUrl(new URL(link.href).search);
  typingEntry = false;
  saveUrl('push');
  applyState();
  $('q').focus();
}

/** POSTs the names with format=csv and saves the answer as recoupe-lot.csv. */
async function downloadCsv() {
  const names = checkedBatchNames();
  if (!names) return;
  const button = $('batch-csv');
  button.disabled = true;
  setBusy('batch', true);
  try {
    const response = await apiFetch(batchQuery('csv'), batchRequest(names));
    const blob = await response.blob();
    clearError();
    const url = URL.createObjectURL(blob.type ? blob : new Blob([blob], { type: 'text/csv' }));
    const link = el('a', { href: url, download: 'recoupe-lot.csv', hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (error) {
    reportFailure(error);
  } finally {
    button.disabled = false;
    setBusy('batch', batchAbort !== null);
  }
}

function rememberBatchNames() {
  try {
    sessionStorage.setItem(BATCH_NAMES_KEY, $('batch-names').value);
  } catch {
    // Storage disabled: the names are only lost on reload.
  }
}

function restoreBatchNames() {
  try {
    $('batch-names').value = sessionStorage.getItem(BATCH_NAMES_KEY) || '';
  } catch {
    // Nothing to restore.
  }
}

/* ---------------------------------------------------------------------
 * 9. Views, events and start-up
 * ------------------------------------------------------------------- */

/** Puts the state into the form controls. */
function syncControls() {
  if ($('q').value !== state.q) $('q').value = state.q;
  $('since').value = state.since;
  $('until').value = state.until;
  $('group').checked = state.group;
  $('strict').checked = state.strict;
  $('sort').value = state.sort;
}

function showView(view) {
  $('search-view').hidden = view !== 'search';
  $('article').hidden = view !== 'article';
  $('batch').hidden = view !== 'batch';
  $('search-form').hidden = view === 'batch';
  updateNavLinks();
}

/** Shows the state's view and loads what it needs. */
function applyState() {
  syncControls();
  showView(state.view);
  if (state.view === 'article') {
    loadArticle();
    return;
  }
  // An article still loading is no longer wanted.
  if (articleAbort) articleAbort.abort();
  if (state.view === 'batch') {
    document.title = 'Recherche par lot — recoupe';
    renderBatchScope();
    return;
  }
  document.title = state.q.trim() ? `${state.q.trim()} — recoupe` : 'recoupe';
  const key = state.q.trim() ? searchParams(state).toString() : '';
  if (key && key === shown.key) {
    // Back from an article: the results are still there, as they were.
    renderChips();
    renderFilterCount();
    if (pendingReturn) returnToHit();
    return;
  }
  runSearch();
}

function onQueryInput() {
  state.q = $('q').value;
  if (state.view !== 'search') {
    state.view = 'search';
    state.doc = '';
    state.passage = null;
    showView('search');
  }
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => {
    // A run of typing makes one history entry, updated as it goes.
    saveUrl(typingEntry ? 'replace' : 'push');
    typingEntry = true;
    document.title = state.q.trim() ? `${state.q.trim()} — recoupe` : 'recoupe';
    runSearch();
  }, TYPING_DELAY_MS);
}

function onSearchSubmit(event) {
  event.preventDefault();
  clearTimeout(typingTimer);
  state.q = $('q').value;
  typingEntry = false;
  if (state.view !== 'search') {
    state.view = 'search';
    state.doc = '';
    state.passage = null;
    showView('search');
  }
  saveUrl('push');
  runSearch();
}

/** Grouping, strictness, sort order: committed at once. */
function onOptionChange() {
  state.group = $('group').checked;
  state.strict = $('strict').checked;
  state.sort = $('sort').value === 'date' ? 'date' : 'relevance';
  filtersChanged();
}

function onPopState() {
  clearTimeout(typingTimer);
  typingEntry = false;
  state = stateFromUrl(location.search);
  applyState();
}

/** "/" focuses the search box; in an article, n and p step through occurrences. */
function onKeyDown(event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (isTyping(event.target)) return;
  if (event.key === '/') {
    event.preventDefault();
    if (state.view === 'batch') {
      state.view = 'search';
      saveUrl('push');
      applyState();
    }
    $('q').focus();
    $('q').select();
  } else if (state.view === 'article' && (event.key === 'n' || event.key === 'p')) {
    event.preventDefault();
    stepMatch(event.key === 'n' ? 1 : -1);
  }
}

/** In-page navigation for the header links (plain clicks only). */
function onNavClick(event) {
  const link = event.target.closest('a');
  if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
  let next;
  if (link.id === 'nav-batch') next = { ...state, view: 'batch' };
  else if (link.id === 'nav-search') next = { ...state, view: 'search', doc: '', passage: null };
  else if (link.id === 'home') next = emptyState();
  else return;
  event.preventDefault();
  clearTimeout(typingTimer);
  typingEntry = false;
  state = next;
  saveUrl('push');
  applyState();
  if (state.view === 'batch') $('batch-title').focus();
  else $('q').focus();
}

/** The filters are open beside the results on wide screens, folded above them on narrow ones. */
function fitFiltersToScreen() {
  const wide = window.matchMedia('(min-width: 56rem)');
  const fit = () => { $('filters-details').open = wide.matches; };
  fit();
  wide.addEventListener('change', fit);
}

function start() {
  $('search-form').addEventListener('submit', onSearchSubmit);
  $('q').addEventListener('input', onQueryInput);
  for (const id of ['group', 'strict', 'sort']) $(id).addEventListener('change', onOptionChange);
  $('since').addEventListener('change', onDateChange);
  $('until').addEventListener('change', onDateChange);
  $('clear-filters').addEventListener('click', clearFilters);
  $('months').addEventListener('click', onMonthsClick);
  $('months').addEventListener('keydown', onMonthsKey);
  $('sources').addEventListener('click', onSourcesClick);
  $('source-chips').addEventListener('click', onChipsClick);
  $('spellings').addEventListener('change', onSpellingChange);
  $('hits').addEventListener('click', onHitsClick);
  $('more-results').addEventListener('click', () => runSearch({ append: true }));

  $('back').addEventListener('click', backToResults);
  $('prev-match').addEventListener('click', () => stepMatch(-1));
  $('next-match').addEventListener('click', () => stepMatch(1));
  $('article-body').addEventListener('focusin', onArticleFocus);

  $('batch-form').addEventListener('submit', runBatch);
  $('batch-csv').addEventListener('click', downloadCsv);
  $('batch-names').addEventListener('input', rememberBatchNames);
  $('batch-table').querySelector('thead').addEventListener('click', onBatchHeadClick);
  $('batch-rows').addEventListener('click', onBatchRowsClick);

  $('token-form').addEventListener('submit', onTokenSubmit);
  document.querySelector('.site-header').addEventListener('click', onNavClick);
  document.addEventListener('keydown', onKeyDown);
  window.addEventListener('popstate', onPopState);

  // Headings that take focus after a change of view or filter.
  $('sources-title').tabIndex = -1;

  fitFiltersToScreen();
  restoreBatchNames();
  state = stateFromUrl(location.search);
  applyState();
  if (state.view === 'search' && !state.q) $('q').focus();
}

start();
