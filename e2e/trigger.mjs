// Opens the Temporal UI in headless Debian chromium, triggers the OrgSync
// schedule with the schedule page's own Trigger action, and waits until a
// run of OrgSync shows Completed in the workflow list. Prints the run as
// JSON: {"workflowId": ..., "runId": ...}.
//
//   node trigger.mjs UI_URL SCHEDULE_ID USER_DATA_DIR
import { chromium } from 'playwright-core';

const [ui, scheduleId, userDataDir] = process.argv.slice(2);
if (!ui || !scheduleId || !userDataDir) {
  console.error('usage: node trigger.mjs UI_URL SCHEDULE_ID USER_DATA_DIR');
  process.exit(2);
}
const step = (msg) => console.error(`e2e: ${msg}`);

const ctx = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await ctx.newPage();
  page.setDefaultTimeout(30_000);

  // trigger opens the schedule page and takes its Trigger action, waiting
  // until the confirmation dialog has closed (the request was sent).
  const trigger = async () => {
    step(`open schedule ${scheduleId}`);
    await page.goto(`${ui}/namespaces/default/schedules/${encodeURIComponent(scheduleId)}`);
    await page.getByText(scheduleId, { exact: true }).first().waitFor();
    await page.getByText('OrgSync').first().waitFor();
    step('Schedule Actions > Trigger');
    await page.locator('button[aria-label="Schedule Actions"]').click();
    await page.locator('[data-testid="trigger-schedule"]').click();
    const confirm = page.locator('button[data-testid="confirm-modal-button"]:visible', { hasText: 'Trigger' });
    await confirm.click();
    await confirm.waitFor({ state: 'hidden' });
  };
  await trigger();
  let triggeredAt = Date.now();
  let retried = false;

  step('wait for a Completed run of OrgSync in the workflow list');
  const query = encodeURIComponent('WorkflowType="OrgSync"');
  const deadline = Date.now() + 180_000;
  for (;;) {
    await page.goto(`${ui}/namespaces/default/workflows?query=${query}`);
    const rows = page.locator('a[href*="/namespaces/default/workflows/"]');
    await page.waitForTimeout(1500);
    const body = await page.locator('body').innerText();
    if (body.includes('Completed')) {
      // The link of the completed run: /namespaces/default/workflows/<id>/<run>/history
      for (const a of await rows.all()) {
        const href = await a.getAttribute('href');
        const m = href && href.match(/\/workflows\/([^/]+)\/([^/]+)\/history/);
        if (m && decodeURIComponent(m[1]).startsWith(scheduleId)) {
          const row = a.locator('xpath=ancestor::*[self::tr or @role="row"][1]');
          const text = (await row.count()) ? await row.innerText() : body;
          if (text.includes('Completed')) {
            console.log(JSON.stringify({ workflowId: decodeURIComponent(m[1]), runId: decodeURIComponent(m[2]) }));
            process.exitCode = 0;
            break;
          }
        }
      }
      if (process.exitCode === 0) break;
    }
    // On a loaded machine the UI has been seen to drop the action: when no
    // run of OrgSync at all is listed 45 s after the trigger, take it once more.
    if (!retried && !body.includes(scheduleId) && Date.now() - triggeredAt > 45_000) {
      step('no run listed 45 s after the trigger: trigger once more');
      retried = true;
      await trigger();
      triggeredAt = Date.now();
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error('no Completed run of OrgSync appeared in the UI:\n' + body.slice(0, 2000));
    }
  }
} finally {
  await ctx.close();
}
