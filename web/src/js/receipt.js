// The receipt verifier of docs/RECEIPTS.md, run in the browser: the same checks, in the same
// order, with the same reason codes as the reference verifier (wallet/receipt_verify.cc). The
// first failing check is the verdict. Pure functions; no network.
import {
  bytesToHex, canonical, equalBytes, hexToBytes, isValidKey, schnorrVerify, sha, taggedHash, concat, utf8,
} from './crypto.js';
import { FieldReader, MAX_SAFE, SchemaError, parseTx, txIdOf, unsignedOf } from './schema.js';

export const CHECKS = ['format', 'chain', 'validator_set', 'tx', 'merkle_path', 'header_hash', 'certificate'];

const RECEIPT_VERSION = 1;
const MAX_RECEIPT_TX_BYTES = 1 << 20;
const MAX_RECEIPT_BYTES = 4 << 20;
const MAX_PATH = 64;
const MAX_VALIDATORS = 1000;
const MAX_CERT_SIGNATURES = 1000;
const MAX_DEPTH = 16;

class Failure extends Error {
  constructor(check, code, message) {
    super(message);
    this.check = check;
    this.code = code;
  }
}
const malformed = (m) => new Failure('format', 'receipt_malformed', m);
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

function hasExactly(o, keys) {
  return isObject(o) && Object.keys(o).length === keys.length && keys.every((k) => has(o, k));
}
function hashField(o, name) {
  return has(o, name) ? hexToBytes(o[name], 32) : null;
}
function uintField(o, name) {
  const v = o[name];
  return Number.isInteger(v) && v >= 0 && v <= MAX_SAFE ? v : null;
}

// ValidatorSet::FromJson: 1..1000 distinct valid keys, sorted by bytes (lowercase hex order).
export function validatorSet(json) {
  if (!Array.isArray(json)) throw new Error('validator set is not an array');
  if (json.length > MAX_VALIDATORS) throw new Error('more than ' + MAX_VALIDATORS + ' validators');
  json.forEach((k, i) => {
    if (typeof k !== 'string') throw new Error('entry ' + i + ' is not a string');
    if (!isValidKey(hexToBytes(k, 32))) throw new Error('validator ' + i + ': not a valid public key');
  });
  if (json.length === 0) throw new Error('a validator set needs a validator');
  const keys = [...json].sort();
  for (let i = 1; i < keys.length; i++) {
    if (keys[i] === keys[i - 1]) throw new Error('validator ' + keys[i] + ' appears twice');
  }
  const hash = bytesToHex(taggedHash('consentd/valset/v1', utf8(canonical(keys))));
  return { keys, hash, quorum: Math.floor((2 * keys.length) / 3) + 1 };
}

// TrustAnchor::FromJson: a genesis document, or {chain_id, validator_set_hash(es)}.
export function parseAnchor(json) {
  const invalid = (m) => { throw new Failure('anchor', 'anchor_invalid', m); };
  if (!isObject(json)) invalid('a trust anchor is a JSON object');
  if (has(json, 'members')) {
    if (typeof json.chain_id !== 'string' || json.chain_id === '') invalid('genesis: chain_id must be a non-empty string');
    if (!Array.isArray(json.members)) invalid('genesis: members must be an array');
    const keys = json.members.filter((m) => isObject(m) && m.validator_key != null).map((m) => m.validator_key);
    let set;
    try { set = validatorSet(keys); } catch (e) { invalid('genesis validators: ' + e.message); }
    return { chain_id: json.chain_id, validator_set_hashes: [set.hash] };
  }
  if (typeof json.chain_id !== 'string' || json.chain_id === '') invalid('chain_id must be a non-empty string');
  const hashes = [];
  if (has(json, 'validator_set_hash')) hashes.push(json.validator_set_hash);
  if (has(json, 'validator_set_hashes')) {
    if (!Array.isArray(json.validator_set_hashes)) invalid('validator_set_hashes must be an array');
    hashes.push(...json.validator_set_hashes);
  }
  if (hashes.length === 0) invalid('needs validator_set_hash (or validator_set_hashes)');
  for (const h of hashes) {
    if (typeof h !== 'string') invalid('a validator-set hash must be a hex string');
    if (!hexToBytes(h, 32)) invalid('validator-set hash: 64 lowercase hex characters expected');
  }
  return { chain_id: json.chain_id, validator_set_hashes: hashes };
}

function parseHeader(json) {
  const r = new FieldReader(json, 'header');
  const chain = r.raw('chain_id');
  const h = {};
  h.height = r.int('height', 1, MAX_SAFE);
  h.time_ms = r.time('time_ms');
  h.prev_hash = r.hash('prev_hash');
  h.tx_root = r.hash('tx_root');
  h.tx_count = r.int('tx_count', 0, 1 << 24);
  h.state_digest = r.hash('state_digest');
  h.proposer = r.hash('proposer');
  h.validator_set_hash = r.hash('validator_set_hash');
  try { r.finish(); } catch (e) { throw malformed('header: block_malformed: ' + e.message); }
  if (typeof chain !== 'string') throw malformed('header: block_malformed: header.chain_id must be a string');
  h.chain_id = chain;
  return h;
}

function parseCertificate(json) {
  const bad = (what, m) => malformed('cert_invalid: ' + what + ': ' + m);
  if (!hasExactly(json, ['block_id', 'height', 'round', 'signatures'])) {
    throw bad('certificate', 'has exactly the fields block_id, height, round, signatures');
  }
  const height = uintField(json, 'height');
  if (height === null) throw bad('certificate.height', 'an integer in range');
  const round = json.round;
  if (!Number.isInteger(round) || round < 0 || round > 0xffffffff) throw bad('certificate.round', 'an integer in range');
  const blockId = hashField(json, 'block_id');
  if (!blockId) throw bad('certificate.block_id', '64 lowercase hex characters');
  if (!Array.isArray(json.signatures)) throw bad('certificate.signatures', 'not an array');
  if (json.signatures.length > MAX_CERT_SIGNATURES) throw bad('certificate.signatures', 'too many entries');
  const precommits = json.signatures.map((s, i) => {
    const what = 'certificate signature ' + i;
    if (!hasExactly(s, ['sig', 'validator'])) throw bad(what, 'has exactly the fields sig, validator');
    if (typeof s.validator !== 'string') throw bad(what + '.validator', 'not a string');
    if (!isValidKey(hexToBytes(s.validator, 32))) throw bad(what + '.validator', 'not a valid public key');
    const sig = hexToBytes(s.sig, 64);
    if (!sig) throw bad(what + '.sig', '128 lowercase hex characters');
    return { validator: s.validator, sig };
  });
  return { height, round, block_id: bytesToHex(blockId), precommits };
}

function parseParts(r) {
  if (!isObject(r)) throw malformed('a receipt is a JSON object');
  if (!has(r, 'version') || !Number.isInteger(r.version)) throw malformed('missing or non-integer field version');
  if (r.version !== RECEIPT_VERSION) {
    throw new Failure('format', 'receipt_version', 'receipt version ' + r.version + ' is not supported (expected 1)');
  }
  if (!hasExactly(r, ['version', 'chain_id', 'tx', 'tx_id', 'proof', 'header', 'block_hash', 'certificate', 'validators'])) {
    throw malformed('a receipt has exactly the fields version, chain_id, tx, tx_id, proof, header, block_hash, certificate, validators');
  }
  if (typeof r.chain_id !== 'string') throw malformed('chain_id must be a string');
  if (!isObject(r.tx)) throw malformed('tx must be an object');
  const txId = hashField(r, 'tx_id');
  if (!txId) throw malformed('tx_id must be 64 lowercase hex characters');
  const p = r.proof;
  if (!hasExactly(p, ['index', 'tree_size', 'path'])) throw malformed('proof has exactly the fields index, tree_size, path');
  const index = uintField(p, 'index');
  const size = uintField(p, 'tree_size');
  if (index === null || size === null) throw malformed('proof.index and proof.tree_size must be integers >= 0');
  if (!Array.isArray(p.path) || p.path.length > MAX_PATH) throw malformed('proof.path must be an array of at most 64 hashes');
  const path = p.path.map((h) => {
    if (typeof h !== 'string') throw malformed('proof.path entries must be hex strings');
    const b = hexToBytes(h, 32);
    if (!b) throw malformed('proof.path entry: 64 lowercase hex characters expected');
    return b;
  });
  let header;
  try { header = parseHeader(r.header); } catch (e) {
    if (e instanceof Failure) throw e;
    throw malformed('header: ' + (e.code || '') + ' ' + e.message);
  }
  const blockHash = hashField(r, 'block_hash');
  if (!blockHash) throw malformed('block_hash must be 64 lowercase hex characters');
  const certificate = parseCertificate(r.certificate);
  let set;
  try { set = validatorSet(r.validators); } catch (e) { throw malformed('validators: ' + e.message); }
  return { chain_id: r.chain_id, tx: r.tx, tx_id: bytesToHex(txId), proof: { index, size, path }, header, block_hash: bytesToHex(blockHash), certificate, set };
}

// RFC 9162 section 2.1.3.2.
export function merkleVerify(leaf, index, size, path, root) {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = sha(concat(Uint8Array.of(0), leaf));
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = sha(concat(Uint8Array.of(1), p, r));
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = sha(concat(Uint8Array.of(1), r, p));
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(r, root);
}

function headerHash(h) {
  return bytesToHex(taggedHash('consentd/block/v1', utf8(canonical(h))));
}

function verifyCertificate(cert, chainId, set, height, blockHash) {
  if (cert.height !== height) {
    throw new Failure('certificate', 'cert_wrong_height', 'certificate is for height ' + cert.height + ', expected ' + height);
  }
  if (cert.block_id !== blockHash) {
    throw new Failure('certificate', 'cert_wrong_block', 'certificate is for block ' + cert.block_id + ', expected ' + blockHash);
  }
  const seen = new Set();
  for (const s of cert.precommits) {
    if (!set.keys.includes(s.validator)) {
      throw new Failure('certificate', 'cert_unknown_signer', 'signer ' + s.validator + ' is not in the validator set');
    }
    if (seen.has(s.validator)) throw new Failure('certificate', 'cert_duplicate_signer', 'signer ' + s.validator + ' twice');
    seen.add(s.validator);
  }
  if (cert.precommits.length < set.quorum) {
    throw new Failure('certificate', 'cert_too_few_signatures', cert.precommits.length + ' signatures, quorum is ' + set.quorum);
  }
  const vote = taggedHash('consentd/vote/v1', utf8(canonical({
    block_id: cert.block_id, chain_id: chainId, height: cert.height, round: cert.round, type: 'precommit',
  })));
  for (const s of cert.precommits) {
    if (!schnorrVerify(s.sig, vote, hexToBytes(s.validator, 32))) {
      throw new Failure('certificate', 'cert_bad_signature', 'signature of ' + s.validator + ' does not verify');
    }
  }
}

// Verifies a parsed receipt against an anchor ({chain_id, validator_set_hashes}). Returns
// {ok, check, code, message, passed: [check names that passed], receipt: {...} when ok}.
export function verifyReceipt(receipt, anchor) {
  const passed = [];
  const pass = (c) => passed.push(c);
  try {
    const p = parseParts(receipt);
    pass('format');
    const txChain = typeof p.tx.chain_id === 'string' ? p.tx.chain_id : '(none)';
    for (const [what, value] of [['receipt', p.chain_id], ['header', p.header.chain_id], ['tx', txChain]]) {
      if (value !== anchor.chain_id) {
        throw new Failure('chain', 'receipt_wrong_chain',
          'the ' + what + ' is for chain "' + value.slice(0, 64) + '", the trust anchor is for "' + anchor.chain_id + '"');
      }
    }
    pass('chain');
    if (!anchor.validator_set_hashes.includes(p.set.hash)) {
      throw new Failure('validator_set', 'receipt_unknown_validator_set',
        "the receipt's validator set hashes to " + p.set.hash + ', which the trust anchor does not list');
    }
    if (p.header.validator_set_hash !== p.set.hash) {
      throw new Failure('validator_set', 'receipt_validator_set_mismatch',
        'the header names validator set ' + p.header.validator_set_hash + ', the receipt carries ' + p.set.hash);
    }
    pass('validator_set');
    let tx;
    try {
      tx = parseTx(p.tx, anchor.chain_id, MAX_RECEIPT_TX_BYTES, schnorrVerify);
    } catch (e) {
      if (!(e instanceof SchemaError)) throw e;
      if (e.code !== 'tx_bad_signature') throw new Failure('tx', 'receipt_tx_invalid', 'tx: ' + e.code + ': ' + e.message);
      const id = bytesToHex(txIdOf(unsignedOf(p.tx)));
      if (id !== p.tx_id) {
        throw new Failure('tx', 'receipt_tx_id_mismatch', 'the tx hashes to ' + id + ", the receipt's tx_id is " + p.tx_id);
      }
      throw new Failure('tx', 'receipt_tx_bad_signature', e.message);
    }
    if (bytesToHex(tx.id) !== p.tx_id) {
      throw new Failure('tx', 'receipt_tx_id_mismatch', 'the tx hashes to ' + bytesToHex(tx.id) + ", the receipt's tx_id is " + p.tx_id);
    }
    pass('tx');
    if (p.proof.size !== p.header.tx_count) {
      throw new Failure('merkle_path', 'receipt_merkle_mismatch',
        'proof.tree_size ' + p.proof.size + ' but the header has ' + p.header.tx_count + ' txs');
    }
    if (!merkleVerify(tx.leaf, p.proof.index, p.proof.size, p.proof.path, hexToBytes(p.header.tx_root, 32))) {
      throw new Failure('merkle_path', 'receipt_merkle_mismatch',
        "the tx's leaf " + bytesToHex(tx.leaf) + ' at index ' + p.proof.index + ' does not lead to tx_root ' + p.header.tx_root);
    }
    pass('merkle_path');
    const hh = headerHash(p.header);
    if (hh !== p.block_hash) {
      throw new Failure('header_hash', 'receipt_header_hash_mismatch',
        'the header hashes to ' + hh + ", the receipt's block_hash is " + p.block_hash);
    }
    pass('header_hash');
    verifyCertificate(p.certificate, anchor.chain_id, p.set, p.header.height, p.block_hash);
    pass('certificate');
    return {
      ok: true, passed,
      receipt: {
        chain_id: anchor.chain_id, tx_id: p.tx_id, tx_type: tx.type, signers: tx.signers,
        height: p.header.height, block_time_ms: p.header.time_ms, block_hash: p.block_hash,
        round: p.certificate.round, precommits: p.certificate.precommits.length,
        validators: p.set.keys.length, validator_set_hash: p.set.hash,
      },
    };
  } catch (e) {
    if (!(e instanceof Failure)) {
      return { ok: false, passed, check: 'format', code: 'receipt_malformed', message: String(e && e.message) };
    }
    return { ok: false, passed, check: e.check, code: e.code, message: e.message };
  }
}

function depth(v) {
  if (v === null || typeof v !== 'object') return 0;
  let d = 0;
  for (const x of Object.values(v)) d = Math.max(d, depth(x));
  return d + 1;
}

// What makes `text` less than strict JSON, or null: an object repeating a key, or a number
// with a fraction or an exponent. `text` must be JSON that JSON.parse accepted. JSON.parse
// keeps the last of repeated keys and reads 1.0 as 1, where the node and consentctl refuse
// such a document (json_duplicate_key, json_float_not_allowed), so the browser checks itself.
// Keys compare after unescaping, as "a" and "\u0061" name the same key.
export function nonStrict(text) {
  const objects = []; // per open container: a Set of its keys, or null for an array
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const keys = objects[objects.length - 1];
      if (expectKey && keys) {
        const key = JSON.parse(text.slice(i, j + 1));
        if (keys.has(key)) return 'an object repeats the key "' + key + '"';
        keys.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      objects.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      objects.push(null);
    } else if (c === '}' || c === ']') {
      objects.pop();
    } else if (c === ',') {
      expectKey = objects[objects.length - 1] instanceof Set;
    } else if (c === '.' || ((c === 'e' || c === 'E') && text[i - 1] >= '0' && text[i - 1] <= '9')) {
      return 'a number has a fraction or an exponent';
    }
  }
  return null;
}

// A trust anchor's text: JSON.parse (a SyntaxError when it is not JSON), strict JSON
// (nonStrict), then parseAnchor.
export function parseAnchorText(text) {
  const json = JSON.parse(text);
  const problem = nonStrict(text);
  if (problem !== null) throw new Failure('anchor', 'anchor_invalid', 'not strict JSON: ' + problem);
  return parseAnchor(json);
}

// VerifyReceiptText: parse (at most 4 MiB, nesting at most 16, strict: nonStrict), then verify.
export function verifyReceiptText(text, anchor) {
  if (utf8(text).length > MAX_RECEIPT_BYTES) {
    return { ok: false, passed: [], check: 'format', code: 'receipt_malformed', message: 'not a JSON document: larger than 4 MiB' };
  }
  let json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, passed: [], check: 'format', code: 'receipt_malformed', message: 'not a JSON document: ' + e.message };
  }
  if (depth(json) > MAX_DEPTH) {
    return { ok: false, passed: [], check: 'format', code: 'receipt_malformed', message: 'not a JSON document: nested too deeply' };
  }
  const problem = nonStrict(text);
  if (problem !== null) {
    return { ok: false, passed: [], check: 'format', code: 'receipt_malformed', message: 'not a JSON document: ' + problem };
  }
  return verifyReceipt(json, anchor);
}
