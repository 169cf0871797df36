import { test, expect, Page } from '@playwright/test';
import { signIn } from './helpers';

// Issue 5, "Done when": an employee reports a lost phone with personal data; the leader and the
// coordinator are notified (the case is on their lists; the notice e-mails are queued); the
// coordinator flags it as a breach; the countdown shows the 72-hour deadline; the DPO records the
// notification draft and marks it sent; measures are assigned and completed; the case closes.

async function signOut(page: Page) {
  await page.locator('form.sign-out button[type=submit]').click();
  await expect(page).toHaveURL(/\/login/);
}

async function transition(page: Page, action: string) {
  await page.locator(`#workflow form:has(input[name=action][value=${action}]) button[type=submit]`).click();
  await expect(page.locator('p.error')).toHaveCount(0);
}

test('a lost phone with personal data goes from report to closure', async ({ page }) => {
  test.setTimeout(240_000);
  const title = `Lost work phone ${Date.now()}`;

  // The employee reports from any page.
  await signIn(page, 'employee');
  await page.locator('a.report-link').click();
  await expect(page).toHaveURL(/\/deviations\/report/);
  await page.locator('#dev-title').fill(title);
  await page.locator('#dev-description').fill('Left on the bus; e-mail and a class list on it.');
  await page.locator('#dev-affected').fill('Work phone');
  await page.locator('input[name=personal_data][value=yes]').check();
  await page.locator('main form button[type=submit]').click();
  await expect(page.locator('#dev-receipt')).toBeVisible();
  await expect(page.locator('main table')).toContainText(title);
  await signOut(page);

  // The school's leader has it among the units' cases.
  await signIn(page, 'leader');
  await page.goto('/deviations/mine');
  await page.locator('a.dev-unit-link').first().click();
  await expect(page.locator('#dev-cases')).toContainText(title);
  await signOut(page);

  // The coordinator has it on the dashboard, triages and flags it as a breach.
  await signIn(page, 'coordinator');
  await page.goto('/deviations/dashboard');
  await page.getByRole('link', { name: title }).click();
  const caseUrl = page.url();
  await transition(page, 'start_triage');
  await expect(page.locator('#dev-state')).toHaveAttribute('data-state', 'triage');
  await page.locator('#dev-assign-me').click();
  await page.locator('#dev-flag-breach').click();
  await expect(page.locator('#dev-breach-badge')).toBeVisible();
  await expect(page.locator('#obl-gdpr_authority .countdown').first()).toHaveText(/^(71 h 5\d min|72 h 0 min)/);
  await signOut(page);

  // The DPO writes the notification draft and records it as sent.
  await signIn(page, 'dpo');
  await page.goto(caseUrl);
  const draft = page.locator('#draft form');
  await draft.locator('input[name=confidentiality]').check();
  await draft.locator('textarea[name=cause]').fill('Phone left behind on public transport.');
  await draft.locator('input[name=subject_categories]').fill('pupils');
  await draft.locator('input[name=subjects_low]').fill('25');
  await draft.locator('input[name=data_categories]').fill('names, classes');
  await draft.locator('textarea[name=consequences]').fill('Names of pupils could be read.');
  await draft.locator('textarea[name=measures_taken]').fill('Phone wiped remotely.');
  await draft.locator('input[name=dpo_name]').fill('The DPO');
  await draft.locator('#dev-draft-save').click();
  await expect(page.locator('#draft textarea[name=measures_taken]')).toHaveValue('Phone wiped remotely.');
  const sent = page.locator('#obl-gdpr_authority form.submission-form');
  await sent.locator('input[name=reference]').fill('DT-2026-0042');
  await sent.locator('button[type=submit]').click();
  await expect(page.locator('#obl-gdpr_authority table.submissions')).toContainText('DT-2026-0042');
  const subjects = page.locator('#obl-gdpr_data_subjects form:has(input[name=op][value=not_required])');
  await subjects.locator('select[name=ground]').selectOption('subsequent_measures');
  await subjects.locator('input[name=reasoning]').fill('Wiped within the hour; no high risk remains.');
  await subjects.locator('button[type=submit]').click();
  await expect(page.locator('#obl-gdpr_data_subjects form.submission-form')).toHaveCount(0);
  await signOut(page);

  // The coordinator investigates, assigns a measure, completes it and closes the case.
  await signIn(page, 'coordinator');
  await page.goto(caseUrl);
  await page.locator('#workflow form:has(input[name=field][value=severity]) select').selectOption('high');
  await page.locator('#workflow form:has(input[name=field][value=severity]) button').click();
  await transition(page, 'start_investigation');
  await expect(page.locator('#dev-state')).toHaveAttribute('data-state', 'investigation');
  await page.locator('#workflow form:has(input[name=field][value=risk]) select[name=consequence]').selectOption('moderate');
  await page.locator('#workflow form:has(input[name=field][value=risk]) select[name=likelihood]').selectOption('possible');
  await page.locator('#workflow form:has(input[name=field][value=risk]) button').click();
  const answers: [string, string][] = [
    ['intrusion', 'none'], ['external_attack', 'no'], ['data_changed', 'no'],
    ['malware_installed', 'no'], ['law_or_rule_broken', 'no'], ['serious_disruption', 'no'],
  ];
  for (const [key, value] of answers) {
    await page.locator(`#q-${key}`).selectOption(value);
    await page.locator(`form:has(#q-${key}) button`).click();
  }
  for (const [key, text] of [['consequences', 'Names of pupils could be read.'], ['proposed_measures', 'Screen lock on all work phones.']]) {
    await page.locator(`#q-${key}`).fill(text);
    await page.locator(`form:has(#q-${key}) button`).click();
  }
  await transition(page, 'plan_measures');
  await expect(page.locator('#dev-state')).toHaveAttribute('data-state', 'measures');
  await page.locator('#dev-measure-title').fill('Block the SIM card');
  await page.locator('#dev-measure-owner').fill('me');
  await page.locator('#dev-measure-due').fill('2099-01-31');
  await page.locator('#measures form:has(#dev-measure-title) button').click();
  await expect(page.locator('#measures li.measure')).toContainText('Block the SIM card');
  await page.locator('#measures li.measure form button').click();
  await expect(page.locator('#measures li.measure form')).toHaveCount(0);
  await page.locator('#dev-lessons').fill('Work phones need a screen lock and remote wipe.');
  await page.locator('#lessons button').click();
  await transition(page, 'close');
  await expect(page.locator('#dev-state')).toHaveAttribute('data-state', 'closed');
  await signOut(page);
});
