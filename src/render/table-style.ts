// Wireshark's packet list look for cli-table3: no borders, columns separated by spaces, a
// header row underlined only by its colour (when colour is on).

import Table from 'cli-table3';

const NO_BORDERS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: ' ',
} as const;

export interface TableOptions {
  head: string[];
  color: boolean;
  /** Right-align these columns (numbers). */
  alignRight?: number[];
}

/** A borderless table in Wireshark's plain style. */
export function plainTable(opts: TableOptions): Table.Table {
  const colAligns = opts.head.map((_, i) => (opts.alignRight?.includes(i) ? 'right' : 'left')) as Array<'left' | 'right'>;
  return new Table({
    head: opts.head,
    chars: NO_BORDERS,
    colAligns,
    style: { 'padding-left': 0, 'padding-right': 1, head: opts.color ? ['bold'] : [], border: [], compact: true },
  });
}
