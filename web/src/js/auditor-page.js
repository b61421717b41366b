// The auditor's area: the token (session storage only), "was this sharing lawful at time T"
// (/v1/check), the audit log with filters and its CSV / NDJSON export (the bytes the API
// streams, saved as they came), open and overdue rights requests, incidents, transfers and
// their dossiers.
import VOCAB from './vocab.js';
import { TX_TYPES } from './schema.js';
import { clear, dl, el, fetchApi, init, onMessages, setToken, short, showError, t, time, token, view } from './common.js';

const $ = (id) => document.getElementById(id);
let auditCursor = null;
let auditItems = [];

function options(select, values, { blank } = {}) {
  clear(select);
  if (blank) select.append(el('option', { value: '', text: t(blank) }));
  for (const v of values) select.append(el('option', { value: v, text: v }));
}

function tokenState() {
  $('token-state').textContent = token() ? t('auditor.token.set') : t('auditor.token.unset');
}

function table(headKeys, rows) {
  if (rows.length === 0) return el('p', { text: t('empty') });
  return el('div', { class: 'scroll' }, el('table', {},
    el('thead', {}, el('tr', {}, headKeys.map((k) => el('th', { scope: 'col', text: t(k) })))),
    el('tbody', {}, rows)));
}

function atMs(value) {
  if (!value) return null;
  const ms = Date.parse(value + 'Z');  // the form's time is UTC, like every time on the ledger
  return Number.isFinite(ms) ? ms : NaN;
}

async function check() {
  const box = $('check-result');
  const q = new URLSearchParams();
  q.set('subject', $('check-subject').value.trim());
  q.set('recipient', $('check-recipient').value.trim());
  q.set('purpose', $('check-purpose').value);
  q.set('category', [...$('check-categories').selectedOptions].map((o) => o.value).join(','));
  if ($('check-jurisdiction').value) q.set('jurisdiction', $('check-jurisdiction').value);
  if ($('check-sender').value.trim()) q.set('sender', $('check-sender').value.trim());
  const at = atMs($('check-at').value);
  if (Number.isNaN(at)) return view(box, () => showError(box, { code: 'bad_parameter', message: t('error.time') }));
  if (at !== null) q.set('at', String(at));
  try {
    const r = await fetchApi('/v1/check?' + q, { auth: true });
    view(box, () => clear(box).append(el('div', { class: 'answer', dataset: { allowed: String(r.allowed), reason: r.reason } },
      el('p', { class: 'big' }, el('span', { 'aria-hidden': 'true', text: r.allowed ? '✓ ' : '✗ ' }),
        el('strong', { text: r.allowed ? t('auditor.check.allowed') : t('auditor.check.refused') })),
      dl([
        ['field.reason', el('span', {}, el('code', { text: r.reason }), ' ', t('check_reason.' + r.reason))],
        ['field.detail', r.detail], ['field.at', time(r.at)],
        ['field.height', t('auditor.check.based_on', { h: r.height, time: time(r.head_time_ms) })],
        ['field.consents', r.consents.length ? el('ul', { class: 'plain' }, r.consents.map((c) =>
          el('li', {}, el('a', { href: 'explorer.html?consent=' + c }, el('code', { text: c }))))) : '—'],
        ['field.agreement', r.agreement ? el('code', { text: r.agreement }) : '—'],
      ]))));
  } catch (e) {
    view(box, () => showError(box, e));
  }
}

function auditQuery() {
  const q = new URLSearchParams();
  if ($('audit-type').value) q.set('type', $('audit-type').value);
  if ($('audit-member').value.trim()) q.set('member', $('audit-member').value.trim());
  if ($('audit-from').value) q.set('from_height', $('audit-from').value);
  if ($('audit-to').value) q.set('to_height', $('audit-to').value);
  return q;
}

function renderAudit(box) {
  const rows = auditItems.map((i) => el('tr', {},
    el('td', {}, el('a', { href: 'explorer.html?block=' + i.height, text: String(i.height) })),
    el('td', { text: String(i.index) }), el('td', { text: time(i.time_ms) }), el('td', { text: i.type }),
    el('td', { text: i.members.join(', ') }),
    el('td', {}, el('a', { href: 'explorer.html?tx=' + i.tx_id }, el('code', { text: short(i.tx_id) })))));
  clear(box).append(table(['field.height', 'field.index', 'field.time', 'field.type', 'field.members', 'field.tx_id'], rows));
  if (auditCursor) {
    const b = el('button', { type: 'button', id: 'audit-more', class: 'secondary', text: t('auditor.audit.more') });
    b.addEventListener('click', () => audit(true));
    box.append(b);
  }
}

async function audit(more) {
  const box = $('audit-result');
  const q = auditQuery();
  q.set('limit', '50');
  if (more && auditCursor) q.set('cursor', auditCursor);
  try {
    const page = await fetchApi('/v1/audit/log?' + q, { auth: true });
    auditItems = more ? auditItems.concat(page.items) : page.items;
    auditCursor = page.next_cursor || null;
    view(box, () => renderAudit(box));
  } catch (e) {
    view(box, () => showError(box, e));
  }
}

// The export exactly as the API streams it, saved through a blob URL (no other host).
async function download(format) {
  const box = $('audit-result');
  const q = auditQuery();
  q.set('format', format);
  try {
    const res = await fetchApi('/v1/audit/log?' + q, { auth: true, raw: true });
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: 'audit-log.' + format });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    const status = el('p', { class: 'hint', role: 'status', text: t('auditor.audit.saved', { name: 'audit-log.' + format, n: blob.size }) });
    box.querySelector('p.hint[role=status]')?.remove();
    box.prepend(status);
  } catch (e) {
    view(box, () => showError(box, e));
  }
}

async function rights() {
  const box = $('rights-result');
  try {
    const page = await fetchApi('/v1/rights?limit=100&status=' + $('rights-status').value, { auth: true });
    view(box, () => clear(box).append(table(['field.deadline', 'field.controller', 'field.kind', 'field.origin', 'field.subject', 'field.overdue'],
      page.items.map((r) => el('tr', { class: r.overdue ? 'overdue' : '' },
        el('td', { text: time(r.deadline) }), el('td', { text: r.controller }), el('td', { text: r.kind }),
        el('td', { text: r.origin }), el('td', {}, el('code', { text: short(r.subject.key || r.subject.ref) })),
        el('td', { text: r.overdue ? t('yes') : t('no') }))))));
  } catch (e) {
    view(box, () => showError(box, e));
  }
}

async function incidents() {
  const box = $('incidents-result');
  try {
    const page = await fetchApi('/v1/incidents?limit=100', { auth: true });
    view(box, () => clear(box).append(table(['field.reported_at', 'field.controller', 'field.cause', 'field.categories', 'field.affected', 'field.delay'],
      page.items.map((i) => el('tr', {},
        el('td', { text: time(i.reported_at) }), el('td', { text: i.controller }), el('td', { text: i.cause }),
        el('td', { text: i.categories.join(', ') }), el('td', { text: String(i.affected_count) }),
        el('td', { text: t('auditor.incidents.hours', { h: (i.detection_to_report_ms / 3600000).toFixed(1) }) }))))));
  } catch (e) {
    view(box, () => showError(box, e));
  }
}

// Transfers (GET /v1/transfers) and one transfer's dossier (GET /v1/transfers/{id}).
async function transfers() {
  const box = $('transfers-result');
  try {
    const page = await fetchApi('/v1/transfers?limit=100&status=' + $('transfers-status').value, { auth: true });
    view(box, () => {
      clear(box).append(table(['field.transfer', 'field.seller', 'field.acquirer', 'field.status', 'field.effective_at', 'field.overdue', 'auditor.transfers.dossier'],
        page.items.map((tr) => {
          const late = Object.entries(tr.overdue || {}).filter(([, v]) => v).map(([k]) => k);
          return el('tr', { class: late.length ? 'overdue' : '' },
            el('td', {}, el('code', { text: short(tr.id) })), el('td', { text: tr.transferor }), el('td', { text: tr.transferee }),
            el('td', { text: tr.lifecycle ? tr.lifecycle.status : 'one_step' }), el('td', { text: time(tr.effective_at) }),
            el('td', { text: late.length ? late.join(', ') : t('no') }),
            el('td', {}, tr.lifecycle ? el('button', { type: 'button', dataset: { transfer: tr.id }, text: t('auditor.transfers.show') }) : null));
        })));
      box.querySelectorAll('button[data-transfer]').forEach((b) => b.addEventListener('click', () => dossier(b.dataset.transfer)));
    });
  } catch (e) {
    view(box, () => showError(box, e));
  }
}

async function dossier(id) {
  const box = $('dossier-result');
  try {
    const d = await fetchApi('/v1/transfers/' + id, { auth: true });
    view(box, () => {
      clear(box).append(
        dl([['field.transfer', el('code', { text: id })], ['field.status', d.status], ['field.seller', d.seller], ['field.acquirer', d.acquirer],
          ['field.as_of', time(d.as_of)], ['auditor.transfers.moved', String(d.counts.moved)], ['auditor.transfers.objections', String(d.counts.objections)],
          ['auditor.transfers.duties', t('auditor.transfers.duty_counts', d.duties)],
          ['field.overdue', d.overdue.length ? d.overdue.map((o) => o.item).join(', ') : t('no')]]),
        table(['field.step', 'field.at', 'field.height', 'field.by', 'field.tx_id'],
          d.steps.map((s) => el('tr', {}, el('td', { text: s.step }), el('td', { text: time(s.at) }), el('td', { text: String(s.height) }),
            el('td', { text: s.by }), el('td', {}, el('code', { text: short(s.tx) }))))),
        el('button', { type: 'button', id: 'dossier-csv', text: t('auditor.transfers.csv') }));
      $('dossier-csv').addEventListener('click', () => downloadDossier(id));
    });
  } catch (e) {
    view(box, () => showError(box, e));
  }
}

// The dossier's CSV exactly as the API sends it.
async function downloadDossier(id) {
  const box = $('dossier-result');
  try {
    const res = await fetchApi('/v1/transfers/' + id + '?format=csv', { auth: true, raw: true });
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: 'transfer-' + id.slice(0, 16) + '.csv' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (e) {
    view(box, () => showError(box, e));
  }
}

function fillSelects() {
  const keepType = $('audit-type').value;
  const keepJ = $('check-jurisdiction').value;
  options($('audit-type'), TX_TYPES, { blank: 'auditor.audit.any_type' });
  $('audit-type').value = keepType;
  options($('check-jurisdiction'), VOCAB.jurisdictions, { blank: 'auditor.check.domestic' });
  $('check-jurisdiction').value = keepJ;
  tokenState();
}

function on(id, fn) {
  $(id).addEventListener('submit', (e) => { e.preventDefault(); fn(); });
}

await init();
options($('check-purpose'), VOCAB.purposes);
options($('check-categories'), VOCAB.categories);
fillSelects();
onMessages(fillSelects);
$('token').value = '';
on('token-form', () => { setToken($('token').value.trim()); $('token').value = ''; tokenState(); });
$('token-clear').addEventListener('click', () => { setToken(''); tokenState(); });
on('check-form', check);
on('audit-form', () => audit(false));
on('rights-form', rights);
on('incidents-form', incidents);
on('transfers-form', transfers);
$('download-csv').addEventListener('click', () => download('csv'));
$('download-ndjson').addEventListener('click', () => download('ndjson'));
// The page is wired up: its forms have their handlers (tests wait for this).
document.body.dataset.ready = 'true';
