// The receipt verifier page: every check runs here, in the browser (receipt.js); the node is
// asked for nothing unless the user presses one of the two "from this node" buttons.
import { CHECKS, parseAnchorText, verifyReceiptText } from './receipt.js';
import { clear, dl, el, fetchApi, init, onMessages, showError, t, time } from './common.js';

const ANCHOR_KEY = 'consentd.anchor';
const $ = (id) => document.getElementById(id);
let last = null;  // the last verdict, re-rendered on a language switch

function readFile(input, target) {
  input.addEventListener('change', async () => {
    const f = input.files && input.files[0];
    if (f) target.value = await f.text();
  });
}

function dropInto(area) {
  area.addEventListener('dragover', (e) => { e.preventDefault(); area.classList.add('drop'); });
  area.addEventListener('dragleave', () => area.classList.remove('drop'));
  area.addEventListener('drop', async (e) => {
    e.preventDefault();
    area.classList.remove('drop');
    const f = e.dataTransfer.files && e.dataTransfer.files[0];
    if (f) area.value = await f.text();
  });
}

function render() {
  const verdict = $('verdict');
  const list = clear($('checks'));
  const summary = clear($('summary'));
  if (!last) {
    verdict.dataset.verdict = 'none';
    clear(verdict).append(el('span', { text: t('verify.result.none') }));
    return;
  }
  if (last.anchorError) {
    verdict.dataset.verdict = 'invalid';
    clear(verdict).append(el('strong', { text: t('verify.anchor.invalid') }), ' ',
      el('code', { text: last.anchorError.code }), el('span', { class: 'detail', text: last.anchorError.message }));
    return;
  }
  const v = last.verdict;
  verdict.dataset.verdict = v.ok ? 'valid' : 'invalid';
  verdict.dataset.reason = v.ok ? 'ok' : v.code;
  clear(verdict).append(
    el('span', { class: 'mark', 'aria-hidden': 'true', text: v.ok ? '✓' : '✗' }),
    el('strong', { class: 'word', text: v.ok ? t('verify.valid') : t('verify.invalid') }),
    v.ok ? el('span', { class: 'detail', text: t('verify.valid_detail') })
      : el('span', { class: 'detail' }, t('verify.failed_check', { check: t('check.' + v.check) }), ' ', el('code', { text: v.code })));
  for (const c of CHECKS) {
    const state = v.passed.includes(c) ? 'pass' : (!v.ok && v.check === c) ? 'fail' : 'skip';
    const mark = { pass: '✓', fail: '✗', skip: '–' }[state];
    list.append(el('li', { dataset: { check: c, state } },
      el('span', { class: 'mark', 'aria-hidden': 'true', text: mark }),
      el('span', { class: 'visually-hidden', text: t('state.' + state) + ': ' }),
      el('span', { class: 'name', text: t('check.' + c) }),
      el('span', { class: 'what', text: t('check.' + c + '.what') }),
      state === 'fail' ? el('span', { class: 'reason' }, el('code', { text: v.code }), ' ', t('reason.' + v.code), el('br'), el('small', { text: v.message })) : null));
  }
  if (v.ok) {
    const r = v.receipt;
    summary.append(dl([
      ['field.chain', r.chain_id], ['field.tx_id', el('code', { text: r.tx_id })], ['field.type', r.tx_type],
      ['field.signers', el('code', { text: r.signers.join('\n') })], ['field.height', String(r.height)],
      ['field.block_time', time(r.block_time_ms)], ['field.block_hash', el('code', { text: r.block_hash })],
      ['field.precommits', t('verify.precommits', { n: r.precommits, v: r.validators, round: r.round })],
      ['field.validator_set_hash', el('code', { text: r.validator_set_hash })],
    ]));
  }
}

function verify() {
  const anchorText = $('anchor').value.trim();
  let anchor;
  try {
    anchor = parseAnchorText(anchorText);
  } catch (e) {
    last = { anchorError: { code: e.code || 'anchor_invalid', message: e.code ? e.message : t('verify.anchor.not_json') } };
    render();
    return;
  }
  localStorage.setItem(ANCHOR_KEY, anchorText);
  last = { verdict: verifyReceiptText($('receipt').value, anchor) };
  render();
  $('verdict').focus();
}

async function anchorFromNode() {
  try {
    const status = await fetchApi('/v1/status');
    const set = await fetchApi('/v1/validators?height=1');
    $('anchor').value = JSON.stringify({ chain_id: status.chain_id, validator_set_hash: set.set_hash }, null, 1);
  } catch (e) {
    showError($('summary'), e);
  }
}

async function receiptFromNode() {
  const id = $('fetch-tx').value.trim().toLowerCase();
  try {
    if (!/^[0-9a-f]{64}$/.test(id)) throw Object.assign(new Error(t('error.tx_id')), { code: 'bad_id' });
    const receipt = await fetchApi('/v1/receipts/' + id, { auth: true });
    $('receipt').value = JSON.stringify(receipt, null, 1);
  } catch (e) {
    showError($('summary'), e);
  }
}

await init();
$('verdict').tabIndex = -1;
$('anchor').value = localStorage.getItem(ANCHOR_KEY) || '';
readFile($('anchor-file'), $('anchor'));
readFile($('receipt-file'), $('receipt'));
dropInto($('receipt'));
dropInto($('anchor'));
$('verify-form').addEventListener('submit', (e) => { e.preventDefault(); verify(); });
$('anchor-from-node').addEventListener('click', anchorFromNode);
$('fetch-receipt').addEventListener('click', receiptFromNode);
const params = new URLSearchParams(location.search);
if (params.get('tx')) $('fetch-tx').value = params.get('tx');
onMessages(render);
render();
// The page is wired up: its forms have their handlers (tests wait for this).
document.body.dataset.ready = 'true';
