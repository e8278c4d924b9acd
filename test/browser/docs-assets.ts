// Makes the README's pictures from the QoS lab fixture (not a test; run by hand):
//   node --import tsx test/browser/docs-assets.ts
// docs/report-lab3-qos.png: the top of the HTML report (summary, findings, sequence diagram),
// docs/flow-lab3-qos.txt:   `mqtt-analyze flow fixtures/lab/lab3-qos.pcap` at 80 columns.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { buildFlow } from '../../src/flow/model.js';
import { renderFlowText } from '../../src/flow/terminal.js';
import { renderReportHtml } from '../../src/report/html.js';
import { collectFixture } from '../flow/fixtures.js';
import { projectRoot } from '../support/paths.js';

const FIXTURE = 'lab3-qos.pcap';
const DOCS = join(projectRoot, 'docs');
const OUT = join(projectRoot, 'test-output');

async function run(): Promise<void> {
  const collected = await collectFixture(FIXTURE, true);
  mkdirSync(DOCS, { recursive: true });
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(DOCS, 'flow-lab3-qos.txt'), renderFlowText(buildFlow(collected), { width: 80 }));

  const file = join(OUT, 'docs-report.html');
  writeFileSync(file, renderReportHtml(collected));
  const profile = mkdtempSync(join(tmpdir(), 'mqtt-docs-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 1000 },
  });
  try {
    const page = await ctx.newPage();
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-ready="1"]');
    const bottom = (await page.locator('#diagram-section').boundingBox())?.y ?? 0;
    const height = (await page.locator('#diagram-section').boundingBox())?.height ?? 1000;
    await page.screenshot({ path: join(DOCS, 'report-lab3-qos.png'), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.ceil(bottom + height) + 10 } });
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

await run();
