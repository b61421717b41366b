// The ledger's transaction schema (ledger/schema.cc, ledger/tx_body.cc, ledger/tx.cc), ported
// so that a receipt's tx is checked in the browser as the reference verifier checks it: the
// same whitelist per type (schemas.js: the ledger's declarations, from docs/api/schemas/), the
// same vocabularies (vocab.js, from docs/api/vocabularies.json), the first error wins, with the
// ledger's reason codes (tx_missing_field, ...).
import { canonical, hexToBytes, isValidKey, sha, taggedHash, utf8, bytesToHex } from './crypto.js';
import VOCAB from './vocab.js';
import SCHEMAS from './schemas.js';

export const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_TX_SIGNATURES = 16;

export class SchemaError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInt = (v) => typeof v === 'number' && Number.isInteger(v);
const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

// Member and chain ids: 2-32 of [a-z0-9-], a letter first, at most 4 digits in a row.
export function isValidIdentifier(id) {
  return typeof id === 'string' && id.length >= 2 && id.length <= 32 &&
    /^[a-z][a-z0-9-]*$/.test(id) && !/[0-9]{5}/.test(id);
}

// Notice ids: a random 128-bit id, 32 lower-case hex digits.
export function isValidNoticeId(id) {
  return typeof id === 'string' && /^[0-9a-f]{32}$/.test(id);
}

// A nonce is 32 bits (it cannot spell a mobile or ID number).
export const MAX_NONCE = 0xffffffff;

// A 32-byte value with at least this many printable ASCII bytes is text, not a hash or key.
export const TEXT_LIKE_BYTES = 28;
function looksLikeText(bytes) {
  let printable = 0;
  for (const b of bytes) if (b >= 0x20 && b <= 0x7e) printable++;
  return printable >= TEXT_LIKE_BYTES;
}

function vocabulary(name) {
  const list = VOCAB[name];
  if (!list) throw new Error('vocabulary ' + name + ' missing from the build');
  return { name, codes: new Set(list) };
}

// One JSON object read against a whitelist (ledger/schema.h): each accessor consumes a field,
// finish() rejects any field left over.
export class FieldReader {
  constructor(value, path) {
    this.value = value;
    this.path = path;
    this.error = null;
    this.consumed = new Set();
    if (!isObject(value)) this.fail('tx_wrong_type', path + ' must be an object');
  }
  ok() { return this.error === null; }
  fail(code, message) { if (!this.error) this.error = new SchemaError(code, message); }
  name(key) { return this.path + '.' + key; }
  has(key) { return isObject(this.value) && has(this.value, key); }
  field(key, optional) {
    if (!this.ok()) return undefined;
    if (!has(this.value, key) || (optional && this.value[key] === null)) {
      if (has(this.value, key)) this.consumed.add(key);
      if (!optional) this.fail('tx_missing_field', 'missing field ' + this.name(key));
      return undefined;
    }
    this.consumed.add(key);
    return this.value[key];
  }
  itemIdentifier(v, name) {
    if (typeof v !== 'string') return this.fail('tx_wrong_type', name + ' must be a string');
    if (!isValidIdentifier(v)) {
      return this.fail('tx_invalid_value', name + ' must be an identifier of 2-32 characters [a-z0-9-], ' +
        'starting with a letter, with at most 4 digits in a row');
    }
    return v;
  }
  itemHash(v, name) {
    if (typeof v !== 'string') return this.fail('tx_wrong_type', name + ' must be a hex string');
    const bytes = hexToBytes(v, 32);
    if (!bytes) return this.fail('tx_invalid_value', name + ' must be 64 lowercase hex characters');
    if (looksLikeText(bytes)) {
      return this.fail('tx_invalid_value', name + ' looks like text, not a hash (at least ' + TEXT_LIKE_BYTES +
        ' of its 32 bytes are printable ASCII)');
    }
    return v;
  }
  parseKey(hex, name) {
    if (!this.ok()) return undefined;
    if (!isValidKey(hexToBytes(hex, 32))) {
      return this.fail('tx_invalid_value', name + ' is not a valid BIP340 public key');
    }
    return hex;
  }
  noticeId(key) {
    const v = this.field(key, false);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return this.fail('tx_wrong_type', this.name(key) + ' must be a string');
    if (!isValidNoticeId(v)) {
      return this.fail('tx_invalid_value', this.name(key) + ' must be 32 lowercase hex digits (a random 128-bit id)');
    }
    return v;
  }
  identifier(key) {
    const v = this.field(key, false);
    return v === undefined ? undefined : this.itemIdentifier(v, this.name(key));
  }
  optionalIdentifier(key) {
    const v = this.field(key, true);
    return v === undefined ? undefined : this.itemIdentifier(v, this.name(key));
  }
  array(key, min, max, item) {
    const v = this.field(key, min === 0);
    if (v === undefined) return [];
    if (!Array.isArray(v)) { this.fail('tx_wrong_type', this.name(key) + ' must be an array'); return []; }
    if (v.length < min) { this.fail('tx_array_empty', this.name(key) + ' needs at least ' + min + ' entries'); return []; }
    if (v.length > max) {
      this.fail('tx_array_too_long', this.name(key) + ' has ' + v.length + ' entries; the limit is ' + max);
      return [];
    }
    const out = [];
    for (let i = 0; i < v.length && this.ok(); i++) {
      const t = item.call(this, v[i], this.name(key) + '[' + i + ']');
      if (!this.ok()) break;
      if (out.includes(t)) { this.fail('tx_duplicate_entry', this.name(key) + ' lists an entry twice'); break; }
      out.push(t);
    }
    return this.ok() ? out : [];
  }
  identifiers(key, min, max) { return this.array(key, min, max, this.itemIdentifier); }
  code(key, list) {
    const v = this.optionalCode(key, list);
    if (v === undefined && this.ok()) this.fail('tx_missing_field', 'missing field ' + this.name(key));
    return v;
  }
  optionalCode(key, list) {
    const v = this.field(key, true);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return this.fail('tx_wrong_type', this.name(key) + ' must be a code string');
    if (!list.codes.has(v)) {
      return this.fail('tx_invalid_code', this.name(key) + ' is not in the ' + list.name + ' vocabulary');
    }
    return v;
  }
  codes(key, list, min, max) {
    const v = this.field(key, min === 0);
    if (v === undefined) return [];
    if (!Array.isArray(v)) { this.fail('tx_wrong_type', this.name(key) + ' must be an array of codes'); return []; }
    if (v.length < min) { this.fail('tx_array_empty', this.name(key) + ' needs at least ' + min + ' entries'); return []; }
    if (v.length > max) {
      this.fail('tx_array_too_long', this.name(key) + ' has ' + v.length + ' entries; the limit is ' + max);
      return [];
    }
    const out = [];
    for (const s of v) {
      if (typeof s !== 'string') { this.fail('tx_wrong_type', this.name(key) + ' must contain only code strings'); return []; }
      if (!list.codes.has(s)) {
        this.fail('tx_invalid_code', this.name(key) + ': "' + s.slice(0, 40) + '" is not in the ' + list.name + ' vocabulary');
        return [];
      }
      if (out.includes(s)) { this.fail('tx_duplicate_entry', this.name(key) + ' lists "' + s + '" twice'); return []; }
      out.push(s);
    }
    return out;
  }
  enumOf(key, allowed, optional = false) {
    const v = this.field(key, optional);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return this.fail('tx_wrong_type', this.name(key) + ' must be a string');
    if (!allowed.includes(v)) return this.fail('tx_invalid_code', this.name(key) + ' must be one of: ' + allowed.join(', '));
    return v;
  }
  hash(key) {
    const v = this.field(key, false);
    return v === undefined ? undefined : this.itemHash(v, this.name(key));
  }
  optionalHash(key) {
    const v = this.field(key, true);
    return v === undefined ? undefined : this.itemHash(v, this.name(key));
  }
  hashes(key, min, max) { return this.array(key, min, max, this.itemHash); }
  key(key) {
    const v = this.field(key, false);
    if (v === undefined) return undefined;
    return this.parseKey(this.itemHash(v, this.name(key)), this.name(key));
  }
  optionalKey(key) {
    const v = this.field(key, true);
    if (v === undefined) return undefined;
    return this.parseKey(this.itemHash(v, this.name(key)), this.name(key));
  }
  keys(key, min, max) {
    const out = [];
    for (const h of this.hashes(key, min, max)) {
      if (this.parseKey(h, this.name(key)) === undefined) return [];
      out.push(h);
    }
    return out;
  }
  int(key, min, max) {
    const v = this.optionalInt(key, min, max);
    if (v === undefined && this.ok()) this.fail('tx_missing_field', 'missing field ' + this.name(key));
    return v;
  }
  optionalInt(key, min, max) {
    const v = this.field(key, true);
    if (v === undefined) return undefined;
    if (!isInt(v)) return this.fail('tx_wrong_type', this.name(key) + ' must be an integer');
    if (v < min || v > max) return this.fail('tx_invalid_value', this.name(key) + ' must be between ' + min + ' and ' + max);
    return v;
  }
  time(key) { return this.int(key, 0, MAX_SAFE); }
  optionalTime(key) { return this.optionalInt(key, 0, MAX_SAFE); }
  bool(key) {
    const v = this.field(key, false);
    if (v === undefined) return false;
    if (typeof v !== 'boolean') { this.fail('tx_wrong_type', this.name(key) + ' must be true or false'); return false; }
    return v;
  }
  object(key) {
    const v = this.field(key, false);
    if (v === undefined) return undefined;
    if (!isObject(v)) return this.fail('tx_wrong_type', this.name(key) + ' must be an object');
    return v;
  }
  raw(key) { return this.field(key, false); }
  finish() {
    if (!this.ok()) throw this.error;
    for (const k of Object.keys(this.value)) {
      if (!this.consumed.has(k)) {
        throw new SchemaError('tx_unknown_field', 'unknown field ' + this.path + '.' + (k.length <= 40 ? k : k.slice(0, 40) + '...'));
      }
    }
  }
}

// Subject::FromJson: exactly one of key or ref.
function readSubject(r) {
  const s = r.object('subject');
  if (s === undefined) {
    if (r.ok()) throw new SchemaError('tx_missing_field', 'missing field body.subject');
    return undefined;
  }
  const path = 'body.subject';
  const sr = new FieldReader(s, path);
  const hasKey = sr.has('key');
  const hasRef = sr.has('ref');
  if (sr.ok() && hasKey === hasRef) sr.fail('tx_invalid_value', path + ' needs exactly one of "key" or "ref"');
  if (hasKey) sr.key('key'); else sr.hash('ref');
  sr.finish();
  return { isKey: hasKey };
}

// A subject error surfaces only when the body reader had none so far (tx_body.cc ReadSubject).
function subjectOf(r) {
  try {
    return readSubject(r);
  } catch (e) {
    if (r.ok()) throw e;
    return undefined;
  }
}

// The body of each type, read as the ledger reads it (ledger/tx_body.cc ParseBody): the fields
// of its declaration (js/schemas.js, from docs/api/schemas/) in order, then its rules.
const vocabs = {};
function listOf(name) {
  vocabs[name] = vocabs[name] || vocabulary(name);
  return vocabs[name];
}

function readScalar(r, f) {
  switch (f.type) {
    case 'identifier': return f.required ? r.identifier(f.name) : r.optionalIdentifier(f.name);
    case 'notice id': return r.noticeId(f.name);
    case 'code': return f.required ? r.code(f.name, listOf(f.vocabulary)) : r.optionalCode(f.name, listOf(f.vocabulary));
    case 'enum': return r.enumOf(f.name, f.allowed, !f.required);
    case 'hash': return f.required ? r.hash(f.name) : r.optionalHash(f.name);
    case 'key': return f.required ? r.key(f.name) : r.optionalKey(f.name);
    case 'integer':
    case 'time': return f.required ? r.int(f.name, f.min, f.max) : r.optionalInt(f.name, f.min, f.max);
    case 'bool': return r.bool(f.name);
    case 'true': {
      if (!r.has(f.name)) return undefined;
      const v = r.bool(f.name);
      if (r.ok() && !v) r.fail('tx_invalid_value', r.name(f.name) + ' may only be true');
      return v;
    }
    case 'subject': return subjectOf(r);
    case 'notice': {
      const n = r.object(f.name);
      if (n === undefined) return undefined;
      const nr = new FieldReader(n, r.name(f.name));
      nr.noticeId('notice_id');
      nr.int('version', 1, 1000000);
      nr.finish();
      return n;
    }
    default: throw new Error('field type ' + f.type + ' unknown to this verifier');
  }
}

function readField(r, f) {
  if (f.list) {
    // An optional list of at least one entry may be absent, but not null or empty.
    if (!f.required && f.min > 0 && !r.has(f.name)) return;
    switch (f.type) {
      case 'code': r.codes(f.name, listOf(f.vocabulary), f.min, f.max); return;
      case 'identifier': r.identifiers(f.name, f.min, f.max); return;
      case 'hash': r.hashes(f.name, f.min, f.max); return;
      case 'key': r.keys(f.name, f.min, f.max); return;
      default: throw new Error('list of ' + f.type + ' unknown to this verifier');
    }
  }
  if (f.nullable && !r.has(f.name)) return;
  readScalar(r, f);
}

// "Present" for the rules: in the body and not null (a nullable field's null is present).
function present(decl, body, name) {
  if (!has(body, name)) return false;
  if (body[name] !== null) return true;
  const f = decl.fields.find((x) => x.name === name);
  return f !== undefined && f.nullable;
}

function holds(rule, body) {
  switch (rule.when) {
    case 'always': return true;
    case 'key_subject':
    case 'ref_subject': {
      const key = isObject(body.subject) && has(body.subject, 'key');
      return key === (rule.when === 'key_subject');
    }
    case 'empty':
    case 'not_empty': {
      const v = body[rule.other];
      const empty = v === undefined || v === null || v.length === 0;
      return empty === (rule.when === 'empty');
    }
    case 'equals': return body[rule.other] === rule.value;
    case 'not_equals': return body[rule.other] !== rule.value;
    default: throw new Error('rule condition ' + rule.when + ' unknown to this verifier');
  }
}

function broken(decl, rule, body) {
  switch (rule.kind) {
    case 'exactly_one_of': return false;
    case 'distinct': return body[rule.fields[0]] === body[rule.fields[1]];
    case 'at_least_one_of': return !rule.fields.some((f) => present(decl, body, f));
    case 'forbidden': return holds(rule, body) && present(decl, body, rule.fields[0]);
    case 'required': return holds(rule, body) && !present(decl, body, rule.fields[0]);
    default: throw new Error('rule ' + rule.kind + ' unknown to this verifier');
  }
}

function readBody(decl, r, body) {
  for (const f of decl.fields) {
    // An exactly-one-of group is checked when the reader reaches the first of its fields.
    for (const rule of decl.rules) {
      if (rule.kind !== 'exactly_one_of' || !r.ok()) continue;
      const first = decl.fields.find((x) => rule.fields.includes(x.name));
      if (first !== f) continue;
      if (rule.fields.filter((x) => r.has(x)).length !== 1) r.fail(rule.code, rule.message);
    }
    readField(r, f);
  }
  for (const rule of decl.rules) {
    if (r.ok() && broken(decl, rule, body)) r.fail(rule.code, rule.message);
  }
}

export const TX_TYPES = Object.keys(SCHEMAS);

// A body of a `type` tx read as the ledger reads it: throws SchemaError with the ledger's code
// and message (tests/web/schema_parity.mjs holds it to ParseBody on the same cases).
export function checkBody(type, body) {
  const r = new FieldReader(body, 'body');
  readBody(SCHEMAS[type], r, body);
  r.finish();
}

function readSignatures(value) {
  if (!Array.isArray(value)) throw new SchemaError('tx_wrong_type', 'tx.signatures must be an array');
  if (value.length === 0) throw new SchemaError('tx_no_signatures', 'a transaction needs a signature');
  if (value.length > MAX_TX_SIGNATURES) throw new SchemaError('tx_array_too_long', 'at most ' + MAX_TX_SIGNATURES + ' signatures');
  const out = [];
  value.forEach((entry, i) => {
    const path = 'tx.signatures[' + i + ']';
    const r = new FieldReader(entry, path);
    const key = r.key('key');
    const sig = r.raw('sig');
    r.finish();
    if (typeof sig !== 'string') throw new SchemaError('tx_wrong_type', path + '.sig must be a hex string');
    const bytes = hexToBytes(sig, 64);
    if (!bytes) throw new SchemaError('tx_invalid_value', path + '.sig must be 128 lowercase hex characters');
    out.push({ key, sig: bytes });
  });
  out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (let i = 1; i < out.length; i++) {
    if (out[i].key === out[i - 1].key) throw new SchemaError('tx_duplicate_signer', 'key ' + out[i].key + ' signs twice');
  }
  return out;
}

export function unsignedOf(tx) {
  const u = {};
  for (const k of Object.keys(tx)) if (k !== 'signatures') u[k] = tx[k];
  return u;
}
export function txIdOf(unsignedTx) {
  return sha(utf8(canonical(unsignedTx)));
}

// Tx::FromJson with verification: the envelope, the body, the signatures. Returns
// {type, id, leaf, signers, signHash}; throws SchemaError (tx_bad_signature when only a
// signature fails).
export function parseTx(tx, chainId, maxBytes, verify) {
  const r = new FieldReader(tx, 'tx');
  const typeField = r.raw('type');
  const chainField = r.raw('chain_id');
  const body = r.raw('body');
  r.int('nonce', 0, MAX_NONCE);
  r.int('expires_at_height', 1, MAX_SAFE);
  if (r.ok() && !r.has('signatures')) throw new SchemaError('tx_no_signatures', 'missing field tx.signatures');
  const sigs = r.raw('signatures');
  r.finish();
  if (typeof typeField !== 'string') throw new SchemaError('tx_wrong_type', 'tx.type must be a string');
  if (!TX_TYPES.includes(typeField)) {
    throw new SchemaError('tx_unknown_type', 'unknown transaction type "' + typeField.slice(0, 40) + '"');
  }
  if (typeof chainField !== 'string') throw new SchemaError('tx_wrong_type', 'tx.chain_id must be a string');
  if (chainField !== chainId) {
    throw new SchemaError('tx_wrong_chain', 'transaction is for chain "' + chainField.slice(0, 64) + '", this is "' + chainId + '"');
  }
  checkBody(typeField, body);
  const signatures = readSignatures(sigs);
  const unsignedCanonical = utf8(canonical(unsignedOf(tx)));
  const id = sha(unsignedCanonical);
  const signHash = taggedHash('consentd/tx/v1', unsignedCanonical);
  if (verify) {
    for (const s of signatures) {
      if (!verify(s.sig, signHash, hexToBytes(s.key, 32))) {
        throw new SchemaError('tx_bad_signature', 'signature by ' + s.key + ' does not verify');
      }
    }
  }
  const signed = unsignedOf(tx);
  signed.signatures = signatures.map((s) => ({ key: s.key, sig: bytesToHex(s.sig) }));
  const signedCanonical = utf8(canonical(signed));
  if (signedCanonical.length > maxBytes) throw new SchemaError('tx_too_large', 'transaction exceeds ' + maxBytes + ' bytes');
  return { type: typeField, id, signHash, leaf: sha(signedCanonical), signers: signatures.map((s) => s.key) };
}
