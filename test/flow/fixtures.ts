// Lab fixtures and their ground truth: tshark's packet list (F.tshark.txt) and how the scenario
// was built (F.scenario.json). Tests compare our pictures with these, not with our own output.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Analyzer } from '../../src/analysis/analyzer.js';
import { collectCapture } from '../../src/flow/run.js';
import { detailBlock } from '../../src/render/detail.js';
import type { Collected } from '../../src/flow/collect.js';
import { projectRoot } from '../support/paths.js';

// From test/ (tsx) and from dist/test/ (compiled) alike.
export const LAB = join(projectRoot, 'fixtures', 'lab');

export function labFixtures(): string[] {
  if (!existsSync(LAB)) return [];
  return readdirSync(LAB)
    .filter((f) => /\.pcap(ng)?$/.test(f) && existsSync(join(LAB, `${f}.tshark.txt`)))
    .sort();
}

/** Wireshark's Info text of each MQTT packet type (packet-mqtt.c's mqtt_msgtype_vals). */
const TSHARK_TYPE: Record<string, string> = {
  'Connect Command': 'CONNECT',
  'Connect Ack': 'CONNACK',
  'Publish Message': 'PUBLISH',
  'Publish Ack': 'PUBACK',
  'Publish Received': 'PUBREC',
  'Publish Release': 'PUBREL',
  'Publish Complete': 'PUBCOMP',
  'Subscribe Request': 'SUBSCRIBE',
  'Subscribe Ack': 'SUBACK',
  'Unsubscribe Request': 'UNSUBSCRIBE',
  'Unsubscribe Ack': 'UNSUBACK',
  'Ping Request': 'PINGREQ',
  'Ping Response': 'PINGRESP',
  'Disconnect Req': 'DISCONNECT',
  'Authentication Exchange': 'AUTH',
};

export interface TsharkPacket {
  frame: number;
  time: number;
  type: string;
  /** The "(id=N)" and "[topic]" of the Info text, when there. */
  id?: number;
  topic?: string;
}

/** One entry per MQTT packet (a frame's Info may list several, joined by ", "). */
export function tsharkPackets(fixture: string): TsharkPacket[] {
  const out: TsharkPacket[] = [];
  for (const line of readFileSync(join(LAB, `${fixture}.tshark.txt`), 'utf8').split('\n')) {
    const m = /^\s*(\d+)\s+([\d.]+)\s+\S+ → \S+\s+MQTT \d+ (.*)$/.exec(line);
    if (!m) continue;
    const parts = m[3]!.split(/, (?=(?:Connect|Publish|Subscribe|Unsubscribe|Ping|Disconnect|Authentication) )/);
    for (const p of parts) {
      const name = Object.keys(TSHARK_TYPE).find((k) => p.startsWith(k));
      const id = /\(id=(\d+)\)/.exec(p);
      const topic = /\[(.*)\]$/.exec(p);
      out.push({
        frame: Number(m[1]),
        time: Number(m[2]),
        type: name ? TSHARK_TYPE[name]! : `?${p}`,
        id: id ? Number(id[1]) : undefined,
        topic: topic ? topic[1] : undefined,
      });
    }
  }
  return out;
}

export interface Scenario {
  clients: { clientId: string; will: { topic: string; payload: string } | null }[];
  publishes: { from: string; topic: string; qos: number; retain: boolean; payload: string }[];
  deliveries: { to: string; topic: string; qos: number; retain: boolean; payload: string }[];
  expectedFindings: string[];
  shows?: string;
}

export function scenario(fixture: string): Scenario | null {
  const p = join(LAB, `${fixture}.scenario.json`);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Scenario) : null;
}

export async function collectFixture(fixture: string, withDetail = false): Promise<Collected> {
  const { collected } = await collectCapture(join(LAB, fixture), {
    analyzer: new Analyzer(),
    detail: withDetail ? detailBlock : undefined,
  });
  return collected;
}
