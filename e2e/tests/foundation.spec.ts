import { test, expect } from '@playwright/test';
import { signIn } from './helpers';

// Issue 2, "Done when": a coordinator signs in with password and TOTP, switches the language to Svenska
// and sees Swedish text, opens the directory, and signs out.
test('coordinator signs in with password and TOTP, switches to Swedish, browses the directory, signs out', async ({ page }) => {
  await signIn(page, 'coordinator');
  await expect(page.locator('main h1')).toBeVisible();

  await page.locator('#lang-select').selectOption('sv');
  await page.locator('form.lang-switch button[type=submit]').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'sv');
  const nav = page.getByRole('navigation', { name: 'Huvudmeny' });
  await expect(nav.getByRole('link', { name: 'Min sida' })).toBeVisible();

  await nav.getByRole('link', { name: 'Katalog' }).click();
  await expect(page).toHaveURL(/\/directory/);
  await expect(page.locator('main')).toContainText(/\S/);

  await page.locator('form.sign-out button[type=submit]').click();
  await expect(page).toHaveURL(/\/login/);
  // The session is gone: a protected page sends us back to sign-in.
  await page.goto('/me');
  await expect(page).toHaveURL(/\/login/);
});

test('a wrong password is refused with a message and no session', async ({ page }) => {
  await page.goto('/login');
  await page.locator('#username').fill('coordinator');
  await page.locator('#password').fill('not-the-password-at-all');
  await page.locator('form[action="/login"] button[type=submit]').click();
  await expect(page.locator('#login-error')).toBeVisible();
  await page.goto('/me');
  await expect(page).toHaveURL(/\/login/);
});
