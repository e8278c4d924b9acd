// The packet list for people: Wireshark's columns, borderless, aligned. A capture can have
// millions of rows, so this table is laid out here rather than by cli-table3 (which costs
// ~110 µs a row, 44 s for a 100 MB capture); the analysis' small tables use cli-table3.
// Rows are buffered a page at a time: column widths follow the widest cell seen so far, so
// memory stays bounded and the header is printed once.

import { styleText } from 'node:util';
import type { PacketRow } from '../pipeline/rows.js';

const HEAD = ['No.', 'Time', 'Source', 'Destination', 'Protocol', 'Length', 'Info'];
/** Numbers are right-aligned, as in Wireshark. */
const RIGHT = [true, true, false, false, false, true, false];

export class PacketListTable {
  private page: string[][] = [];
  private readonly widths = HEAD.map((h) => h.length);
  private headerDone = false;

  constructor(
    private readonly out: { write(text: string): void },
    private readonly color: boolean,
    private readonly pageSize = 1000,
  ) {}

  row(r: PacketRow): void {
    const cells = [String(r.no), r.time, r.src, r.dst, r.protocol, String(r.length), r.info];
    for (let i = 0; i < 6; i++) if (cells[i]!.length > this.widths[i]!) this.widths[i] = cells[i]!.length;
    this.page.push(cells);
    if (this.page.length >= this.pageSize) this.flushPage();
  }

  end(): void {
    this.flushPage();
    if (!this.headerDone) this.out.write(this.header() + '\n(no MQTT packets)\n');
  }

  private flushPage(): void {
    if (this.page.length === 0) return;
    let text = '';
    if (!this.headerDone) {
      text += this.header() + '\n';
      this.headerDone = true;
    }
    for (const cells of this.page) text += this.line(cells) + '\n';
    this.out.write(text);
    this.page = [];
  }

  private header(): string {
    const line = this.line(HEAD);
    return this.color ? styleText('bold', line) : line;
  }

  /** Cells padded to their column's width, two spaces apart; Info last, unpadded. */
  private line(cells: string[]): string {
    let s = '';
    for (let i = 0; i < 6; i++) {
      const c = cells[i]!;
      s += (RIGHT[i] ? c.padStart(this.widths[i]!) : c.padEnd(this.widths[i]!)) + '  ';
    }
    return s + cells[6]!;
  }
}
