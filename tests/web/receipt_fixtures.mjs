#!/usr/bin/env node
// The browser verifier's module (web/src/js/receipt.js, as built into UI_DIR) under node: every
// fixture of tests/fixtures/receipts/manifest.json must get the manifest's verdict, failing check
// and reason, with the short anchor and with the genesis file. Also a few inputs the fixtures do
// not cover (not JSON, too deep, a bad anchor). run.mjs checks the same in the browser and
// against the C++ verifier.
// Usage: node tests/web/receipt_fixtures.mjs UI_DIR
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ui = path.resolve(process.argv[2] || path.join(root, 'build-test', 'web', 'ui'));
const { verifyReceiptText, parseAnchor, parseAnchorText, nonStrict, CHECKS } = await import(pathToFileURL(path.join(ui, 'js', 'receipt.js')));
const dir = path.join(root, 'tests', 'fixtures', 'receipts');
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));

let failures = 0;
let passes = 0;
const check = (ok, what) => {
  if (ok) passes++;
  else {
    failures++;
    console.error('FAIL: ' + what);
  }
};

for (const anchorFile of [manifest.anchor, manifest.genesis]) {
  const anchor = parseAnchor(JSON.parse(fs.readFileSync(path.join(dir, anchorFile), 'utf8')));
  for (const f of manifest.fixtures) {
    const v = verifyReceiptText(fs.readFileSync(path.join(dir, f.file), 'utf8'), anchor);
    const got = v.ok ? 'ok' : v.code;
    check(got === f.expect, `${anchorFile} ${f.file}: expected ${f.expect}, got ${got} (${v.message || ''})`);
    if (f.expect === 'ok') {
      check(v.passed.join() === CHECKS.join(), `${f.file}: every check passed`);
    } else {
      check(v.check === f.check, `${anchorFile} ${f.file}: expected check ${f.check}, got ${v.check}`);
      check(v.passed.join() === CHECKS.slice(0, CHECKS.indexOf(f.check)).join(), `${f.file}: the checks before ${f.check} passed`);
    }
  }
}
const anchor = parseAnchor(JSON.parse(fs.readFileSync(path.join(dir, manifest.anchor), 'utf8')));
const valid = fs.readFileSync(path.join(dir, 'valid-consent-grant.json'), 'utf8');
check(verifyReceiptText('not json', anchor).code === 'receipt_malformed', 'text that is not JSON is malformed');
check(verifyReceiptText('['.repeat(20) + ']'.repeat(20), anchor).code === 'receipt_malformed', 'deep nesting is malformed');
const v2 = JSON.parse(valid);
v2.version = 2;
check(verifyReceiptText(JSON.stringify(v2), anchor).code === 'receipt_version', 'version 2 is receipt_version');
const extra = JSON.parse(valid);
extra.tx.body.name = 'Alice';
check(verifyReceiptText(JSON.stringify(extra), anchor).code === 'receipt_tx_invalid', 'an extra body field is receipt_tx_invalid');
const upper = JSON.parse(valid);
upper.tx_id = upper.tx_id.toUpperCase();
check(verifyReceiptText(JSON.stringify(upper), anchor).code === 'receipt_malformed', 'upper-case hex is malformed');
for (const bad of [{}, { chain_id: 'x' }, { chain_id: 'x', validator_set_hash: 'zz' }, []]) {
  let code = null;
  try { parseAnchor(bad); } catch (e) { code = e.code; }
  check(code === 'anchor_invalid', 'anchor ' + JSON.stringify(bad) + ' is anchor_invalid');
}
// A repeated key or a float is malformed, as the node and consentctl have it (json_duplicate_key,
// json_float_not_allowed), though JSON.parse would keep the last key and read 1.0 as 1: a key
// repeated at the top, nested, and spelt with an escape.
const validText = JSON.stringify(JSON.parse(valid));
const repeatedTop = '{"version":1,' + validText.slice(1);
check(verifyReceiptText(repeatedTop, anchor).code === 'receipt_malformed', 'a repeated top-level key is malformed');
check(verifyReceiptText(repeatedTop, anchor).check === 'format', 'a repeated key fails the format check');
const repeatedNested = validText.replace('"proof":{', '"proof":{"index":0,');
check(repeatedNested !== validText && verifyReceiptText(repeatedNested, anchor).code === 'receipt_malformed', 'a repeated nested key is malformed');
const repeatedEscaped = '{"tx\\u005fid":"00",' + validText.slice(1);
check(verifyReceiptText(repeatedEscaped, anchor).code === 'receipt_malformed', 'a repeated key spelt with an escape is malformed');
check(nonStrict('{"a":"}{\\"a\\":1,","b":[{"a":1},{"a":2}],"c":{"a":[1,{"b":2}]},"d":[true,false,null,-5,"1.5e3"]}') === null, 'keys in strings, arrays and other objects are not repeats, and a float in a string is text');
check(nonStrict('{"a":{"b":1,"c":2,"b":3}}') === 'an object repeats the key "b"', 'nonStrict names the key');
check(nonStrict(validText) === null, 'a served receipt is strict JSON');
for (const n of ['1.0', '1e3', '2E-1', '-0.5']) {
  check(nonStrict('{"a":[' + n + ']}') !== null, n + ' is not strict');
}
const floatVersion = validText.replace('"version":1', '"version":1.0');
check(floatVersion !== validText && verifyReceiptText(floatVersion, anchor).code === 'receipt_malformed', 'version 1.0 is malformed');
let anchorCode = null;
try { parseAnchorText('{"chain_id":"x","chain_id":"fixture-chain","validator_set_hash":"' + '0'.repeat(64) + '"}'); } catch (e) { anchorCode = e.code; }
check(anchorCode === 'anchor_invalid', 'an anchor with a repeated key is anchor_invalid');
check(parseAnchorText(fs.readFileSync(path.join(dir, manifest.anchor), 'utf8')).chain_id === anchor.chain_id, 'parseAnchorText reads the anchor file');
// Whitespace and key order of the served document do not matter.
check(verifyReceiptText(JSON.stringify(JSON.parse(valid), null, 3), anchor).ok, 'an indented receipt verifies');
console.log(`web_receipt_fixtures: ${passes} checks passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
