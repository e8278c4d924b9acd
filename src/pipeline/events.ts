// What the dissection stages hand downstream: connections, the MQTT packets decoded on them,
// and how they ended. The analysis passes and the renderers consume only these.

import type { DecodeResult, MqttVersion } from '../mqtt/types.js';
import type { PlainPublish } from '../mqtt/plain.js';

export interface Endpoint {
  /** Printable address as Wireshark shows it: dotted IPv4 or RFC 5952 IPv6. */
  addr: string;
  port: number;
}

/** Client → server (towards the broker) or server → client. */
export type Direction = 'c2s' | 's2c';

export interface ConnectionInfo {
  /** 0-based, in order of the first frame seen; like Wireshark's tcp.stream. */
  id: number;
  /** The side that sent the SYN, or the side that is not on the MQTT port. */
  client: Endpoint;
  /** The broker side (port 1883, a --port, or the SYN's receiver). */
  server: Endpoint;
  firstFrame: number;
  /** Absolute time of the first frame, seconds since the epoch. */
  firstTime: number;
  /** The capture saw the TCP handshake (SYN), so it saw the connection from its start. */
  sawSyn: boolean;
  /** 'tls' streams (port 8883 or a TLS ClientHello) are counted, never decoded. */
  transport: 'mqtt' | 'tls';
}

/** One MQTT control packet (PDU) on a connection. Its byte fields (payloads, binary properties)
 *  are views into buffers the reader reuses: valid during the callback only; copy what you keep. */
export interface MqttMessage {
  conn: ConnectionInfo;
  dir: Direction;
  /** Number of the frame that completed this packet (Wireshark's frame number). */
  frame: number;
  /** Absolute time of that frame, seconds since the epoch. */
  time: number;
  /** Version the packet was decoded with. */
  version: MqttVersion;
  /** false when no CONNECT was seen on this connection and a default was used. */
  versionKnown: boolean;
  /** The raw Protocol Level byte of the connection's last CONNECT (e.g. 0x84 from a bridge),
   *  0 when none was captured: Wireshark's version, which its detail tree shows. */
  connectLevel?: number;
  /** For a v5 PUBLISH with a Topic Alias and an empty topic: the topic the alias stands for. */
  aliasTopic?: string;
  /** 0-based index of this packet among the packets of its frame. */
  indexInFrame: number;
  result: DecodeResult;
  /**
   * Set by producers of reused messages (ReusedRows) when the packet is a plain PUBLISH
   * (mqtt/plain.ts): where its fields are, so a writer can copy them from the bytes. `result`
   * is then decoded only if read. Valid only during the call that hands the message over.
   */
  plain?: PlainPublish | null;
}

export type CloseKind = 'fin' | 'rst';

/** Everything a consumer of the dissection receives, in capture order. */
export interface DissectionSink {
  connection?(conn: ConnectionInfo): void;
  message?(msg: MqttMessage): void;
  /** Bytes the capture lost in one direction; `bytes` is -1 when unknown. */
  gap?(conn: ConnectionInfo, dir: Direction, frame: number, time: number, bytes: number): void;
  /** A FIN or RST sent by `dir`'s sender. */
  close?(conn: ConnectionInfo, kind: CloseKind, dir: Direction, frame: number, time: number): void;
  /** End of capture: the last frame number and its absolute time. */
  end?(lastFrame: number, lastTime: number): void;
}
