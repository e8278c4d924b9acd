// zod schemas of what `--format jsonl` (one PacketRow per line) and `--format json` (the whole
// document) print. `mqtt-analyze schema` prints them as JSON Schema; tests validate real output.

import { z } from 'zod';
import { AnalysisResultSchema } from '../analysis/schema.js';

const PropertySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  value: z.union([z.number(), z.string(), z.tuple([z.string(), z.string()])]).describe('binary values are hex'),
});

export const PduSchema = z
  .object({
    stream: z.number().int().describe("the connection's tcp.stream"),
    dir: z.enum(['c2s', 's2c']).describe('client → broker, or broker → client'),
    version: z.union([z.literal(3), z.literal(4), z.literal(5)]).describe('protocol level the packet was decoded with'),
    type: z
      .enum(['CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH', 'RESERVED'])
      .optional(),
    header_flags: z.number().int().optional(),
    remaining_length: z.number().int().optional(),
    properties: z.array(PropertySchema).optional(),
    malformed: z.object({ reason: z.string(), offset: z.number().int() }).optional(),
    notes: z.array(z.object({ code: z.string(), message: z.string(), offset: z.number().int() })).optional(),
  })
  .catchall(z.unknown())
  .describe("one MQTT control packet; the type's own fields use the spec's names (topic, packet_id, qos, ...)");

export const PacketRowSchema = z.object({
  no: z.number().int().describe('frame number in the capture'),
  time: z.number().describe('seconds since the first frame'),
  src: z.string(),
  dst: z.string(),
  srcport: z.number().int(),
  dstport: z.number().int(),
  protocol: z.literal('MQTT'),
  length: z.number().int().describe('frame length on the wire'),
  info: z.string().describe("Wireshark's Info column"),
  pdus: z.array(PduSchema),
});

export const CaptureSummarySchema = z.object({
  capture: z.object({
    status: z.enum(['ok', 'truncated', 'invalid']),
    format: z.enum(['pcap', 'pcapng']).optional(),
    frames: z.number().int(),
    offset: z.number().int().optional(),
    reason: z.string().optional(),
    bytes: z.number().int().optional(),
  }),
  bytes_read: z.number().int(),
  frames_read: z.number().int(),
  mqtt_frames: z.number().int(),
  pdus: z.number().int(),
  malformed_pdus: z.number().int(),
  connections: z.number().int(),
  tls_connections: z.number().int(),
  skipped: z.record(z.string(), z.number().int()).describe('frames not in the packet list, by reason'),
  default_version_connections: z.number().int(),
  framing_errors: z
    .object({ 'malformed-length': z.number().int(), oversize: z.number().int(), 'cut-short': z.number().int() })
    .describe('bytes that could not become packets'),
});

/** `mqtt-analyze CAPTURE --format json`. */
export const PacketListDocumentSchema = z.object({
  packets: z.array(PacketRowSchema),
  summary: CaptureSummarySchema,
  analysis: AnalysisResultSchema.optional(),
});

export const SCHEMAS = {
  analysis: AnalysisResultSchema,
  packets: PacketListDocumentSchema,
  row: PacketRowSchema,
} as const;
export type SchemaName = keyof typeof SCHEMAS;

export function jsonSchema(name: SchemaName): unknown {
  return z.toJSONSchema(SCHEMAS[name], { unrepresentable: 'any' });
}
