// zod schemas of the whole analysis result. `--format json` prints exactly an AnalysisResult;
// `mqtt-analyze schema` prints analysisJsonSchema(). The TS types are inferred from these.

import { z } from 'zod';

export const SeveritySchema = z.enum(['violation', 'warning', 'info', 'not-observable']);

export const FindingSchema = z.object({
  id: z.string().describe('Stable finding id from the catalogue'),
  severity: SeveritySchema,
  clause: z.string().describe('Spec statement checked, e.g. MQTT-3.3.1-8 (3.1.1 numbering; 5.0 where it differs)'),
  frames: z.array(z.number().int()).describe('Evidence frame numbers'),
  message: z.string(),
  title: z.string(),
  connection: z.number().int().nullable().describe('tcp.stream of the connection concerned, if one'),
  clientId: z.string().nullable(),
  time: z.number().nullable().describe('Absolute time of the first evidence frame, seconds since the epoch'),
});

export const EndKindSchema = z.enum([
  'disconnect', // client sent DISCONNECT
  'disconnect-with-will', // v5 DISCONNECT reason 0x04
  'broker-disconnect', // v5 server-sent DISCONNECT
  'client-fin',
  'client-rst',
  'broker-fin',
  'broker-rst',
  'open', // still open at capture end
]);

export const WillSchema = z.object({
  topic: z.string(),
  payload: z.string().describe('The will message as UTF-8 text (U+FFFD where it is not UTF-8), cut after 200 characters with …'),
  payloadLength: z.number().int(),
  qos: z.number().int(),
  retain: z.boolean(),
  delayInterval: z.number().int().nullable(),
});

export const ConnectionSummarySchema = z.object({
  id: z.number().int(),
  client: z.string(),
  server: z.string(),
  transport: z.enum(['mqtt', 'tls']),
  clientId: z.string().nullable(),
  version: z.number().int().nullable(),
  keepAlive: z.number().int().nullable(),
  serverKeepAlive: z.number().int().nullable(),
  cleanSession: z.boolean().nullable(),
  sessionExpiry: z.number().int().nullable(),
  will: WillSchema.nullable(),
  connackCode: z.number().int().nullable(),
  /** The CONNACK's Session Present; null when no CONNACK was seen, and for MQTT 3.1, whose CONNACK has none. */
  sessionPresent: z.boolean().nullable(),
  subscriptions: z.array(z.object({ filter: z.string(), qos: z.number().int().nullable() })),
  ended: EndKindSchema,
  disconnectReason: z.number().int().nullable(),
  firstFrame: z.number().int(),
  lastFrame: z.number().int(),
  firstTime: z.number(),
  lastTime: z.number(),
  fromConnect: z.boolean().describe('The capture saw this connection from its CONNECT'),
  directions: z.enum(['both', 'c2s', 's2c', 'none']),
  packets: z.number().int(),
  maxClientSilence: z.number().nullable().describe('Longest gap between client packets, seconds'),
  pings: z.number().int().describe('PINGREQs answered by a PINGRESP'),
  pingLatencyAvg: z.number().nullable().describe('Seconds from PINGREQ to its PINGRESP'),
  pingLatencyMax: z.number().nullable(),
});

export const HandshakeStepSchema = z.object({
  packet: z.enum(['PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP']),
  sentBy: z.enum(['client', 'broker']),
  count: z.number().int().describe('Handshakes that reached this step'),
  latencyAvg: z.number().nullable().describe("Seconds from the handshake's previous packet to this one"),
  latencyMax: z.number().nullable(),
});

export const HandshakeSummarySchema = z.object({
  connection: z.number().int(),
  clientId: z.string().nullable(),
  direction: z.enum(['c2s', 's2c']).describe('Direction of the PUBLISH: c2s = client to broker'),
  qos: z.number().int(),
  started: z.number().int(),
  completed: z.number().int(),
  incomplete: z.number().int(),
  latencyAvg: z.number().nullable().describe('Seconds from PUBLISH to the final acknowledgement'),
  latencyMax: z.number().nullable(),
  steps: z.array(HandshakeStepSchema).describe('Each acknowledgement in order (QoS 1: PUBACK; QoS 2: PUBREC, PUBREL, PUBCOMP), with its latency from the packet before it'),
});

export const TopicSummarySchema = z.object({
  topic: z.string(),
  publishes: z.tuple([z.number().int(), z.number().int(), z.number().int()]).describe('client→broker PUBLISH count per QoS 0/1/2'),
  retainedPublishes: z.number().int(),
  retained: z.boolean().describe('A retained message is held for the topic at capture end (as far as seen)'),
  deliveries: z.number().int().describe('broker→client PUBLISH count'),
});

export const ClientSummarySchema = z.object({
  clientId: z.string(),
  connections: z.array(z.number().int()),
  firstFrame: z.number().int(),
  lastFrame: z.number().int(),
});

export const FoldedSchema = z.object({
  connections: z.number().int().describe('Connections not listed: the table keeps the first maxSummaryRows rows in full'),
  connectionPackets: z.number().int().describe('MQTT packets of the connections not listed'),
  clients: z.number().int().describe('Client ids not listed (an id seen again after its record expired counts again)'),
  topicPackets: z.number().int().describe('PUBLISH packets (both directions) on topics not listed'),
  handshakes: z.number().int().describe('Handshake rows not listed'),
});

export const SummarySchema = z.object({
  lastFrame: z.number().int(),
  duration: z.number(),
  connections: z.number().int(),
  mqttConnections: z.number().int(),
  messages: z.number().int(),
  findings: z.object({
    violation: z.number().int(),
    warning: z.number().int(),
    info: z.number().int(),
    'not-observable': z.number().int(),
  }),
  suppressedFindings: z.number().int().describe('Findings not listed because a per-id cap was reached'),
  limitsHit: z.array(z.string()),
  folded: FoldedSchema.describe('Summary rows beyond the tables\' size, counted instead of listed (the analysis itself saw them all)'),
});

export const AnalysisResultSchema = z.object({
  findings: z.array(FindingSchema),
  connections: z.array(ConnectionSummarySchema),
  handshakes: z.array(HandshakeSummarySchema),
  topics: z.array(TopicSummarySchema),
  clients: z.array(ClientSummarySchema),
  summary: SummarySchema,
});

export type Finding = z.infer<typeof FindingSchema>;
export type EndKind = z.infer<typeof EndKindSchema>;
export type WillSummary = z.infer<typeof WillSchema>;
export type ConnectionSummary = z.infer<typeof ConnectionSummarySchema>;
export type HandshakeSummary = z.infer<typeof HandshakeSummarySchema>;
export type TopicSummary = z.infer<typeof TopicSummarySchema>;
export type ClientSummary = z.infer<typeof ClientSummarySchema>;
export type AnalysisSummary = z.infer<typeof SummarySchema>;
export type FoldedRows = z.infer<typeof FoldedSchema>;
export type AnalysisResult = z.infer<typeof AnalysisResultSchema>;

/** The result schema as JSON Schema (for `mqtt-analyze schema`). */
export function analysisJsonSchema(): unknown {
  return z.toJSONSchema(AnalysisResultSchema);
}
