// The one findings catalogue. Ids are stable (never renamed; new ids may be added). Each entry
// names the spec statement it checks: 3.1.1 numbering first, then the 5.0 one where it differs.
// Templates use {name} placeholders filled from the finding's parameters.

export type Severity = 'violation' | 'warning' | 'info' | 'not-observable';

export interface CatalogueEntry {
  severity: Severity;
  clause: string;
  /** The pass that emits it (file name under passes/), or 'analyzer' for engine findings. */
  pass: string;
  title: string;
  template: string;
}

function e(pass: string, severity: Severity, clause: string, title: string, template: string): CatalogueEntry {
  return { pass, severity, clause, title, template };
}

export const CATALOGUE = {
  // QoS handshakes (both directions: client→broker and broker→subscriber)
  'qos1-puback-missing': e('qos', 'violation', 'MQTT-4.3.2-2', 'QoS 1 PUBLISH never acknowledged',
    'QoS 1 PUBLISH id {packetId} ({dir}) got no PUBACK: {why}'),
  'qos2-pubrec-missing': e('qos', 'violation', 'MQTT-4.3.3-2', 'QoS 2 PUBLISH without PUBREC',
    'QoS 2 PUBLISH id {packetId} ({dir}) got no PUBREC: {why}'),
  'qos2-pubrel-missing': e('qos', 'violation', 'MQTT-4.3.3-1', 'QoS 2 PUBREC without PUBREL',
    'QoS 2 id {packetId} ({dir}): PUBREC was sent but the sender never released it with PUBREL: {why}'),
  'qos2-pubcomp-missing': e('qos', 'violation', 'MQTT-4.3.3-2', 'QoS 2 PUBREL without PUBCOMP',
    'QoS 2 id {packetId} ({dir}): PUBREL got no PUBCOMP: {why}'),
  'qos-ack-unexpected': e('qos', 'warning', 'MQTT-2.3.1-6', 'Acknowledgement for an id not in flight',
    '{ack} id {packetId} ({dir}) does not answer any {expected} in flight'),
  'pubrel-bad-flags': e('qos', 'violation', 'MQTT-3.6.1-1', 'PUBREL fixed-header flags are not 0010',
    'PUBREL id {packetId} has fixed-header flags {flags}; they MUST be 0,0,1,0'),
  'packet-id-zero': e('qos', 'violation', 'MQTT-2.3.1-1', 'Packet identifier 0',
    '{type} ({dir}) carries packet identifier 0; it MUST be non-zero'),
  'packet-id-reused': e('qos', 'violation', 'MQTT-2.3.1-2', 'Packet identifier reused while in flight',
    'QoS {qos} PUBLISH id {packetId} ({dir}) reuses an id still in flight since frame {since} (not a DUP resend)'),
  'delivered-qos-mismatch': e('qos', 'violation', 'MQTT-3.8.4-6 / 5.0: MQTT-3.8.4-8', 'Delivered QoS is not min(published, granted)',
    'delivered at QoS {delivered} on "{topic}", published at QoS {published}, granted QoS {granted}: expected {expected}'),
  'dup-set-on-qos0': e('qos', 'violation', 'MQTT-3.3.1-2', 'DUP flag on a QoS 0 PUBLISH',
    'QoS 0 PUBLISH on "{topic}" ({dir}) has DUP=1'),
  'handshake-reset': e('qos', 'warning', 'MQTT-4.4.0-1', 'Handshake cut by the connection ending',
    '{count} QoS handshake(s) ({dir}) were still in flight when the connection ended by {how}'),
  'handshake-incomplete-at-end': e('qos', 'not-observable', 'MQTT-4.3', 'Handshake still open at capture end',
    '{count} QoS handshake(s) ({dir}) were still in flight when the capture ended'),
  'redelivery-missing': e('qos', 'violation', 'MQTT-4.4.0-1', 'Unacknowledged message not resent when the session resumed',
    'the {what} of QoS {qos} id {packetId} ({dir}, handshake open since frame {since}) was not resent after the session of "{clientId}" resumed (CONNACK frame {resumed})'),
  'redelivery-without-dup': e('qos', 'violation', 'MQTT-3.3.1-1', 'Resent PUBLISH without DUP',
    'PUBLISH id {packetId} ({dir}) resends the message left unacknowledged at frame {since} but has DUP=0; a re-delivery MUST set DUP=1'),

  // Keepalive
  'keepalive-exceeded': e('keepalive', 'violation', 'MQTT-3.1.2-23', 'Client silent longer than its Keep Alive',
    'client was silent {silence}s with Keep Alive {keepAlive}s'),
  'keepalive-not-enforced': e('keepalive', 'violation', 'MQTT-3.1.2-24', 'Broker kept a silent connection past 1.5x Keep Alive',
    'client silent {silence}s (Keep Alive {keepAlive}s, limit {limit}s) yet the connection was still in use at frame {frame}'),
  'keepalive-broker-closed': e('keepalive', 'info', 'MQTT-3.1.2-24', 'Broker closed a silent connection',
    'broker closed the connection after {silence}s of client silence (Keep Alive {keepAlive}s), as required'),
  'pingresp-missing': e('keepalive', 'violation', 'MQTT-3.12.4-1', 'PINGREQ without PINGRESP',
    'PINGREQ got no PINGRESP although the broker kept sending ({why})'),

  // Retain
  'retained-not-delivered': e('retain', 'violation', 'MQTT-3.3.1-6 / 5.0: MQTT-3.3.1-9', 'Retained message not sent to a new subscription',
    'subscription "{filter}" did not receive the retained message on "{topic}" (retained at frame {retainedFrame})'),
  'retained-despite-handling': e('retain', 'violation', '5.0: MQTT-3.3.1-10 / MQTT-3.3.1-11', 'Retained message sent against Retain Handling',
    'retained message on "{topic}" (retained at frame {retainedFrame}) was sent to subscription "{filter}" whose Retain Handling {handling} says: {why}'),
  'retain-flag-missing': e('retain', 'violation', 'MQTT-3.3.1-8 / 5.0: MQTT-3.3.1-9', 'Retained message sent on subscribe with RETAIN=0',
    'retained message on "{topic}" sent because of a new subscription carries RETAIN=0'),
  'retain-flag-on-live': e('retain', 'violation', 'MQTT-3.3.1-9 / 5.0: MQTT-3.3.1-12', 'Live forwarding with RETAIN=1',
    'message on "{topic}" forwarded to an established subscription carries RETAIN={retain}; expected {expected}'),

  // Will
  'will-not-published': e('will', 'violation', 'MQTT-3.1.2-8', 'Will Message not published',
    'connection of "{clientId}" ended by {how} without DISCONNECT but its will on "{topic}" reached no visible subscriber'),
  'will-published-after-disconnect': e('will', 'violation', 'MQTT-3.1.2-10 / MQTT-3.14.4-3', 'Will published after a normal DISCONNECT',
    'will of "{clientId}" on "{topic}" was delivered although the client sent DISCONNECT'),
  'will-published-early': e('will', 'violation', '5.0: §3.1.3.2.2, MQTT-3.1.3-9', 'Will published before its Will Delay Interval',
    'will of "{clientId}" on "{topic}" was delivered {after}s after the connection ended, before its Will Delay Interval of {delay}s passed'),
  'will-published-after-resume': e('will', 'violation', '5.0: MQTT-3.1.3-9', 'Will published although the session resumed in time',
    'will of "{clientId}" on "{topic}" was delivered although a new connection (CONNECT frame {resumed}) resumed the session within its Will Delay Interval of {delay}s'),
  'will-published': e('will', 'info', 'MQTT-3.1.2-8', 'Will Message published',
    'will of "{clientId}" on "{topic}" was delivered after the connection ended by {how}'),

  // Sessions
  'session-present-wrong': e('sessions', 'violation', 'MQTT-3.2.2-1/2/3/4', 'Session Present flag contradicts the session state',
    'CONNACK Session Present={sp} but {why}'),
  'queued-message-lost': e('sessions', 'violation', 'MQTT-3.1.2-5 / 5.0: MQTT-3.1.2-23', 'Queued QoS 1/2 message not delivered on reconnect',
    'QoS {qos} message on "{topic}" (frame {pubFrame}) published while "{clientId}" was offline was not delivered on reconnect'),
  'queued-qos0-delivered': e('sessions', 'info', 'MQTT-3.1.2-5', 'QoS 0 message queued for an offline client',
    'QoS 0 message on "{topic}" published while "{clientId}" was offline was delivered on reconnect (optional behaviour)'),
  'session-not-persistent': e('sessions', 'info', 'MQTT-3.1.2-6', 'Session not kept: messages while away are lost',
    '"{clientId}" {why}; {count} matching message(s) published while it was away are lost by design'),

  // Routing
  'publish-unsubscribed': e('routing', 'violation', 'MQTT-3.3.5-1', 'Client received a PUBLISH matching none of its subscriptions',
    'delivery on "{topic}" matches none of the subscriptions of "{clientId}" ({filters})'),
  'publish-not-routed': e('routing', 'violation', 'MQTT-3.3.5-1', 'Matching publish not delivered to a subscriber',
    'QoS {qos} publish on "{topic}" (frame {pubFrame}) did not reach "{clientId}" subscribed with "{filter}" (granted QoS {granted})'),
  'no-local-violated': e('routing', 'violation', '5.0: MQTT-3.8.3-3', 'No Local subscription got its own message back',
    '"{clientId}" received its own publish on "{topic}" (frame {pubFrame}) although its matching subscription "{filter}" has No Local set'),
  'suback-failure': e('routing', 'info', 'MQTT-3.8.4-5 / 5.0: MQTT-3.9.3', 'Subscription refused',
    'SUBACK refused "{filter}" with return code {code}'),
  'invalid-topic-filter': e('routing', 'violation', 'MQTT-4.7.1-1/2/3', 'Invalid topic filter',
    'topic filter "{filter}": {why}'),
  'wildcard-in-publish-topic': e('routing', 'violation', 'MQTT-3.3.2-2', 'Wildcard in a PUBLISH topic name',
    'PUBLISH topic "{topic}" contains a wildcard character'),

  // Protocol conformance
  'connect-not-first': e('conformance', 'violation', 'MQTT-3.1.0-1', 'First packet from the client is not CONNECT',
    'first packet after the TCP handshake is {type}, not CONNECT'),
  'second-connect': e('conformance', 'violation', 'MQTT-3.1.0-2', 'Second CONNECT on one connection',
    'second CONNECT on the connection (first at frame {first})'),
  'packet-too-large': e('conformance', 'violation', '5.0: MQTT-3.1.2-25 / MQTT-3.2.2-15', 'Packet larger than the receiver\'s Maximum Packet Size',
    '{sender} sent a {type} of {size} bytes; the {receiver} accepts at most {max} (Maximum Packet Size in its {where})'),
  'reserved-flags': e('conformance', 'violation', 'MQTT-2.2.2-2', 'Reserved fixed-header flags set',
    '{type}: {detail}'),
  'invalid-protocol-name': e('conformance', 'violation', 'MQTT-3.1.2-1', 'Invalid protocol name',
    'CONNECT protocol name "{name}" with level {level}'),
  'unsupported-protocol-level': e('conformance', 'info', 'MQTT-3.1.2-2', 'Unsupported protocol level',
    'CONNECT protocol level {level}; {why}'),
  'connect-reserved-flag': e('conformance', 'violation', 'MQTT-3.1.2-3', 'CONNECT reserved flag set',
    'CONNECT flags {flags}: bit 0 is reserved and MUST be 0'),
  'invalid-utf8': e('conformance', 'violation', 'MQTT-1.5.3-1', 'Ill-formed UTF-8 string',
    '{type}: {detail}'),
  'malformed-packet': e('conformance', 'violation', 'MQTT-4.8.0-1 / 5.0: MQTT-4.13.1-1', 'Malformed packet',
    '{type}: {detail}'),
  'connack-refused': e('conformance', 'info', 'MQTT-3.2.2-5', 'Connection refused by CONNACK',
    'CONNACK return code {code} ({name}) for "{clientId}"'),
  'empty-client-id': e('conformance', 'violation', 'MQTT-3.1.3-7 / MQTT-3.1.3-8', 'Empty client id with a persistent session',
    'zero-length client id with CleanSession=0; {why}'),
  'invalid-qos': e('conformance', 'violation', 'MQTT-3.3.1-4', 'QoS 3 (both QoS bits set)',
    '{type}: {detail}'),
  // Normative statements the decoder notes while reading a packet (its note code is the id).
  'null-character': e('conformance', 'violation', 'MQTT-1.5.3-2', 'U+0000 in a UTF-8 string',
    '{type}: {detail}'),
  'empty-topic': e('conformance', 'violation', 'MQTT-4.7.3-1 / 5.0: MQTT-3.3.2-1', 'Zero-length topic',
    '{type}: {detail}'),
  'no-subscriptions': e('conformance', 'violation', 'MQTT-3.8.3-3 / MQTT-3.10.3-2', 'SUBSCRIBE or UNSUBSCRIBE without a Topic Filter',
    '{type}: {detail}'),
  'will-flags-without-will': e('conformance', 'violation', 'MQTT-3.1.2-13 / MQTT-3.1.2-15', 'Will QoS or Will Retain without the Will Flag',
    '{type}: {detail}'),
  'password-without-username': e('conformance', 'violation', 'MQTT-3.1.2-22', 'Password without a User Name (3.1.1)',
    '{type}: {detail}'),
  'invalid-return-code': e('conformance', 'violation', 'MQTT-3.2.2-6 / MQTT-3.9.3-2', 'Reserved CONNACK or SUBACK return code',
    '{type}: {detail}'),
  'decode-note': e('conformance', 'warning', 'MQTT-2', 'Decoder anomaly',
    '{type}: {code}: {detail}'),

  // Engine: what the capture cannot show, and limits
  'capture-midstream': e('analyzer', 'not-observable', '-', 'Connection seen from the middle',
    'no CONNECT seen on this connection: version, keepalive, will and session checks are not observable'),
  'one-direction-only': e('analyzer', 'not-observable', '-', 'Only one direction captured',
    'only {dir} packets were captured: acknowledgements and deliveries cannot be checked'),
  'capture-gap': e('analyzer', 'not-observable', '-', 'Bytes missing from the capture',
    '{dir} lost {bytes} byte(s) at frame {frame}: checks spanning the gap are skipped'),
  'limit-reached': e('analyzer', 'info', '-', 'Analysis limit reached',
    'limit {limit}={value} reached: {what} beyond it are not tracked'),
} as const satisfies Record<string, CatalogueEntry>;

export type FindingId = keyof typeof CATALOGUE;

export const FINDING_IDS = Object.keys(CATALOGUE) as FindingId[];

/** Fill a template's {name} placeholders; unknown names are kept visible. */
export function formatMessage(template: string, params: Record<string, string | number | boolean | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => {
    const v = params[k];
    return v === undefined ? m : String(v);
  });
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** The catalogue as a Markdown table for the README (one row per finding id). */
export function catalogueMarkdown(): string {
  const rows = ['| id | severity | clause | pass | meaning |', '|---|---|---|---|---|'];
  for (const id of FINDING_IDS) {
    const c: CatalogueEntry = CATALOGUE[id];
    rows.push(`| \`${id}\` | ${c.severity} | ${mdCell(c.clause)} | ${c.pass} | ${mdCell(c.title)}: ${mdCell(c.template.replace(/\{(\w+)\}/g, '<$1>'))} |`);
  }
  return rows.join('\n') + '\n';
}
