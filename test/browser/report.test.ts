// The HTML report in a real browser (Debian's chromium, headless, driven by playwright-core):
// the diagram shows tshark's packets in order, the filters narrow the list, a finding leads to
// its frames, and the page makes no network request at all. Expected values come from the
// fixtures' tshark packet lists and scenario files.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { renderReportHtml } from '../../src/report/html.js';
import { collectFixture, labFixtures, scenario, tsharkPackets } from '../flow/fixtures.js';
import { CaptureBuilder, pk } from '../flow/build.js';
import { projectRoot } from '../support/paths.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = join(projectRoot, 'test-output');
const QOS = 'lab3-qos.pcap';
const WILL = 'lab7-will.pcap';

const missing = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is missing (apt-get install -y chromium)`
  : !labFixtures().includes(QOS) || !labFixtures().includes(WILL)
    ? `fixtures/lab/${QOS} or ${WILL} is missing`
    : null;

let ctx: BrowserContext | null = null;
let profile = '';
/** Every URL any page asked for. */
const requests: string[] = [];

before(async () => {
  if (!existsSync(CHROMIUM)) return;
  const { chromium } = await import('playwright-core');
  profile = mkdtempSync(join(tmpdir(), 'mqtt-report-chromium-'));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  ctx.on('request', (r) => requests.push(r.url()));
  // Anything but the report file itself is refused (and recorded above).
  await ctx.route('**/*', (route) => (route.request().url().startsWith('file://') ? route.continue() : route.abort()));
});

after(async () => {
  await ctx?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function openReport(fixture: string): Promise<{ page: Page; url: string; errors: string[] }> {
  const html = renderReportHtml(await collectFixture(fixture, true));
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `report-${fixture}.html`);
  writeFileSync(file, html);
  const page = await ctx!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const url = pathToFileURL(file).href;
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 10_000 });
  return { page, url, errors };
}

const listFrames = (page: Page) => page.$$eval('#list-body tr.row', (rows) => rows.map((r) => Number(r.getAttribute('data-frame'))));

test(`${QOS}: arrows in tshark's order, filters, row detail, no network`, async (t) => {
  if (missing) return t.skip(missing);
  const before = requests.length;
  const { page, url, errors } = await openReport(QOS);
  const truth = tsharkPackets(QOS);

  // The diagram: one arrow per MQTT packet, tshark's frames and types in order.
  const arrows = await page.$$eval('#diagram g.arrow', (gs) => gs.map((g) => `${g.getAttribute('data-frame')} ${g.getAttribute('data-type')}`));
  assert.deepEqual(
    arrows,
    truth.map((p) => `${p.frame} ${p.type}`),
  );
  // The QoS 2 PUBLISH's label carries tshark's packet id and topic.
  // (The first PUBLISH whose next acknowledgement with the same id is a PUBREC.)
  const q2 = truth.find(
    (p, k) => p.type === 'PUBLISH' && p.id !== undefined && truth.slice(k + 1).find((r) => r.id === p.id && r.type.startsWith('PUB') && r.type !== 'PUBLISH')?.type === 'PUBREC',
  )!;
  assert.match(await page.textContent(`#arrow-${q2.frame} text.label`) ?? '', new RegExp(`^PUBLISH \\(id=${q2.id}\\) ${q2.topic} QoS 2`));

  // The list: every tshark frame, then narrowed by type, by topic, by client.
  const frames = [...new Set(truth.map((p) => p.frame))];
  assert.deepEqual(await listFrames(page), frames);
  await page.selectOption('#f-type', 'PUBLISH');
  assert.deepEqual(await listFrames(page), [...new Set(truth.filter((p) => p.type === 'PUBLISH').map((p) => p.frame))]);
  await page.selectOption('#f-type', '');
  await page.fill('#f-topic', 'no/such/topic');
  assert.deepEqual(await listFrames(page), []);
  await page.fill('#f-topic', 'paho/+/qos');
  assert.deepEqual(await listFrames(page), [...new Set(truth.filter((p) => p.topic === 'paho/test/qos').map((p) => p.frame))]);
  await page.click('#f-reset');
  const pub = scenario(QOS)!.publishes[0]!.from;
  await page.selectOption('#f-client', pub);
  const pubFrames = await listFrames(page);
  assert.ok(pubFrames.length > 0 && pubFrames.length < frames.length, `client filter: ${pubFrames.length} of ${frames.length}`);
  assert.ok(pubFrames.includes(q2.frame), 'the publisher sent the QoS 2 PUBLISH');
  await page.click('#f-reset');

  // A row expands to its -V detail.
  await page.click(`#row-${q2.frame}`);
  const detail = (await page.textContent(`#detail-${q2.frame} pre`)) ?? '';
  assert.match(detail, new RegExp(`Frame ${q2.frame}\\b`));
  assert.match(detail, /paho\/test\/qos/);

  await page.screenshot({ path: join(OUT, `report-${QOS}.png`), fullPage: false });
  assert.deepEqual(errors, []);
  assert.deepEqual(requests.slice(before), [url], 'the only request is the report file itself');
  await page.close();
});

test(`${WILL}: a finding links to its frames in the diagram and the list`, async (t) => {
  if (missing) return t.skip(missing);
  const before = requests.length;
  const { page, url, errors } = await openReport(WILL);
  const s = scenario(WILL)!;
  assert.ok(s.expectedFindings.includes('will-published'));
  const row = page.locator('tr.finding[data-id="will-published"]');
  assert.equal(await row.count(), 1);
  // The will's delivery is the broker's PUBLISH on the will topic (tshark), to the subscriber.
  const willTopic = s.clients.find((c) => c.will && c.clientId === 'lab7-dead')!.will!.topic;
  const delivery = tsharkPackets(WILL).find((p) => p.type === 'PUBLISH' && p.topic === willTopic)!;
  const link = row.locator(`a.fr[data-frame="${delivery.frame}"]`);
  assert.equal(await link.count(), 1, `the finding cites frame ${delivery.frame}`);
  await link.click();
  assert.match((await page.getAttribute(`#arrow-${delivery.frame}`, 'class')) ?? '', /\bhl\b/);
  assert.match((await page.getAttribute(`#row-${delivery.frame}`, 'class')) ?? '', /\bhl\b/);
  // And back: the arrow's finding mark leads to the finding row.
  await page.click(`#arrow-${delivery.frame} .mark`);
  assert.match((await row.getAttribute('class')) ?? '', /\bhl\b/);
  await page.screenshot({ path: join(OUT, `report-${WILL}.png`), fullPage: true });
  assert.deepEqual(errors, []);
  assert.deepEqual(requests.slice(before), [url], 'the only request is the report file itself');
  await page.close();
});

test('100 000 packets: the page loads in seconds, filters and pages stay quick', async (t) => {
  if (!existsSync(CHROMIUM)) return t.skip(`${CHROMIUM} is missing (apt-get install -y chromium)`);
  const b = new CaptureBuilder();
  const conns = Array.from({ length: 20 }, () => b.conn());
  conns.forEach((c, k) => b.send(c, 'c2s', k * 0.001, pk.connect(`client-${k}`, 30)));
  let time = 1;
  for (let i = 0; b.collector.data.messages.length < 100_000; i++) {
    const c = conns[i % conns.length]!;
    time += 0.001;
    b.send(c, 'c2s', time, pk.publish(`sensors/${i % 7}/value`, String(i), 1, (i % 65535) + 1));
    b.send(c, 's2c', time + 0.0002, pk.ack('PUBACK', (i % 65535) + 1));
  }
  const file = join(OUT, 'report-100k.html');
  mkdirSync(OUT, { recursive: true });
  writeFileSync(file, renderReportHtml(b.done()));
  const page = await ctx!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  let started = Date.now();
  await page.goto(pathToFileURL(file).href, { timeout: 60_000 });
  await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
  const load = Date.now() - started;
  assert.ok(load < 20_000, `loaded in ${load} ms`);
  // Paged: only one page of rows and arrows is in the document.
  assert.ok((await page.locator('#list-body tr.row').count()) <= 250);
  assert.ok((await page.locator('#diagram g[data-frame]').count()) <= 150);
  started = Date.now();
  await page.selectOption('#f-client', 'client-7');
  // client-7: its CONNECT, then PUBLISH number i (with its PUBACK) for every i ≡ 7 (mod 20).
  const pairs = (100_000 - 20) / 2;
  const expected = 1 + 2 * Math.ceil((pairs - 7) / 20);
  assert.match((await page.textContent('#list-count')) ?? '', new RegExp(`showing ${expected} of ${b.collector.data.rows.length} frames`));
  await page.fill('#f-topic', 'sensors/3/#');
  await page.click('#list-next');
  assert.ok(Date.now() - started < 5_000, `filtering took ${Date.now() - started} ms`);
  // The print stylesheet hides the controls.
  await page.emulateMedia({ media: 'print' });
  type Win = { getComputedStyle(e: unknown): { display: string } };
  assert.equal(await page.locator('#list .controls').evaluate((e) => (globalThis as unknown as Win).getComputedStyle(e).display), 'none');
  assert.deepEqual(errors, []);
  await page.close();
});
