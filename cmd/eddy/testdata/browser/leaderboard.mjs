// leaderboard.mjs URL SCREENSHOT: loads the retweet leaderboard page in
// headless Chromium, waits for its table to fill and then to change as new
// tweets are scored, and saves a screenshot. It prints what it saw as JSON
// and exits 2 when the table never changed.
import { chromium } from 'playwright-core';

const [url, shot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: 960, height: 720 } });
  await page.goto(url);
  await page.waitForSelector('#leaderboard tr.entry', { timeout: 60000 });
  const rows = () => page.$$eval('#leaderboard tr.entry', (trs) => trs.map((tr) => tr.innerText.replace(/\s+/g, ' ').trim()));
  const first = await rows();
  let last = first;
  const deadline = Date.now() + 90000;
  while (Date.now() < deadline && JSON.stringify(last) === JSON.stringify(first)) {
    await page.waitForTimeout(1000);
    last = await rows();
  }
  const medals = await page.$$eval('#leaderboard tr.entry', (trs) => trs.slice(0, 3).map((tr) => tr.className));
  await page.screenshot({ path: shot, fullPage: true });
  const changed = JSON.stringify(last) !== JSON.stringify(first);
  console.log(JSON.stringify({ first, last, medals, changed }));
  if (!changed) process.exitCode = 2;
} finally {
  await browser.close();
}
