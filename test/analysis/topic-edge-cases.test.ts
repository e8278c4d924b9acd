// Topic matching against a real broker: fixtures/edge/topic-edge-cases.pcap's scenario declared,
// from the matching rules of MQTT 3.1.1 §4.7 written out in Python, which subscriber gets which
// of 15 awkward topics, and the fixture only builds when mosquitto 2.0.11 delivered exactly
// that. Our matcher and filter trie must say the same for every pair.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { topicMatches } from '../../src/analysis/topic.js';
import { FilterTrie, topicLevels } from '../../src/analysis/filter-trie.js';
import { topicFilterProblem } from '../../src/analysis/topic.js';
import { dissectCapture, forwardTo } from '../../src/pipeline/dissect.js';
import { Analyzer } from '../../src/analysis/analyzer.js';

interface Scenario {
  clients: { clientId: string }[];
  publishes: { topic: string }[];
  deliveries: { to: string; topic: string }[];
  notDelivered: { to: string; topic: string }[];
}

const sc = JSON.parse(readFileSync('fixtures/edge/topic-edge-cases.pcap.scenario.json', 'utf8')) as Scenario;
// the filters, in subscriber order (edge0 .. edge13), as the scenario script lists them
const FILTERS = ['+/+', '/+', '+', '#', 'a/+/b', 'a//b', 'a/#', 'a/', '+/', 'é/+', '$x/#', '+/#', 'a/+', '/#'];

test('topic edge cases: the scenario covers every subscriber × topic pair, delivered or not', () => {
  const topics = sc.publishes.map((p) => p.topic);
  assert.equal(topics.length, 15);
  assert.equal(sc.deliveries.length + sc.notDelivered.length, FILTERS.length * topics.length);
  assert.ok(sc.clients.some((c) => c.clientId === 'edge13'));
});

test('topic edge cases: topicMatches and the filter trie agree with mosquitto on every pair', () => {
  const delivered = new Set(sc.deliveries.map((d) => `${d.to}\n${d.topic}`));
  const trie = new FilterTrie<number>();
  FILTERS.forEach((f, i) => trie.add(f, topicFilterProblem(f) === null, i));
  const wrong: string[] = [];
  for (const { topic } of sc.publishes) {
    const fromTrie: number[] = [];
    trie.match(topic, topicLevels(topic), fromTrie);
    FILTERS.forEach((f, i) => {
      const got = delivered.has(`edge${i}\n${topic}`);
      if (topicMatches(f, topic) !== got) wrong.push(`topicMatches("${f}", "${topic}") should be ${got}`);
      if (fromTrie.includes(i) !== got) wrong.push(`trie: "${f}" / "${topic}" should be ${got}`);
    });
  }
  assert.deepEqual(wrong, []);
});

test('topic edge cases: check sees every delivery as owed and finds nothing on the capture', async () => {
  const a = new Analyzer();
  await dissectCapture('fixtures/edge/topic-edge-cases.pcap', forwardTo(a));
  const r = a.result();
  assert.deepEqual(r.findings.map((f) => `${f.id} ${f.frames.join(',')}`), []);
  const delivered = r.topics.reduce((n, t) => n + t.deliveries, 0);
  assert.equal(delivered, sc.deliveries.length);
});
