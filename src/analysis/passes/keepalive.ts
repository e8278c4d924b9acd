// Keep Alive (MQTT 3.1.1 §3.1.2.10, 5.0 §3.1.2.10 and Server Keep Alive §3.2.2.3.14):
// the client's longest silence, PINGREQ → PINGRESP with latency, and whether the broker closed
// a silent connection after 1.5x the Keep Alive. Keep Alive 0 switches the mechanism off.

import type { MqttMessage } from '../../pipeline/events.js';
import type { Ctx, Pass } from '../pass.js';
import { effectiveKeepAlive, type ConnState } from '../session.js';
import { secs } from '../util.js';

interface KaState {
  /** Time and frame of the last client packet (from CONNECT on). */
  lastC2S: number;
  lastC2SFrame: number;
  exceeded: boolean;
  notEnforced: boolean;
  pingFrame: number;
  pingTime: number;
  /** Latest broker packet after the pending PINGREQ. */
  afterPing: number;
  afterPingFrame: number;
}

export class KeepalivePass implements Pass {
  readonly name = 'keepalive';

  constructor(private readonly slot: number) {}

  private brokerLimit(ctx: Ctx, ka: number): number {
    const slack = ctx.opts.brokerKeepAliveSlack >= 0 ? ctx.opts.brokerKeepAliveSlack : Math.max(5, ka * 0.5);
    return ka * 1.5 + slack;
  }

  message(ctx: Ctx, c: ConnState, msg: MqttMessage): void {
    const r = msg.result;
    const type = r.packet?.type;
    let s = c.slots[this.slot] as KaState | null;
    if (s === null) {
      if (type !== 'CONNECT' || msg.dir !== 'c2s' || !c.fromConnect) {
        // PINGREQ/PINGRESP can be paired even on a connection seen from the middle
        if (type !== 'PINGREQ') return;
      }
      s = { lastC2S: msg.time, lastC2SFrame: msg.frame, exceeded: false, notEnforced: false, pingFrame: 0, pingTime: 0, afterPing: 0, afterPingFrame: 0 };
      c.slots[this.slot] = s;
    }
    const ka = c.fromConnect ? effectiveKeepAlive(c) : null;
    if (msg.dir === 'c2s') {
      if (ka !== null && ka > 0 && c.gapC2S === Infinity && c.end === null) {
        const silence = msg.time - s.lastC2S;
        this.silence(ctx, c, s, ka, silence, msg.frame, true);
      }
      if (c.end === null || type === 'DISCONNECT') {
        s.lastC2S = msg.time;
        s.lastC2SFrame = msg.frame;
      }
      if (type === 'PINGREQ') {
        this.judgePing(ctx, c, s);
        s.pingFrame = msg.frame;
        s.pingTime = msg.time;
        s.afterPing = 0;
      }
      return;
    }
    // broker → client
    if (ka !== null && ka > 0 && c.gapC2S === Infinity && c.end === null && !s.notEnforced) {
      const silence = msg.time - s.lastC2S;
      if (silence > this.brokerLimit(ctx, ka)) {
        s.notEnforced = true;
        ctx.report('keepalive-not-enforced', [s.lastC2SFrame, msg.frame], c, { silence: secs(silence), keepAlive: ka, limit: 1.5 * ka, frame: msg.frame });
      }
    }
    if (s.pingFrame === 0) return;
    if (type === 'PINGRESP') {
      const lat = msg.time - s.pingTime;
      c.pings++;
      c.pingLatencySum += lat;
      if (c.pingLatencyMax === null || lat > c.pingLatencyMax) c.pingLatencyMax = lat;
      s.pingFrame = 0;
    } else {
      s.afterPing = msg.time;
      s.afterPingFrame = msg.frame;
    }
  }

  /** A client silence of `silence` seconds ending at `frame`. */
  private silence(ctx: Ctx, c: ConnState, s: KaState, ka: number, silence: number, frame: number, stillOpen: boolean, atCaptureEnd = false): void {
    if (!s.exceeded && silence > ka + ctx.opts.keepAliveSlack) {
      s.exceeded = true;
      // MQTT-3.1.2-23 bounds the client at 1x; the broker's 1.5x grace (MQTT-3.1.2-24) exists
      // for small overruns, so those are a warning. Silence up to the capture's end is also
      // weaker evidence (the capture may have stopped seeing the client).
      const sev = silence > ka * 1.5 && !atCaptureEnd ? 'violation' : 'warning';
      ctx.report('keepalive-exceeded', [s.lastC2SFrame, frame], c, { silence: secs(silence), keepAlive: ka }, sev);
    }
    if (stillOpen && !s.notEnforced && silence > this.brokerLimit(ctx, ka)) {
      s.notEnforced = true;
      ctx.report('keepalive-not-enforced', [s.lastC2SFrame, frame], c, { silence: secs(silence), keepAlive: ka, limit: 1.5 * ka, frame });
    }
  }

  /** A PINGREQ left without PINGRESP is a violation only when the broker evidently went on
   *  working: it sent packets well after the PINGREQ and the capture lost nothing. */
  private judgePing(ctx: Ctx, c: ConnState, s: KaState): void {
    if (s.pingFrame === 0) return;
    if (s.afterPing > s.pingTime + 1 && c.gapS2C === Infinity) {
      ctx.report('pingresp-missing', [s.pingFrame, s.afterPingFrame], c, { why: `broker packet at frame ${s.afterPingFrame}` });
    }
    s.pingFrame = 0;
  }

  connectionEnd(ctx: Ctx, c: ConnState): void {
    const s = c.slots[this.slot] as KaState | null;
    if (s === null) return;
    this.judgePing(ctx, c, s);
    const ka = c.fromConnect ? effectiveKeepAlive(c) : null;
    c.slots[this.slot] = null;
    if (ka === null || ka === 0 || c.gapC2S !== Infinity) return;
    const end = c.end;
    if (end === 'disconnect' || end === 'disconnect-with-will') return; // measured at the DISCONNECT
    const silence = c.endTime - s.lastC2S;
    if (end === 'broker-fin' || end === 'broker-rst' || end === 'broker-disconnect') {
      this.silence(ctx, c, s, ka, silence, c.endFrame, false);
      if (silence >= ka * 1.5 - ctx.opts.keepAliveSlack) {
        ctx.report('keepalive-broker-closed', [s.lastC2SFrame, c.endFrame], c, { silence: secs(silence), keepAlive: ka });
      }
      return;
    }
    // client-fin / client-rst: the connection was still open when the client closed it, and the
    // broker side was visible, so a broker close would have shown first. 'open': the capture
    // saw the silence up to its last frame, but nothing proves the broker kept the connection.
    const brokerVisible = c.s2c > 0 && c.gapS2C === Infinity;
    this.silence(ctx, c, s, ka, silence, c.endFrame, end !== 'open' && brokerVisible, end === 'open');
  }
}
