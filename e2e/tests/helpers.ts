import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, Page } from '@playwright/test';

export type Account = { password: string; totp?: string };
export function account(name: string): Account {
  const state = JSON.parse(readFileSync(join(__dirname, '..', '.state.json'), 'utf8'));
  const a = state.accounts[name];
  if (!a) throw new Error(`demo account ${name} not found`);
  return a;
}

function base32Decode(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error(`bad base32 character ${c}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) for the given time step. */
export function totp(secret: string, step = Math.floor(Date.now() / 1000 / 30)): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', base32Decode(secret)).update(msg).digest();
  const o = h[h.length - 1] & 0xf;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return (n % 1_000_000).toString().padStart(6, '0');
}

const usedSteps = new Map<string, number>();
/** A code for a step not used before by this secret (the server rejects replays). */
export async function freshTotp(secret: string): Promise<string> {
  for (;;) {
    const step = Math.floor(Date.now() / 1000 / 30);
    if ((usedSteps.get(secret) ?? -1) < step) { usedSteps.set(secret, step); return totp(secret, step); }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Signs in with user name, password and (when the account has one) a TOTP code. */
export async function signIn(page: Page, username: string) {
  const a = account(username);
  await page.goto('/login');
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(a.password);
  await page.locator('form[action="/login"] button[type=submit]').click();
  if (a.totp) {
    await expect(page).toHaveURL(/\/login\/totp/);
    await page.locator('input[name=code]').fill(await freshTotp(a.totp));
    await page.locator('main form button[type=submit]').first().click();
  }
  await expect(page).toHaveURL(/\/me/);
  // Every test starts in bokmål (the demo's language): an earlier test may have left the account on another.
  if ((await page.locator('html').getAttribute('lang')) !== 'nb') {
    await page.locator('#lang-select').selectOption('nb');
    await page.locator('form.lang-switch button[type=submit]').click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'nb');
  }
}
