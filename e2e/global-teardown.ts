import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export default async function globalTeardown() {
  try {
    const state = JSON.parse(readFileSync(join(__dirname, '.state.json'), 'utf8'));
    try { process.kill(state.pid, 'SIGTERM'); } catch { /* already gone */ }
    await new Promise((r) => setTimeout(r, 500));
    rmSync(state.dataDir, { recursive: true, force: true });
    rmSync(join(__dirname, '.state.json'), { force: true });
  } catch { /* nothing to clean */ }
}
