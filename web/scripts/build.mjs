#!/usr/bin/env node
// Builds the web app into a directory the node serves as http.ui_dir (docs/UI.md):
//   - web/src/** copied as is (CSS, ES modules, messages: no bundler, no framework), except
//     the pages: each web/src/pages/NAME.html is the <main> of NAME.html, put into
//     web/src/layout.html (head, header, navigation, footer shared by every page);
//   - the two libraries from node_modules (installed from the npm registry by `npm ci`, pinned
//     by package-lock.json) copied to vendor/, with their licences: nothing is fetched by the
//     browser from the internet;
//   - js/vocab.js generated from docs/api/vocabularies.json (itself generated from the
//     ledger's code lists), so the browser checks a receipt's tx against exactly the
//     vocabularies the ledger enforces;
//   - js/schemas.js generated from docs/api/schemas/*.json (the ledger's declaration of each
//     transaction type: fields in reading order, cross-field rules), which js/schema.js reads.
// Usage: node web/scripts/build.mjs [OUT_DIR [NODE_MODULES]]   (default web/dist, web/node_modules)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const root = path.resolve(web, '..');
const out = path.resolve(process.argv[2] || path.join(web, 'dist'));
const modules = path.resolve(process.argv[3] || path.join(web, 'node_modules'));

function fail(message) {
  console.error('web build: ' + message);
  process.exit(1);
}

function copyTree(from, to, skip = []) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (skip.includes(entry.name)) continue;
    const a = path.join(from, entry.name);
    const b = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(a, b);
    else if (entry.isFile()) fs.copyFileSync(a, b);
  }
}

// The vocabularies, from docs/api/vocabularies.json: generated from the ledger's own code
// lists (`consentctl vocab`) and held equal to them by vocabulary_test, so nothing is scraped.
function vocabularies() {
  const file = path.join(root, 'docs', 'api', 'vocabularies.json');
  const all = JSON.parse(fs.readFileSync(file, 'utf8'));
  const lists = {};
  for (const [name, list] of Object.entries(all)) lists[name] = list.codes;
  const needed = ['purposes', 'categories', 'jurisdictions', 'legal_bases', 'mechanisms', 'rights_kinds',
    'roles', 'revoke_reasons', 'refusal_reasons', 'suspend_reasons', 'incident_causes', 'incident_harms',
    'incident_remedies', 'collection_methods'];
  for (const n of needed) {
    if (!lists[n] || lists[n].length === 0) fail(`vocabulary ${n} not found in docs/api/vocabularies.json`);
  }
  return lists;
}

// The transaction types' declarations, from docs/api/schemas/<type>.json (`consentctl schema`,
// held equal to ledger/tx_types.cc by tx_decl_test): only what the verifier reads.
function schemas() {
  const dir = path.join(root, 'docs', 'api', 'schemas');
  const out = {};
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const s = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    const type = s['x-consentd-type'];
    if (!type || file !== type + '.json') fail(`docs/api/schemas/${file} does not declare its own type`);
    out[type] = { fields: s['x-consentd-fields'], rules: s['x-consentd-rules'] };
  }
  if (Object.keys(out).length === 0) fail('docs/api/schemas/ has no schemas');
  return out;
}

const vendor = [
  ['@noble/secp256k1', 'noble-secp256k1', ['index.js', 'LICENSE']],
  ['@noble/hashes', 'noble-hashes', ['sha2.js', '_md.js', '_u64.js', 'utils.js', 'LICENSE']],
];

// A page: its first line says `<!-- page: NAME | title: MESSAGE_KEY | script: FILE.js -->`.
function buildPages() {
  const layout = fs.readFileSync(path.join(web, 'src', 'layout.html'), 'utf8');
  const dir = path.join(web, 'src', 'pages');
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.html'))) {
    const text = fs.readFileSync(path.join(dir, name), 'utf8');
    const m = text.match(/^<!-- page: ([a-z]+) \| title: ([a-z.]+) \| script: ([a-z-]+\.js) -->\n/);
    if (!m) fail(`pages/${name}: the first line must be <!-- page: NAME | title: KEY | script: FILE.js -->`);
    const vars = { page: m[1], title: m[2], script: m[3], main: text.slice(m[0].length).trimEnd() };
    fs.writeFileSync(path.join(out, name), layout.replace(/\{\{(\w+)\}\}/g, (_, k) => vars[k]));
  }
}

fs.rmSync(out, { recursive: true, force: true });
copyTree(path.join(web, 'src'), out, ['pages', 'layout.html']);
buildPages();
for (const [pkg, dir, files] of vendor) {
  const from = path.join(modules, pkg);
  if (!fs.existsSync(path.join(from, 'package.json'))) {
    fail(`${pkg} is not installed; run npm ci (the consentd_web CMake target does)`);
  }
  fs.mkdirSync(path.join(out, 'vendor', dir), { recursive: true });
  for (const f of files) fs.copyFileSync(path.join(from, f), path.join(out, 'vendor', dir, f));
}
const vocab = vocabularies();
fs.writeFileSync(path.join(out, 'js', 'vocab.js'),
  '// Generated by web/scripts/build.mjs from docs/api/vocabularies.json. Do not edit.\n' +
  'export default ' + JSON.stringify(vocab, null, 1) + ';\n');
fs.writeFileSync(path.join(out, 'js', 'schemas.js'),
  '// Generated by web/scripts/build.mjs from docs/api/schemas/*.json. Do not edit.\n' +
  'export default ' + JSON.stringify(schemas(), null, 1) + ';\n');
// Every message key used in one language file must be in the other.
const en = JSON.parse(fs.readFileSync(path.join(web, 'src', 'messages', 'en.json'), 'utf8'));
const zh = JSON.parse(fs.readFileSync(path.join(web, 'src', 'messages', 'zh.json'), 'utf8'));
for (const k of Object.keys(en)) if (!(k in zh)) fail(`message ${k} is in en.json but not zh.json`);
for (const k of Object.keys(zh)) if (!(k in en)) fail(`message ${k} is in zh.json but not en.json`);
console.log('web build: ' + out);
