// The registry of analysis passes: one file per pass, run in this order on every message.

import type { Pass } from '../pass.js';
import { ConformancePass } from './conformance.js';
import { KeepalivePass } from './keepalive.js';
import { QosPass } from './qos.js';
import { RetainPass } from './retain.js';
import { RoutingPass } from './routing.js';
import { SessionsPass } from './sessions.js';
import { WillPass } from './will.js';

export const PASS_NAMES = ['qos', 'keepalive', 'retain', 'will', 'sessions', 'routing', 'conformance'] as const;

/** Fresh pass instances (passes keep per-run state). Slot i of ConnState.slots belongs to pass i. */
export function createPasses(): Pass[] {
  return [new QosPass(0), new KeepalivePass(1), new RetainPass(), new WillPass(), new SessionsPass(), new RoutingPass(), new ConformancePass()];
}
