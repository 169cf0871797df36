import { test, expect, Browser, Page } from '@playwright/test';
import { account, signIn } from './helpers';

// Issue 4, "Done when": a coordinator creates an instruction, sends it to review, a reviewer comments,
// an approver approves, it is published to one unit; an employee of that unit sees it on their page,
// signs it with re-authentication, downloads the receipt; the coordinator sees the unit's completion go
// up; a major new version makes it due again.

async function as(browser: Browser, user: string): Promise<Page> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, user);
  return page;
}

async function step(page: Page, name: string) {
  await page.locator(`form:has(input[name=step][value=${name}]) button[type=submit]`).click();
}

async function signedInUnit(page: Page, unitReport: string, title: string): Promise<number> {
  await page.goto(unitReport);
  const row = page.locator('table.completion tr', { has: page.getByRole('link', { name: new RegExp(`^${title}`) }) });
  return Number(await row.locator('td.signed').innerText());
}

test('an instruction goes through review and approval, is signed with re-authentication, and a major version makes it due again', async ({ browser }) => {
  test.setTimeout(180_000);
  const title = `Skjermlås ${Date.now()}`;
  const coord = await as(browser, 'coordinator');

  // Create, for Nordbyen skole (the demo employee's unit).
  await coord.goto('/instructions/new');
  await coord.locator('#title').fill(title);
  await coord.locator('#category').selectOption('information_security');
  await coord.locator('input[name=requires_signature]').check();
  await coord.locator('#units').selectOption({ label: 'Nordbyen skole' });
  await coord.locator('#body').fill('# Skjermlås\n\nLås skjermen hver gang du går fra PC-en.\n');
  await coord.locator('#change_comment').fill('Ny instruks');
  await coord.locator('main form button[type=submit]').click();
  await expect(coord.locator('main h1')).toHaveText(title);
  const instructionUrl = coord.url();

  // The draft: approver and reviewer, then send to review.
  await coord.getByRole('link', { name: /åpen versjon/ }).click();
  const versionUrl = coord.url();
  await coord.locator('#approver').fill('dpo');
  await coord.locator('#reviewers').fill('leader');
  await coord.locator('form[action$="/edit"] button[type=submit]').click();
  await step(coord, 'send_to_review');
  await expect(coord.locator('#version-state')).toHaveAttribute('data-state', 'in_review');

  // The reviewer (the school's leader) comments.
  const leader = await as(browser, 'leader');
  await leader.goto(versionUrl);
  await leader.locator('#comment').fill('Husk også mobiltelefonen.');
  await leader.locator('form[action$="/comments"] button[type=submit]').click();
  await expect(leader.locator('#comments')).toContainText('Husk også mobiltelefonen.');

  // The approver approves.
  const dpo = await as(browser, 'dpo');
  await dpo.goto(versionUrl);
  await dpo.locator('form[action$="/approve"] button[type=submit]').click();
  await expect(dpo.locator('#version-state')).toHaveAttribute('data-state', 'approved');

  // The coordinator publishes (from today).
  await coord.goto(versionUrl);
  await step(coord, 'publish');
  await expect(coord.locator('#version-state')).toHaveAttribute('data-state', 'published');

  // The unit's completion before signing (the school's report, found from the overview).
  await coord.goto('/reports/instructions');
  await coord.locator('table.completion').last().getByRole('link', { name: 'Nordbyen skole', exact: true }).click();
  const unitReport = coord.url();
  const before = await signedInUnit(coord, unitReport, title);

  // The employee sees it on their page and signs with their password.
  const emp = await as(browser, 'employee');
  await emp.goto('/me');
  await emp.locator('ul.to-sign').getByRole('link', { name: new RegExp(title) }).click();
  await emp.locator('input[name=understood]').check();
  await emp.locator('#password').fill('wrong password');
  await emp.locator('main form button[type=submit]').click();
  await expect(emp.locator('.error')).toBeVisible();
  await emp.locator('input[name=understood]').check();
  await emp.locator('#password').fill(account('employee').password);
  await emp.locator('main form button[type=submit]').click();
  await expect(emp).toHaveURL(/\/me\?signed=/);
  const signed = emp.locator('ul.signed li', { hasText: title });
  await expect(signed).toBeVisible();
  const download = emp.waitForEvent('download');
  await signed.getByRole('link', { name: /PDF/ }).click();
  const pdf = await download;
  expect(pdf.suggestedFilename()).toMatch(/^receipt-.*\.pdf$/);

  // The coordinator sees the unit's completion go up.
  expect(await signedInUnit(coord, unitReport, title)).toBe(before + 1);

  // A major version: due again for the employee.
  await coord.goto(instructionUrl);
  await coord.locator('#kind').selectOption('major');
  await coord.locator('form[action$="/versions"] button[type=submit]').click();
  const v2 = coord.url();
  await coord.locator('#body').fill('# Skjermlås\n\nLås skjermen hver gang du går fra PC-en.\n\nLås også mobiltelefonen med PIN.\n');
  await coord.locator('#change_comment').fill('Mobiltelefon');
  await coord.locator('#approver').fill('dpo');
  await coord.locator('#reviewers').fill('leader');
  await coord.locator('form[action$="/edit"] button[type=submit]').click();
  await step(coord, 'send_to_review');
  await dpo.goto(v2);
  await dpo.locator('form[action$="/approve"] button[type=submit]').click();
  await expect(dpo.locator('#version-state')).toHaveAttribute('data-state', 'approved');
  await coord.goto(v2);
  await step(coord, 'publish');
  await expect(coord.locator('#version-state')).toHaveAttribute('data-state', 'published');
  await emp.goto('/me');
  await expect(emp.locator('ul.to-sign li', { hasText: title })).toContainText('2.0');
});
