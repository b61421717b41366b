#!/usr/bin/env node
// The web verifier's body schema (web/src/js/schema.js, as built into UI_DIR, reading the
// declarations of docs/api/schemas/) against the ledger's own parser: every case CASES_TOOL
// prints (tests/web/tx_schema_cases.cc: each fixture body, each field removed, null and
// replaced by each kind of JSON value, and the rules' shapes) must get the same reason code and
// the same message.
// Usage: node tests/web/schema_parity.mjs UI_DIR CASES_TOOL
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [ui, tool] = process.argv.slice(2);
if (!ui || !tool) {
  console.error('usage: schema_parity.mjs UI_DIR CASES_TOOL');
  process.exit(2);
}
const { checkBody } = await import(pathToFileURL(path.join(path.resolve(ui), 'js', 'schema.js')));
const { cases } = JSON.parse(execFileSync(tool, { maxBuffer: 1 << 28 }).toString('utf8'));

let failures = 0;
const codes = new Set();
for (const c of cases) {
  let got = { code: 'ok', message: '' };
  try {
    checkBody(c.type, c.body);
  } catch (e) {
    got = { code: e.code || 'exception', message: e.message };
  }
  codes.add(c.code);
  if (got.code !== c.code || got.message !== c.message) {
    failures++;
    if (failures <= 20) {
      console.error(`FAIL ${c.type} ${JSON.stringify(c.body)}\n  ledger: ${c.code}: ${c.message}\n  web:    ${got.code}: ${got.message}`);
    }
  }
}
// The cases must reach acceptance and the rules' codes, or the comparison proves little.
for (const needed of ['ok', 'tx_missing_field', 'tx_wrong_type', 'tx_invalid_value', 'tx_invalid_code',
  'tx_unknown_field', 'tx_array_empty', 'tx_duplicate_entry', 'rights_refusal_reason_required']) {
  if (!codes.has(needed)) {
    failures++;
    console.error('FAIL: no case answered ' + needed);
  }
}
console.log(`schema_parity: ${cases.length} cases, ${failures} failures`);
process.exit(failures === 0 ? 0 : 1);
