// Public surface of TCP reassembly.
export { TcpReassembler, segmentHash, type ReassemblyStats } from './reassembly.js';
export {
  TcpStream, DEFAULT_REASSEMBLY_LIMITS,
  type Dir, type TcpEndpoint, type StreamSink, type ReleaseReason, type StreamWarning, type ReassemblyLimits,
} from './types.js';
