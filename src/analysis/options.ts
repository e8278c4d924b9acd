// Tunables of the analysis: time windows and the limits that keep its state bounded.

export interface AnalysisOptions {
  /** Seconds a broker gets to deliver a message before a missing delivery counts (default 10). */
  deliveryWindow?: number;
  /** Seconds of scheduling slack allowed on the client's Keep Alive (default 0.5). */
  keepAliveSlack?: number;
  /** Seconds of slack a broker gets past 1.5x Keep Alive before it "kept" a silent
   *  connection (default max(5, 0.5 x Keep Alive)); mosquitto checks every few seconds. */
  brokerKeepAliveSlack?: number;
  /** In-flight QoS handshakes tracked per connection (default 65536, one per packet id). */
  maxInflightPerConnection?: number;
  /** Pending expected deliveries per subscriber connection (default 20000). */
  maxExpectationsPerConnection?: number;
  /** Retained topics tracked per broker (default 10000). */
  maxRetainedTopics?: number;
  /** Client ids remembered per broker across reconnects (default 20000). */
  maxClients?: number;
  /** Messages remembered per offline session (default 100): enough to judge delivery on
   *  reconnect; state grows with offline persistent sessions, not with the capture. */
  maxQueuedPerSession?: number;
  /** Findings listed per id; the rest are counted in summary.suppressedFindings (default 200). */
  maxFindingsPerId?: number;
  /** Rows listed in full in each summary table (connections, clients, topics, handshakes); the
   *  rest are folded into counters in summary.folded (default 1000 each). */
  maxSummaryRows?: number;
  /** Seconds an offline client is remembered when its session did not persist (clean session,
   *  or expired): long enough to count what it missed if it comes back (default 300). */
  offlineWindow?: number;
  /** Seconds a persistent session with no expiry (3.1.1, or v5 0xFFFFFFFF) — or a longer one —
   *  is remembered while offline (default 3600). */
  sessionWindow?: number;
}

export type ResolvedOptions = Required<AnalysisOptions>;

export function resolveOptions(o: AnalysisOptions = {}): ResolvedOptions {
  return {
    deliveryWindow: o.deliveryWindow ?? 10,
    keepAliveSlack: o.keepAliveSlack ?? 0.5,
    brokerKeepAliveSlack: o.brokerKeepAliveSlack ?? -1,
    maxInflightPerConnection: o.maxInflightPerConnection ?? 65536,
    maxExpectationsPerConnection: o.maxExpectationsPerConnection ?? 20000,
    maxRetainedTopics: o.maxRetainedTopics ?? 10000,
    maxClients: o.maxClients ?? 20000,
    maxQueuedPerSession: o.maxQueuedPerSession ?? 100,
    maxFindingsPerId: o.maxFindingsPerId ?? 200,
    maxSummaryRows: o.maxSummaryRows ?? 1000,
    offlineWindow: o.offlineWindow ?? 300,
    sessionWindow: o.sessionWindow ?? 3600,
  };
}
