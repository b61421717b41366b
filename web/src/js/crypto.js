// Primitives of docs/RECEIPTS.md section 1: SHA-256, BIP340 tagged hashes, lowercase hex,
// canonical JSON (RFC 8785 restricted to integers) and BIP340 Schnorr verification.
// The libraries are @noble/hashes and @noble/secp256k1, copied from the npm registry into
// vendor/ at build time (web/scripts/build.mjs); nothing is fetched at run time.
import { sha256 } from '../vendor/noble-hashes/sha2.js';
import * as secp from '../vendor/noble-secp256k1/index.js';

secp.hashes.sha256 = sha256;

const encoder = new TextEncoder();

export function utf8(text) {
  return encoder.encode(text);
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function sha(bytes) {
  return sha256(bytes);
}

const tagCache = new Map();
// TaggedHash(tag, x) = SHA-256(SHA-256(tag) || SHA-256(tag) || x)
export function taggedHash(tag, bytes) {
  let t = tagCache.get(tag);
  if (!t) {
    t = sha256(utf8(tag));
    tagCache.set(tag, t);
  }
  return sha256(concat(t, t, bytes));
}

const HEX = /^[0-9a-f]*$/;
// Exactly `n` bytes of lowercase hex, else null (uppercase is invalid: one text form per value).
export function hexToBytes(text, n) {
  if (typeof text !== 'string' || text.length !== 2 * n || !HEX.test(text)) return null;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes) {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

// Canonical JSON: sorted keys (UTF-16 code units, JS's own string order), no whitespace,
// JSON.stringify's string escapes (the same set RFC 8785 prescribes), integers only.
export function canonical(value) {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error('canonical JSON holds integers only');
    return String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return '[' + value.map(canonical).join(',') + ']';
  const keys = Object.keys(value).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonical(value[k])).join(',') + '}';
}

// A 32-byte BIP340 x-only public key: a valid x coordinate of a curve point.
export function isValidKey(bytes) {
  if (!bytes || bytes.length !== 32) return false;
  try {
    secp.Point.fromBytes(concat(Uint8Array.of(2), bytes));
    return true;
  } catch {
    return false;
  }
}

export function schnorrVerify(sig, msg, key) {
  try {
    return secp.schnorr.verify(sig, msg, key);
  } catch {
    return false;
  }
}
