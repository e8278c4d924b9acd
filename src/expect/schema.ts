// The expectations language: what a trace must (or must not) show, as a CI author or a lab
// instructor says it. One file = optional parts (a rubric) of checks; a check has exactly one
// kind key (packets, order, handshake, retained, keepalive, will, session, forwarded,
// notDelivered, wildcard, periodic, subscriberLeaves, findings) plus name/points/feedback.
// Validated with zod; `load.ts` maps zod's paths back to YAML lines.

import { z } from 'zod';

const PACKET_TYPES = [
  'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBSCRIBE', 'SUBACK',
  'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH',
] as const;

export const PacketTypeNameSchema = z.enum(PACKET_TYPES);

/** Direction as a lab author says it: towards the broker (client → server) or from it. */
export const DirectionSchema = z.enum(['to-broker', 'from-broker']);

const QosSchema = z.union([z.literal(0), z.literal(1), z.literal(2)]);
const VersionSchema = z.union([z.literal(3), z.literal(4), z.literal(5), z.literal('3.1'), z.literal('3.1.1'), z.literal('5.0')]);

/** "3", 3, ">= 1", "< 2", "1..5". Parsed by `count.ts`. */
export const CountSchema = z.union([
  z.number().int().min(0),
  z.string().regex(/^\s*(?:(?:>=|<=|==|>|<)?\s*\d+|\d+\s*\.\.\s*\d+)\s*$/, 'a count is N, ">= N", "<= N", "> N", "< N" or "N..M"'),
]);

/** Which packets: every given field must hold. `topic` is the exact PUBLISH topic (or one of a
 *  SUBSCRIBE's / UNSUBSCRIBE's filters); `matches` is a topic filter the PUBLISH topic matches. */
export const PacketFilterSchema = z.strictObject({
  type: z.union([PacketTypeNameSchema, z.array(PacketTypeNameSchema).min(1)]).optional(),
  topic: z.string().optional(),
  matches: z.string().min(1).optional(),
  qos: QosSchema.optional(),
  retain: z.boolean().optional(),
  dup: z.boolean().optional(),
  direction: DirectionSchema.optional(),
  client: z.string().optional(),
  version: VersionSchema.optional(),
  payload: z.string().optional(),
  /** A SUBSCRIBE with a wildcard filter (+ or #). */
  wildcard: z.boolean().optional(),
  /** CONNACK session present flag. */
  sessionPresent: z.boolean().optional(),
});
export type PacketFilter = z.infer<typeof PacketFilterSchema>;

const common = {
  /** A short handle other checks of the part can name in `needs`. */
  id: z.string().regex(/^[A-Za-z0-9_-]+$/, 'an id is letters, digits, - and _').optional(),
  /** Earn this check only when these checks (ids, earlier in the part) pass: "no violation"
   *  is worth nothing on a capture that does not show the behaviour at all. */
  needs: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
  name: z.string().min(1).optional(),
  /** Points this check is worth in a rubric (partial credit: each check counts on its own). */
  points: z.number().min(0).optional(),
  /** What to tell the student / CI author when the check fails. */
  feedback: z.string().optional(),
};

const Tolerance = z.number().min(0);

const KIND_SCHEMAS = {
  packets: z.strictObject({ ...common, packets: PacketFilterSchema, count: CountSchema.optional() }),
  order: z.strictObject({
    ...common,
    order: z.array(PacketFilterSchema).min(2),
    /** first: each step's FIRST packet comes after the previous step's ("SUBACK before the first
     *  PUBLISH"); sequence: the steps occur in this order somewhere. */
    mode: z.enum(['first', 'sequence']).optional(),
    sameConnection: z.boolean().optional(),
  }),
  handshake: z.strictObject({
    ...common,
    handshake: z.strictObject({ qos: z.union([z.literal(1), z.literal(2)]), direction: DirectionSchema.optional(), topic: z.string().optional() }),
    count: CountSchema.optional(),
  }),
  retained: z.strictObject({
    ...common,
    /** liveRetain0: also require that a live (not-on-subscribe) forward carries RETAIN=0 (3.1.1 MQTT-3.3.1-9). */
    retained: z.strictObject({ topic: z.string().optional(), liveRetain0: z.boolean().optional() }),
  }),
  keepalive: z.strictObject({
    ...common,
    keepalive: z.strictObject({
      seconds: z.number().int().min(1).optional(),
      tolerance: Tolerance.optional(),
      minPings: z.number().int().min(0).optional(),
      clients: z.number().int().min(1).optional(),
    }),
  }),
  will: z.strictObject({
    ...common,
    will: z.strictObject({ topic: z.string().optional(), published: z.boolean().optional() }),
  }),
  session: z.strictObject({
    ...common,
    session: z.strictObject({
      topic: z.string().optional(),
      /** 'dropped': a QoS 0 sent while away must not be delivered; 'published': one must at
       *  least have been sent while away (the comparison the lab asks for); 'any': ignore. */
      qos0: z.enum(['dropped', 'published', 'any']).optional(),
    }),
  }),
  forwarded: z.strictObject({
    ...common,
    forwarded: z.strictObject({ topic: z.string().optional(), qos: QosSchema.optional(), topics: z.number().int().min(1).optional() }),
  }),
  notDelivered: z.strictObject({ ...common, notDelivered: z.strictObject({ topic: z.string().min(1), to: z.string().optional() }) }),
  wildcard: z.strictObject({ ...common, wildcard: z.strictObject({ kind: z.enum(['+', '#']).optional() }) }),
  periodic: z.strictObject({
    ...common,
    periodic: z.strictObject({
      topic: z.string().optional(),
      interval: z.number().positive().optional(),
      tolerance: Tolerance.optional(),
      minCount: z.number().int().min(2).optional(),
    }),
  }),
  subscriberLeaves: z.strictObject({ ...common, subscriberLeaves: z.strictObject({ topic: z.string().optional() }) }),
  findings: z.strictObject({
    ...common,
    findings: z.strictObject({ absent: z.array(z.string()).optional(), present: z.array(z.string()).optional() }),
  }),
};

export type CheckKind = keyof typeof KIND_SCHEMAS;
export const CHECK_KINDS = Object.keys(KIND_SCHEMAS) as CheckKind[];
export type Check = { [K in CheckKind]: z.infer<(typeof KIND_SCHEMAS)[K]> }[CheckKind];

/** A check: find its one kind key first, then validate against that kind only, so an error says
 *  "keepalive.seconds: expected number" rather than thirteen union branches failing. */
export const CheckSchema = z.record(z.string(), z.unknown()).transform((v, ctx): Check => {
  const kinds = CHECK_KINDS.filter((k) => k in v);
  if (kinds.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: kinds.length === 0 ? `a check needs one of: ${CHECK_KINDS.join(', ')}` : `a check has one kind, not ${kinds.join(' and ')}`,
    });
    return z.NEVER;
  }
  const r = KIND_SCHEMAS[kinds[0]!].safeParse(v);
  if (!r.success) {
    for (const issue of r.error.issues) {
      const path = issue.path as (string | number)[];
      if (issue.code === 'unrecognized_keys') {
        // Point at the unknown key itself, not at the check.
        for (const k of issue.keys) ctx.addIssue({ code: 'custom', message: `unknown key "${k}"`, path: [...path, k] });
      } else ctx.addIssue({ code: 'custom', message: issue.message, path });
    }
    return z.NEVER;
  }
  return r.data as Check;
});


/** Which files of a submission a part reads: "all", a glob on the file name, or several. */
export const FilesSchema = z.union([z.literal('all'), z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const PartSchema = z.strictObject({
  id: z.union([z.number().int().min(0), z.string().regex(/^[A-Za-z0-9_.-]+$/)]),
  title: z.string().optional(),
  /** Scale the part to this many points (default: the sum of its checks' points). */
  points: z.number().min(0).optional(),
  files: FilesSchema.optional(),
  expect: z.array(CheckSchema).min(1),
});
export type Part = z.infer<typeof PartSchema>;

export const ExpectationsSchema = z
  .strictObject({
    title: z.string().optional(),
    description: z.string().optional(),
    /** A flat list of checks (a CI gate) ... */
    expect: z.array(CheckSchema).min(1).optional(),
    /** ... or parts with points (a rubric). */
    parts: z.array(PartSchema).min(1).optional(),
  })
  .refine((f) => Boolean(f.expect) !== Boolean(f.parts), { message: 'give either "expect" (a list of checks) or "parts", not both' });
export type ExpectationsFile = z.infer<typeof ExpectationsSchema>;



export function checkKind(c: Check): CheckKind {
  for (const k of CHECK_KINDS) if (k in c) return k;
  throw new Error('check without a kind'); // unreachable after validation
}
