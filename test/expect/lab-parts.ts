// Which lab parts a fixture shows, read from its F.scenario.json alone (the construction, not
// our output). Shared by the rubric and the grading tests.

export interface Scenario {
  part: number;
  clients: { clientId: string | null; role: string; keepAlive: number | null; cleanSession: boolean | null; will: { topic: string; payload: string } | null; ended: string }[];
  publishes: { from: string | null; topic: string; qos: number; retain: boolean; payload: string }[];
  deliveries: { to: string; topic: string; qos: number; retain: boolean; payload: string }[];
  notDelivered: { topic: string; to: string; payload?: string }[];
  expectedFindings: string[];
  labExpectationFails?: boolean | string | string[];
}


/** What each part needs the construction to have done, read from the scenario alone. */
export const SHOWS: Record<number, (s: Scenario) => boolean> = {
  1: (s) =>
    s.deliveries.some((d) => s.publishes.some((p) => p.topic === d.topic && p.payload === d.payload)) &&
    s.clients.some((c) => c.ended === 'disconnect') &&
    !s.expectedFindings.some((f) => f === 'connect-not-first' || f === 'second-connect'),
  2: (s) => new Set(s.deliveries.filter((d) => s.publishes.some((p) => p.topic === d.topic && p.payload === d.payload)).map((d) => d.topic)).size >= 3,
  3: (s) =>
    s.publishes.some((p) => p.qos === 1) &&
    s.publishes.some((p) => p.qos === 2) &&
    s.deliveries.some((d) => d.qos === 2) &&
    !s.expectedFindings.some((f) => /^qos|packet-id/.test(f)),
  4: (s) => s.part === 4 && !s.labExpectationFails && s.notDelivered.some((n) => n.topic.startsWith('paho/test2/')),
  5: (s) => s.deliveries.some((d) => d.retain && s.publishes.some((p) => p.retain && p.payload === d.payload)) && s.deliveries.some((d) => !d.retain),
  6: (s) => s.part === 6 && !s.expectedFindings.includes('keepalive-exceeded'),
  7: (s) =>
    s.clients.some((c) => c.will && c.ended === 'killed' && s.deliveries.some((d) => d.topic === c.will!.topic && d.payload === c.will!.payload)) &&
    s.clients.some((c) => c.will && c.ended === 'disconnect'),
  8: (s) => {
    const ids = s.clients.map((c) => c.clientId);
    const back = s.clients.find((c, k) => c.clientId && ids.indexOf(c.clientId) < k && c.cleanSession === false);
    return Boolean(back) && s.publishes.some((p) => p.qos === 0) && s.publishes.some((p) => p.qos === 1 && s.deliveries.some((d) => d.to === back!.clientId && d.payload === p.payload));
  },
  9: (s) => {
    const count = new Map<string, number>();
    for (const p of s.publishes) count.set(`${p.from}/${p.topic}`, (count.get(`${p.from}/${p.topic}`) ?? 0) + 1);
    const periodic = [...count.values()].some((n) => n >= 5);
    // The subscriber left while publishing went on: later publishes are listed as not delivered to it.
    const left = s.clients.some((c) => c.role === 'subscriber' && c.ended === 'disconnect' && s.deliveries.some((d) => d.to === c.clientId) && s.notDelivered.some((n) => n.to === c.clientId));
    return periodic && left;
  },
};

