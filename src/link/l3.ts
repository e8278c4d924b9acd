// Where the network layer starts inside a frame: the link decoders fill this scratch object
// (one per NetworkDecoder) instead of returning a fresh one per frame.

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;

export interface L3Start {
  /** EtherType of what follows (0x0800 IPv4, 0x86dd IPv6, anything else is "not IP"). */
  etherType: number;
  /** Offset of the network-layer header in the frame buffer. */
  off: number;
}
