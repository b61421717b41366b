// Shared by every page: messages (en/zh), the language switch, the API client (same origin
// only), the token kept in session storage, and small DOM helpers.
const LANG_KEY = 'consentd.lang';
const TOKEN_KEY = 'consentd.token';
let messages = {};

export function lang() {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'en' || saved === 'zh') return saved;
  return (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

// t('key', {n: 3}) → the message with {n} replaced; the key itself when missing (visible in
// tests and never silently blank).
export function t(key, vars = {}) {
  const m = messages[key];
  if (m === undefined) return key;
  return m.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : '{' + k + '}'));
}

function applyMessages(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  if (document.body.dataset.title) document.title = t(document.body.dataset.title) + ' · consentd';
}

const listeners = [];
// What each result box shows, as a function of data already fetched: run again after a
// language switch, so answers on screen change language too without asking the node again.
const views = new Map();
export function view(box, render) {
  views.set(box, render);
  render();
}
// Called after the messages load and again after every language switch.
export function onMessages(fn) {
  listeners.push(fn);
}

// Both languages are fetched once, at load: after that, switching needs no network (the
// verifier works offline once loaded).
const catalogs = {};
async function fetchCatalog(code) {
  const res = await fetch('messages/' + code + '.json');
  if (!res.ok) throw new Error('messages/' + code + '.json: HTTP ' + res.status);
  catalogs[code] = await res.json();
}

async function loadMessages(code) {
  if (!catalogs[code]) await fetchCatalog(code);
  messages = catalogs[code];
  document.documentElement.lang = code === 'zh' ? 'zh-CN' : 'en';
  applyMessages();
  for (const render of views.values()) render();
  const sw = document.getElementById('lang-switch');
  if (sw) {
    sw.textContent = code === 'zh' ? 'English' : '中文';
    sw.setAttribute('lang', code === 'zh' ? 'en' : 'zh-CN');
  }
  for (const fn of listeners) fn();
}

export async function init() {
  const page = document.body.dataset.page;
  for (const a of document.querySelectorAll('header nav a')) {
    if (a.dataset.page === page) a.setAttribute('aria-current', 'page');
  }
  const sw = document.getElementById('lang-switch');
  if (sw) {
    sw.addEventListener('click', () => {
      const next = lang() === 'zh' ? 'en' : 'zh';
      localStorage.setItem(LANG_KEY, next);
      loadMessages(next);
    });
  }
  await Promise.all(['en', 'zh'].map(fetchCatalog));
  await loadMessages(lang());
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}
export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// GET a path of this node's API (same origin: the page's CSP allows nothing else). `auth`:
// true sends this session's token and needs one; 'optional' sends it when there is one (a
// block's transaction list is the caller's visible part: docs/API.md, "Access").
export async function fetchApi(path, { auth = false, raw = false } = {}) {
  const headers = {};
  if (auth === true && !token()) throw new ApiError(0, 'auth_required', t('error.no_token'));
  if (auth && token()) headers.Authorization = 'Bearer ' + token();
  let res;
  try {
    res = await fetch(path, { headers });
  } catch (e) {
    throw new ApiError(0, 'network', t('error.network') + ' ' + e.message);
  }
  if (!res.ok) {
    let code = 'http_' + res.status;
    let message = res.statusText;
    try {
      const body = await res.json();
      if (body && body.error) ({ code, message } = body.error);
    } catch { /* not JSON */ }
    throw new ApiError(res.status, code, message);
  }
  return raw ? res : res.json();
}

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

export function time(ms) {
  if (!Number.isFinite(ms)) return '';
  return new Date(ms).toISOString().replace('T', ' ').replace('.000Z', 'Z');
}

// A definition list of [label key, value] pairs; values may be nodes.
export function dl(pairs) {
  return el('dl', { class: 'fields' }, pairs.flatMap(([k, v]) => [el('dt', { text: t(k) }), el('dd', {}, v)]));
}

export function showError(node, err) {
  clear(node).append(el('p', { class: 'error', role: 'alert' },
    el('strong', { text: t('error.title') + ' ' }), el('code', { text: err.code || 'error' }), ' ', err.message || String(err)));
}

export function short(hex) {
  return typeof hex === 'string' && hex.length > 16 ? hex.slice(0, 8) + '…' + hex.slice(-6) : hex;
}

export function json(value) {
  return el('pre', { class: 'json', tabindex: '0' }, JSON.stringify(value, null, 2));
}
