// MQTT packets as tshark sees them in a fixture's goldens: F.tshark-V.txt (`-V -O mqtt`: ports,
// message types, packet ids, QoS) joined with the frame times of F.tshark.txt (the packet list).
// For tests that check our figures against tshark's own view of the capture.

import { readFileSync } from 'node:fs';

export interface Pdu { frame: number; time: number; client: number; c2s: boolean; type: string; id: number; qos: number }

/** MQTT packets in capture order, from tshark's `-V -O mqtt` text and its packet list's times. */
export function tsharkPdus(capture: string): Pdu[] {
  const times = new Map<number, number>();
  for (const line of readFileSync(capture + '.tshark.txt', 'utf8').split('\n')) {
    const m = line.match(/^\s*(\d+)\s+([\d.]+)\s/);
    if (m) times.set(Number(m[1]), Number(m[2]));
  }
  const out: Pdu[] = [];
  let frame = 0;
  let src = 0;
  let dst = 0;
  for (const line of readFileSync(capture + '.tshark-V.txt', 'utf8').split('\n')) {
    let m = line.match(/^Frame (\d+):/);
    if (m) { frame = Number(m[1]); continue; }
    m = line.match(/^Transmission Control Protocol, Src Port: (\d+), Dst Port: (\d+)/);
    if (m) { src = Number(m[1]); dst = Number(m[2]); continue; }
    m = line.match(/^ {8}\d{4} \.\.\.\. = Message Type: ([A-Za-z ]+) \(\d+\)/);
    if (m) {
      const c2s = dst === 1883;
      out.push({ frame, time: times.get(frame)!, client: c2s ? src : dst, c2s, type: m[1]!, id: -1, qos: 0 });
      continue;
    }
    const last = out[out.length - 1];
    m = line.match(/^ {8}\.\.\.\. \.(\d)(\d)\. = QoS Level: .*\((\d)\)$/);
    if (m && last) last.qos = Number(m[3]);
    m = line.match(/^ {4}Message Identifier: (\d+)/);
    if (m && last && last.id < 0) last.id = Number(m[1]);
  }
  return out;
}

