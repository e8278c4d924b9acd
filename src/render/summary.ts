// The one-line footer under the packet list, and the same facts for JSON: every frame read is
// accounted for, either as a row or under the reason it is not one.

import type { DissectSummary } from '../pipeline/dissect.js';

export function footerLine(s: DissectSummary): string {
  const parts = [
    `${s.framesRead} frames read`,
    `${s.mqttFrames} with MQTT (${s.pdus} packets${s.malformedPdus ? `, ${s.malformedPdus} malformed` : ''})`,
    `${s.connections} MQTT connection${s.connections === 1 ? '' : 's'}`,
  ];
  if (s.tlsConnections) parts.push(`${s.tlsConnections} MQTT over TLS (not decodable)`);
  const fe = s.framingErrors;
  if (fe['malformed-length']) parts.push(`${fe['malformed-length']} malformed Remaining Length`);
  if (fe.oversize) parts.push(`${fe.oversize} packet(s) over the size limit skipped`);
  if (fe['cut-short']) parts.push(`${fe['cut-short']} packet(s) cut short by the end of the connection or capture`);
  const skipped = Object.entries(s.skipped).sort((a, b) => b[1] - a[1]);
  if (skipped.length) parts.push(`not in the list: ${skipped.map(([why, n]) => `${n} ${why}`).join(', ')}`);
  return parts.join('; ');
}

export function summaryJson(s: DissectSummary): Record<string, unknown> {
  return {
    capture: s.captureEnd,
    bytes_read: s.bytesRead,
    frames_read: s.framesRead,
    mqtt_frames: s.mqttFrames,
    pdus: s.pdus,
    malformed_pdus: s.malformedPdus,
    connections: s.connections,
    tls_connections: s.tlsConnections,
    skipped: s.skipped,
    default_version_connections: s.defaultVersionConnections,
    framing_errors: s.framingErrors,
  };
}
