// Protocol conformance (MQTT 3.1.1 §2, §3.1, §3.2; 5.0 likewise): CONNECT first and only once,
// protocol name and level, reserved flags, empty client ids, malformed packets, ill-formed UTF-8,
// and the decoder's notes — the violations Wireshark displays without comment.

import type { MqttMessage } from '../../pipeline/events.js';
import { PacketType, type DecodeNote } from '../../mqtt/types.js';
import { CATALOGUE, type FindingId } from '../catalogue.js';
import type { Ctx, Pass } from '../pass.js';
import type { ConnState } from '../session.js';

const TYPE_NAMES: string[] = [];
for (const [k, v] of Object.entries(PacketType)) TYPE_NAMES[v] = k;

/** Ids this pass or another one derives from the packet itself: a decoder note with the same
 *  code would only repeat them. */
const CHECKED_HERE = new Set<string>([
  'connect-reserved-flag', 'pubrel-bad-flags', 'wildcard-in-publish-topic', 'packet-id-zero', 'dup-set-on-qos0',
  'invalid-topic-filter', 'invalid-protocol-name', 'unsupported-protocol-level', 'empty-client-id',
  // the decoder's names for what the passes check themselves
  'dup-qos0', 'wildcard-in-topic', 'protocol-mismatch', 'session-present-on-refusal',
]);

const CONNACK_3 = ['Accepted', 'unacceptable protocol version', 'identifier rejected', 'server unavailable', 'bad user name or password', 'not authorized'];

export class ConformancePass implements Pass {
  readonly name = 'conformance';

  message(ctx: Ctx, c: ConnState, msg: MqttMessage): void {
    const r = msg.result;
    const p = r.packet;
    if (msg.dir === 'c2s' && c.c2s === 1 && p !== null && p.type !== 'CONNECT' && c.info.sawSyn && c.gapC2S === Infinity) {
      // MQTT-3.1.0-1: after the connection is established the first client packet MUST be CONNECT
      ctx.report('connect-not-first', [msg.frame], c, { type: p.type });
    }
    if (p !== null) this.notes(ctx, c, msg, p.type, p.notes);
    if (r.status === 'malformed') {
      const type = p?.type ?? TYPE_NAMES[r.headerFlags >> 4] ?? 'packet';
      // A wrong version guess (no CONNECT seen) can make a good packet look broken.
      ctx.report('malformed-packet', [msg.frame], c, { type, detail: `${r.reason} at byte ${r.offset}` }, msg.versionKnown ? 'violation' : 'warning');
      return;
    }
    if (p === null) return;
    // v5 Maximum Packet Size: the broker MUST NOT send the client more than its CONNECT allows
    // (MQTT-3.1.2-25), nor the client the broker more than its CONNACK allows (MQTT-3.2.2-15).
    const max = msg.dir === 's2c' ? c.clientMaxPacket : c.serverMaxPacket;
    if (p.length > max) {
      const s2c = msg.dir === 's2c';
      ctx.report('packet-too-large', [msg.frame], c, {
        sender: s2c ? 'the broker' : 'the client', receiver: s2c ? 'client' : 'broker', type: p.type, size: p.length, max,
        where: s2c ? 'CONNECT' : 'CONNACK',
      });
    }
    if (p.type === 'CONNECT' && msg.dir === 'c2s') {
      if (c.connects > 1) {
        ctx.report('second-connect', [c.connectFrame, msg.frame], c, { first: c.connectFrame });
        return;
      }
      const level = p.protocolLevel;
      const want = level === 3 ? 'MQIsdp' : level === 4 || level === 5 ? 'MQTT' : null;
      if (want !== null && p.protocolName !== want) {
        ctx.report('invalid-protocol-name', [msg.frame], c, { name: p.protocolName, level });
      }
      if ((p.connectFlags & 0x01) !== 0) {
        ctx.report('connect-reserved-flag', [msg.frame], c, { flags: '0x' + p.connectFlags.toString(16).padStart(2, '0') });
      }
      if (p.clientId.length === 0 && !p.cleanSession && level === 4) {
        ctx.report('empty-client-id', [msg.frame], c, { why: 'the client MUST then set CleanSession=1 (MQTT-3.1.3-7)' });
      }
      return;
    }
    if (p.type === 'CONNACK' && msg.dir === 's2c' && c.connackFrame === msg.frame) {
      const code = p.returnCode;
      const level = c.protocolLevel;
      if (c.connects > 0 && level !== 3 && level !== 4 && level !== 5) {
        const refused = code === 0x01 || code === 0x84;
        ctx.report('unsupported-protocol-level', [c.connectFrame, msg.frame], c, {
          level, why: refused ? 'the broker refused it as required' : `the broker answered ${code} instead of 0x01 (MQTT-3.1.2-2)`,
        }, refused ? 'info' : 'violation');
      }
      if (c.connects > 0 && level === 4 && c.clientId === '' && c.cleanSession === false && code === 0) {
        ctx.report('empty-client-id', [c.connectFrame, msg.frame], c, { why: 'the broker accepted it instead of refusing with 0x02 (MQTT-3.1.3-8)' });
      }
      if (code !== 0) {
        const name = c.version === 5 || code >= 0x80 ? 'v5 reason' : CONNACK_3[code] ?? 'reserved';
        ctx.report('connack-refused', [msg.frame], c, { code: '0x' + code.toString(16).padStart(2, '0'), name, clientId: c.clientId ?? '' });
      }
    }
  }

  private notes(ctx: Ctx, c: ConnState, msg: MqttMessage, type: string, notes: DecodeNote[]): void {
    for (let i = 0; i < notes.length; i++) {
      const n = notes[i]!;
      if (CHECKED_HERE.has(n.code)) continue;
      if (n.code === 'reserved-flags' && type === 'PUBREL') continue; // reported as pubrel-bad-flags
      const detail = `${n.message} (byte ${n.offset})`;
      // As for a malformed packet: a wrong version guess (no CONNECT seen) can make a good packet look wrong.
      const weaker = msg.versionKnown ? undefined : 'warning';
      if (n.code in CATALOGUE) ctx.report(n.code as FindingId, [msg.frame], c, { type, detail, code: n.code }, weaker);
      else ctx.report('decode-note', [msg.frame], c, { type, code: n.code, detail });
    }
  }
}
