// What an analysis pass is, and the context the Analyzer hands it.

import type { Direction, MqttMessage } from '../pipeline/events.js';
import type { FindingId, Severity } from './catalogue.js';
import type { Expectation, ExpectationKind, Source } from './correlation.js';
import type { ResolvedOptions } from './options.js';
import type { AnalysisResult } from './schema.js';
import type { Broker, ConnState, Sub } from './session.js';
import type { MqttPacket } from '../mqtt/types.js';

export type Params = Record<string, string | number | boolean | undefined>;

export interface Ctx {
  readonly opts: ResolvedOptions;
  /** Emit a finding from the catalogue; `severity` overrides the catalogue's (e.g. to
   *  'not-observable' or to 'warning' when the evidence is weaker). */
  report(id: FindingId, frames: number[], conn: ConnState | null, params: Params, severity?: Severity): void;
  /** Report a limit once per name. */
  limit(name: string, value: number, what: string, frame: number): void;
  /** For the current PUBLISH: its topic (v5 topic aliases resolved), payload hash and length. */
  topic: string;
  readonly hash: number;
  len: number;
  /** For a broker → client PUBLISH: the expectation it filled, if any. */
  delivery: Expectation | null;
  /** For a client → broker PUBLISH: the source record the broker now forwards. */
  source: Source | null;
  /** Time of the current event (seconds since the epoch). */
  now: number;
  frame: number;
  /** Record that `conn` should receive `src` at QoS `qos` (judged by the kind's owner pass). */
  expectOn(conn: ConnState, kind: ExpectationKind, src: Source, sub: Sub | null, qos: number, qosOk?: number): void;
  /** Record `src` as owed to every visible subscriber of `broker` whose subscription matches. */
  routeToSubscribers(broker: Broker, from: ConnState | null, src: Source, kind: ExpectationKind): void;
}

export interface Pass {
  readonly name: string;
  /** The packet types `message` acts on (decoded packets only); absent: every message, malformed
   *  ones included. The Analyzer calls `message` for nothing else: most packets concern few passes. */
  readonly types?: readonly MqttPacket['type'][];
  connection?(ctx: Ctx, c: ConnState): void;
  /** Time moved on to `now` (called before the model takes in each message): timers. */
  advance?(ctx: Ctx, now: number): void;
  /** Called after the session model took the message in. */
  message?(ctx: Ctx, c: ConnState, msg: MqttMessage): void;
  gap?(ctx: Ctx, c: ConnState, dir: Direction, frame: number, bytes: number): void;
  /** The connection ended (or the capture did): close out its state. */
  connectionEnd?(ctx: Ctx, c: ConnState): void;
  /** An expectation of a kind this pass owns was never filled. `observable` says whether the
   *  capture could have shown the delivery. */
  missed?(ctx: Ctx, e: Expectation, observable: boolean): void;
  end?(ctx: Ctx): void;
  /** Add the pass' summary rows to the result. */
  summarize?(result: AnalysisResult): void;
}
