// Where tshark 4.0.17's packet list is wrong and ours is right. Each entry names the capture and
// frame, says why, and states the right answer (our Info, or null when the frame must not be a
// row). The golden tests accept exactly these differences and no others.

export interface KnownDifference {
  capture: string;
  frame: number;
  why: string;
  /** Our Info for that frame (null: no row). */
  ours: string | null;
}

export const KNOWN_DIFFERENCES: KnownDifference[] = [];
