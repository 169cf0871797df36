import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Starts `vakt demo` on a fresh data directory, reads the demo accounts it prints, waits until the
// server answers, and leaves the credentials in .state.json for the tests.
export default async function globalSetup() {
  const bin = process.env.VAKT_BIN ?? resolve(__dirname, '../target/debug/vakt');
  const url = process.env.VAKT_E2E_URL ?? 'http://127.0.0.1:18080';
  const listen = new URL(url).host;
  const dataDir = mkdtempSync(join(tmpdir(), 'vakt-e2e-'));
  const child = spawn(bin, ['--data-dir', dataDir, 'demo', '--listen', listen], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d.toString(); });
  child.stderr.on('data', (d) => { process.stderr.write(d); });
  const exited = new Promise<number>((res) => child.on('exit', (code) => res(code ?? -1)));

  const deadline = Date.now() + 120_000;
  let ready = false;
  while (Date.now() < deadline && !ready) {
    const code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 500))]);
    if (code !== null) throw new Error(`vakt demo exited with ${code}:\n${out}`);
    try {
      const res = await fetch(`${url}/healthz`);
      ready = res.ok && /Demo accounts/.test(out);
    } catch { /* not listening yet */ }
  }
  if (!ready) throw new Error(`vakt demo did not become ready:\n${out}`);

  // Lines look like: "  coordinator  Security coordinator  <password>  <TOTP secret>"
  const accounts: Record<string, { password: string; totp?: string }> = {};
  for (const line of out.split('\n')) {
    const m = line.match(/^\s{2}(\S+)\s{2,}.*?\s{2,}(\S+)(?:\s{2,}([A-Z2-7]+))?\s*$/);
    if (m) accounts[m[1]] = { password: m[2], totp: m[3] };
  }
  if (!accounts['coordinator']) throw new Error(`no coordinator account in demo output:\n${out}`);
  writeFileSync(join(__dirname, '.state.json'), JSON.stringify({ pid: child.pid, dataDir, url, accounts }));
  child.unref();
}
