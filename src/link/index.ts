// Public surface of the link/network layers.
export { NetworkDecoder, LinkCounts, isSupportedLinkType, type NetworkDecoderOptions } from './decode.js';
export { TcpSegment, TcpFlag, LINK_OUTCOMES, type LinkOutcome, type LinkWarning } from './types.js';
export { formatAddress } from './address.js';
export { DEFAULT_FRAGMENT_LIMITS, type FragmentLimits } from './fragments.js';
