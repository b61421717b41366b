// The explorer: status, validators, peers and the latest blocks, kept live by the node's
// Server-Sent Events stream (/v1/events); block, tx and consent views; a subject's history
// (needs a token, kept in session storage by the auditor page).
import { clear, dl, el, fetchApi, init, json, onMessages, short, showError, t, time, view } from './common.js';

const $ = (id) => document.getElementById(id);
const MAX_BLOCKS = 10;
let status = null;
let validators = null;
const blocks = [];  // newest first: {height, hash, time_ms, tx_count}
let liveState = 'connecting';

function renderStatus() {
  const box = clear($('status'));
  if (!status) return;
  box.append(dl([
    ['field.chain', status.chain_id],
    ['field.height', el('strong', { id: 'height', text: String(status.height) })],
    ['field.time', time(status.time_ms)],
    ['field.round', status.round + ' · ' + status.step],
    ['field.peers', String(status.peers.length)],
    ['field.mempool', String(status.mempool_size)],
    ['field.ready', status.ready ? t('yes') : t('no')],
    ['field.node_key', el('code', { text: status.node_key })],
  ]));
  const peers = clear($('peers'));
  peers.append(el('ul', { class: 'plain' }, status.peers.map((p) =>
    el('li', {}, el('code', { text: short(p.key) }), ' ', p.remote, ' (', p.direction, ')'))));
  $('live').textContent = t('live.' + liveState);
  $('live').dataset.state = liveState;
}

function renderValidators() {
  const box = clear($('validators'));
  if (!validators) return;
  box.append(dl([
    ['field.validators', t('explorer.validators.count', { n: validators.size, q: validators.quorum })],
    ['field.validator_set_hash', el('code', { text: validators.set_hash })],
  ]), el('ul', { class: 'plain keys' }, validators.validators.map((k) => el('li', {}, el('code', { text: k })))));
}

function renderBlocks() {
  const body = clear($('blocks').tBodies[0]);
  for (const b of blocks) {
    body.append(el('tr', { dataset: { height: b.height } },
      el('td', {}, el('a', { href: '?block=' + b.height, text: String(b.height) })),
      el('td', { text: time(b.time_ms) }), el('td', { text: String(b.tx_count) }),
      el('td', {}, el('code', { title: b.hash, text: short(b.hash) }))));
  }
}

function addBlock(b) {
  if (blocks.some((x) => x.height === b.height)) return;
  blocks.unshift(b);
  blocks.sort((a, c) => c.height - a.height);
  blocks.length = Math.min(blocks.length, MAX_BLOCKS);
  if (status && b.height > status.height) {
    status.height = b.height;
    status.time_ms = b.time_ms;
    status.block_hash = b.hash;
  }
  renderStatus();
  renderBlocks();
}

function live() {
  // Start a few blocks back so the table is full at once; EventSource resumes by itself with
  // Last-Event-ID after a dropped connection.
  const from = Math.max(1, (status ? status.height : 1) - MAX_BLOCKS + 1);
  const source = new EventSource('/v1/events?types=block&from_height=' + from);
  source.addEventListener('open', () => { liveState = 'open'; renderStatus(); });
  source.addEventListener('error', () => { liveState = 'reconnecting'; renderStatus(); });
  source.addEventListener('block', (e) => {
    liveState = 'open';
    addBlock(JSON.parse(e.data));
  });
}

async function showBlock(height) {
  const box = $('lookup');
  try {
    const b = await fetchApi('/v1/blocks/' + encodeURIComponent(height), { auth: 'optional' });
    view(box, () => clear(box).append(el('h3', { text: t('explorer.block', { h: b.header.height }) }), dl([
      ['field.hash', el('code', { text: b.hash })], ['field.time', time(b.header.time_ms)],
      ['field.proposer', el('code', { text: b.header.proposer })], ['field.txs', String(b.header.tx_count)],
      ['field.precommits', String(b.certificate.signatures.length)],
    ]), el('ul', { class: 'plain' }, b.tx_ids.map((id) =>
      el('li', {}, el('a', { href: '?tx=' + id }, el('code', { text: id })))))));
  } catch (e) {
    view(box, () => showError(box, e));
  }
}

async function showTx(id) {
  const box = $('lookup');
  try {
    const tx = await fetchApi('/v1/txs/' + encodeURIComponent(id), { auth: true });
    view(box, () => renderTx(box, tx));
  } catch (e) {
    view(box, () => showError(box, e));
  }
}

function renderTx(box, tx) {
  const pairs = [['field.status', tx.status], ['field.tx_id', el('code', { text: tx.tx_id })]];
    if (tx.status === 'committed') {
      pairs.push(['field.height', el('a', { href: '?block=' + tx.height, text: String(tx.height) })],
        ['field.type', tx.tx.type], ['field.time', time(tx.time_ms)]);
    }
  clear(box).append(el('h3', { text: t('explorer.tx') }), dl(pairs),
    tx.status === 'committed' ? el('p', {}, el('a', { href: 'verify.html?tx=' + tx.tx_id, text: t('explorer.verify_receipt') })) : null,
    tx.tx ? json(tx.tx) : null);
}

async function showConsent(id) {
  const box = $('lookup');
  try {
    const c = await fetchApi('/v1/consents/' + encodeURIComponent(id), { auth: true });
    view(box, () => clear(box).append(el('h3', { text: t('explorer.consent') }), dl([
      ['field.status', el('strong', { class: 'status', dataset: { status: c.status }, text: t('status.' + c.status) })],
      ['field.valid', c.valid ? t('yes') : t('no')], ['field.as_of', time(c.as_of)],
      ['field.controller', c.controller], ['field.subject', el('code', { text: c.subject_id })],
      ['field.purposes', c.purposes.join(', ')], ['field.categories', c.categories.join(', ')],
      ['field.recipients', (c.recipients || []).join(', ') || '—'],
      ['field.valid_from', time(c.valid_from)], ['field.valid_until', time(c.valid_until)],
    ]), el('h4', { text: t('explorer.timeline') }), el('ol', { class: 'timeline' }, c.history.map((h) =>
      el('li', { dataset: { type: h.type } }, el('time', { text: time(h.at) }), ' ', el('strong', { text: t('history.' + h.type) }),
        ' ', t('explorer.at_height', { h: h.height }), h.from ? ' ' + h.from + ' → ' + h.to : '', h.reason ? ' (' + h.reason + ')' : '',
        ' ', el('a', { href: '?tx=' + h.tx }, el('code', { text: short(h.tx) })))))));
  } catch (e) {
    view(box, () => showError(box, e));
  }
}

async function showSubject(subject) {
  const box = $('subject-history');
  try {
    const page = await fetchApi('/v1/subjects/' + encodeURIComponent(subject) + '/history?limit=100', { auth: true });
    view(box, () => renderHistory(box, page.items));
  } catch (e) {
    view(box, () => showError(box, e));
  }
}

function renderHistory(box, items) {
  const rows = items.map((h) => el('tr', {},
    el('td', { text: time(h.at) }), el('td', { text: String(h.height) }), el('td', { text: h.kind }),
    el('td', {}, h.consent_id ? el('a', { href: '?consent=' + h.consent_id }, el('code', { text: short(h.consent_id) }))
      : h.purpose ? h.sender + ' → ' + h.recipient + ' · ' + h.purpose : h.request_kind || ''),
    el('td', {}, el('a', { href: '?tx=' + h.tx }, el('code', { text: short(h.tx) })))));
  clear(box).append(rows.length === 0 ? el('p', { text: t('empty') }) : el('div', { class: 'scroll' }, el('table', {},
    el('thead', {}, el('tr', {}, ['field.time', 'field.height', 'field.kind', 'field.what', 'field.tx_id'].map((k) => el('th', { scope: 'col', text: t(k) })))),
    el('tbody', {}, rows))));
}

function form(id, input, fn) {
  $(id).addEventListener('submit', (e) => {
    e.preventDefault();
    const v = $(input).value.trim();
    if (v) fn(v);
  });
}

await init();
onMessages(() => { renderStatus(); renderValidators(); renderBlocks(); });
form('block-form', 'block-height', showBlock);
form('tx-form', 'tx-id', showTx);
form('consent-form', 'consent-id', showConsent);
form('subject-form', 'subject', showSubject);
try {
  [status, validators] = await Promise.all([fetchApi('/v1/status'), fetchApi('/v1/validators')]);
  renderStatus();
  renderValidators();
  live();
} catch (e) {
  showError($('status'), e);
}
const params = new URLSearchParams(location.search);
if (params.get('block')) { $('block-height').value = params.get('block'); showBlock(params.get('block')); }
if (params.get('tx')) { $('tx-id').value = params.get('tx'); showTx(params.get('tx')); }
if (params.get('consent')) { $('consent-id').value = params.get('consent'); showConsent(params.get('consent')); }
// The page is wired up: its forms have their handlers (tests wait for this).
document.body.dataset.ready = 'true';
