// The ledger's transaction schema (ledger/schema.cc, ledger/tx_body.cc, ledger/tx.cc), ported
// so that a receipt's tx is checked in the browser as the reference verifier checks it: the
// same whitelist per type, the same vocabularies (vocab.js is generated from ledger/vocab/*.cc
// at build time), the first error wins, with the ledger's reason codes (tx_missing_field, ...).
import { canonical, hexToBytes, isValidKey, sha, taggedHash, utf8, bytesToHex } from './crypto.js';
import VOCAB from './vocab.js';

export const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_CODES = 32;
const MAX_KEYS = 8;
const MAX_TRANSFER_LIST = 500;
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
  enumOf(key, allowed) {
    const v = this.field(key, false);
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

const V = () => ({
  purposes: vocabulary('purposes'), categories: vocabulary('categories'),
  jurisdictions: vocabulary('jurisdictions'), legal_bases: vocabulary('legal_bases'),
  mechanisms: vocabulary('mechanisms'), rights_kinds: vocabulary('rights_kinds'),
  roles: vocabulary('roles'), revoke_reasons: vocabulary('revoke_reasons'),
  refusal_reasons: vocabulary('refusal_reasons'), suspend_reasons: vocabulary('suspend_reasons'),
  incident_causes: vocabulary('incident_causes'), incident_harms: vocabulary('incident_harms'),
  incident_remedies: vocabulary('incident_remedies'), collection_methods: vocabulary('collection_methods'),
});
let vocab;

const BODIES = {
  'member.register'(r) {
    r.identifier('member');
    r.codes('roles', vocab.roles, 1, vocab.roles.codes.size);
    r.keys('keys', 1, MAX_KEYS);
    r.code('jurisdiction', vocab.jurisdictions);
    r.optionalKey('validator_key');
  },
  'member.update'(r) {
    r.identifier('member');
    const roles = r.has('roles') ? r.codes('roles', vocab.roles, 1, vocab.roles.codes.size) : null;
    const keys = r.has('keys') ? r.keys('keys', 1, MAX_KEYS) : null;
    const jurisdiction = r.optionalCode('jurisdiction', vocab.jurisdictions);
    const change = r.has('validator_key');
    if (change) r.optionalKey('validator_key');
    let reinstate = false;
    if (r.has('reinstate')) {
      reinstate = r.bool('reinstate');
      if (r.ok() && !reinstate) r.fail('tx_invalid_value', 'body.reinstate may only be true');
    }
    if (r.ok() && !roles && !keys && jurisdiction === undefined && !change && !reinstate) {
      r.fail('tx_missing_field', 'member.update must change at least one field');
    }
  },
  'member.suspend'(r) {
    r.identifier('member');
    r.code('reason', vocab.suspend_reasons);
  },
  'notice.publish'(r) {
    r.identifier('controller');
    r.noticeId('notice_id');
    r.int('version', 1, 1000000);
    r.hash('notice_hash');
  },
  'consent.grant'(r) {
    r.identifier('controller');
    const subject = subjectOf(r);
    r.codes('purposes', vocab.purposes, 1, MAX_CODES);
    r.codes('categories', vocab.categories, 1, MAX_CODES);
    r.identifiers('recipients', 0, MAX_CODES);
    const jurisdictions = r.codes('jurisdictions', vocab.jurisdictions, 0, MAX_CODES);
    const agreement = r.optionalHash('agreement');
    r.bool('separate');
    const n = r.object('notice');
    if (n !== undefined) {
      const nr = new FieldReader(n, 'body.notice');
      nr.noticeId('notice_id');
      nr.int('version', 1, 1000000);
      nr.finish();
    }
    r.code('collection_method', vocab.collection_methods);
    r.time('valid_from');
    r.time('valid_until');
    r.optionalHash('supersedes');
    const delegate = r.optionalKey('delegate');
    const evidence = r.optionalHash('evidence_hash');
    if (r.ok()) {
      if (subject.isKey && evidence !== undefined) {
        r.fail('tx_invalid_value', 'body.evidence_hash is only for ref subjects (key subjects sign)');
      } else if (!subject.isKey && evidence === undefined) {
        r.fail('tx_missing_field', 'a ref subject needs body.evidence_hash');
      } else if (!subject.isKey && delegate !== undefined) {
        r.fail('tx_invalid_value', 'body.delegate is only for key subjects');
      } else if (agreement !== undefined && jurisdictions.length === 0) {
        r.fail('tx_invalid_value', 'body.agreement is only for cross-border grants');
      }
    }
  },
  'consent.withdraw'(r) {
    r.hash('consent_id');
    r.optionalHash('evidence_hash');
  },
  'consent.revoke'(r) {
    r.hash('consent_id');
    r.code('reason', vocab.revoke_reasons);
  },
  'agreement.create'(r) {
    const exporter = r.identifier('exporter');
    const importer = r.identifier('importer');
    r.code('mechanism', vocab.mechanisms);
    r.hash('filing_ref_hash');
    r.codes('destinations', vocab.jurisdictions, 1, MAX_CODES);
    r.codes('purposes', vocab.purposes, 1, MAX_CODES);
    r.codes('categories', vocab.categories, 1, MAX_CODES);
    r.time('valid_from');
    r.time('valid_until');
    if (r.ok() && exporter === importer) r.fail('tx_invalid_value', 'exporter and importer must differ');
  },
  'agreement.activate'(r) {
    r.hash('agreement_id');
    r.optionalHash('approval_ref_hash');
  },
  'agreement.suspend'(r) { BODIES.agreementEnd(r); },
  'agreement.terminate'(r) { BODIES.agreementEnd(r); },
  agreementEnd(r) {
    r.hash('agreement_id');
    r.code('reason', vocab.suspend_reasons);
  },
  'portfolio.transfer'(r) {
    const from = r.identifier('transferor');
    const to = r.identifier('transferee');
    const hasAll = r.has('all_consents');
    const hasList = r.has('consents');
    if (r.ok() && hasAll === hasList) {
      r.fail('tx_invalid_value', 'name the consents: exactly one of body.consents or body.all_consents');
    }
    if (hasAll) {
      const all = r.bool('all_consents');
      if (r.ok() && !all) r.fail('tx_invalid_value', 'body.all_consents may only be true');
    } else {
      r.hashes('consents', 1, MAX_TRANSFER_LIST);
    }
    r.time('effective_at');
    r.hash('notice_hash');
    r.optionalHash('approval_ref_hash');
    if (r.ok() && from === to) r.fail('tx_invalid_value', 'transferor and transferee must differ');
  },
  'sharing.record'(r) {
    const sender = r.identifier('sender');
    const recipient = r.identifier('recipient');
    subjectOf(r);
    r.code('purpose', vocab.purposes);
    r.codes('categories', vocab.categories, 1, MAX_CODES);
    r.code('destination', vocab.jurisdictions);
    r.code('legal_basis', vocab.legal_bases);
    r.time('shared_at');
    if (r.ok() && sender === recipient) r.fail('tx_invalid_value', 'sender and recipient must differ');
  },
  'rights.request'(r) {
    r.identifier('controller');
    const subject = subjectOf(r);
    r.code('kind', vocab.rights_kinds);
    r.optionalHash('consent_id');
    const evidence = r.optionalHash('evidence_hash');
    if (r.ok()) {
      if (subject.isKey && evidence !== undefined) {
        r.fail('tx_invalid_value', 'body.evidence_hash is only for ref subjects');
      } else if (!subject.isKey && evidence === undefined) {
        r.fail('tx_missing_field', 'a ref subject needs body.evidence_hash');
      }
    }
  },
  'rights.fulfil'(r) {
    r.hash('request_id');
    const refused = r.enumOf('outcome', ['fulfilled', 'refused']) === 'refused';
    const reason = r.optionalCode('reason', vocab.refusal_reasons);
    r.hash('attestation_hash');
    if (r.ok()) {
      if (refused && reason === undefined) r.fail('rights_refusal_reason_required', 'a refusal needs body.reason');
      else if (!refused && reason !== undefined) r.fail('tx_invalid_value', 'body.reason is only for refusals');
    }
  },
  'incident.report'(r) {
    r.identifier('controller');
    r.time('detected_at');
    r.codes('categories', vocab.categories, 1, MAX_CODES);
    r.code('cause', vocab.incident_causes);
    r.codes('harms', vocab.incident_harms, 1, MAX_CODES);
    r.codes('remedies', vocab.incident_remedies, 1, MAX_CODES);
    r.int('affected_count', 0, MAX_SAFE);
    r.hash('affected_commitment');
    r.hash('notice_hash');
    r.optionalTime('regulator_notified_at');
    r.optionalTime('subjects_notified_at');
  },
};

export const TX_TYPES = Object.keys(BODIES).filter((k) => k.includes('.'));

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
  vocab = vocab || V();
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
  const br = new FieldReader(body, 'body');
  BODIES[typeField](br);
  br.finish();
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
