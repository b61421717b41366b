// A real 4-validator consentd network for the browser tests, on ports of its own (HTTP
// 8901-8904, P2P 8911-8914: clear of scripts/up's 8601-8604 and the benchmarks' ports), with
// http.ui_dir pointing at the built web app. Written by `consentctl testnet`, like scripts/up.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const HTTP_BASE = 8901;
const P2P_BASE = 8911;

export class Network {
  constructor({ root, bin, ui }) {
    this.root = root;
    this.bin = bin;
    this.ui = ui;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consentd-web-'));
    this.procs = [];
    this.url = 'http://127.0.0.1:' + HTTP_BASE;
  }

  ctl(args, { env = {}, cwd = this.dir } = {}) {
    return execFileSync(path.join(this.bin, 'cli', 'consentctl'), args, {
      cwd, encoding: 'utf8', env: { ...process.env, CONSENTD_NODE: this.url, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  start() {
    const net = JSON.parse(fs.readFileSync(path.join(this.root, 'network-configs', 'local-4', 'network.json'), 'utf8'));
    net.chain_id = 'web-test';
    net.http_base_port = HTTP_BASE;
    net.p2p_base_port = P2P_BASE;
    fs.writeFileSync(path.join(this.dir, 'network.json'), JSON.stringify(net, null, 2));
    this.ctl(['testnet', '--network', path.join(this.dir, 'network.json'), '--out', path.join(this.dir, 'net')]);
    this.net = path.join(this.dir, 'net');
    this.homes = fs.readdirSync(this.net).filter((d) => d.startsWith('node')).sort().map((d) => path.join(this.net, d));
    for (const home of this.homes) {
      const file = path.join(home, 'config.json');
      const config = JSON.parse(fs.readFileSync(file, 'utf8'));
      config.http.ui_dir = this.ui;
      fs.writeFileSync(file, JSON.stringify(config, null, 2));
      const log = fs.openSync(path.join(home, 'stdout.log'), 'a');
      const p = spawn(path.join(this.bin, 'node', 'consentd'), ['--home', home], { stdio: ['ignore', log, log] });
      p.on('exit', (code, signal) => { p.exited = { code, signal }; });
      this.procs.push(p);
    }
    this.tokens = JSON.parse(fs.readFileSync(path.join(this.net, 'tokens.json'), 'utf8'));
  }

  // Polls (bounded) until every node answers and has committed `height` blocks.
  async waitForHeight(height, seconds = 90) {
    const deadline = Date.now() + seconds * 1000;
    for (let i = 0; i < this.homes.length; i++) {
      const url = 'http://127.0.0.1:' + (HTTP_BASE + i) + '/v1/status';
      for (;;) {
        const dead = this.procs.find((p) => p.exited);
        if (dead) throw new Error('a consentd process exited: ' + JSON.stringify(dead.exited) + '; logs in ' + this.net);
        try {
          const s = await (await fetch(url)).json();
          if (s.height >= height) break;
        } catch { /* not listening yet */ }
        if (Date.now() > deadline) throw new Error('the network did not reach height ' + height + '; logs in ' + this.net);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  async api(pathname, { as } = {}) {
    const headers = as ? { Authorization: 'Bearer ' + this.tokens[as].token } : {};
    const res = await fetch(this.url + pathname, { headers });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  async stop() {
    for (const p of this.procs) if (!p.exited) p.kill('SIGTERM');
    const deadline = Date.now() + 15000;
    while (this.procs.some((p) => !p.exited) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    for (const p of this.procs) if (!p.exited) p.kill('SIGKILL');
  }

  cleanup(keep) {
    if (!keep) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
