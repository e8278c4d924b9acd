// The packet list for people: Wireshark's columns as a borderless cli-table3 table. Rows are
// printed in pages so memory stays bounded on captures of any size.

import type { PacketRow } from '../pipeline/rows.js';
import type { Output } from '../cli/output.js';
import { plainTable } from './table-style.js';

const HEAD = ['No.', 'Time', 'Source', 'Destination', 'Protocol', 'Length', 'Info'];

export class PacketListTable {
  private page: PacketRow[] = [];
  private pages = 0;

  constructor(
    private readonly out: Output,
    private readonly color: boolean,
    private readonly pageSize = 2000,
  ) {}

  row(r: PacketRow): void {
    this.page.push(r);
    if (this.page.length >= this.pageSize) this.flushPage();
  }

  end(): void {
    if (this.page.length || this.pages === 0) this.flushPage();
  }

  private flushPage(): void {
    const table = plainTable({ head: HEAD, color: this.color, alignRight: [0, 1, 5] });
    for (const r of this.page) table.push([r.no, r.time, r.src, r.dst, r.protocol, r.length, r.info]);
    if (this.page.length === 0) table.push([{ colSpan: 7, content: '(no MQTT packets)' }]);
    this.out.write(table.toString() + '\n');
    this.page = [];
    this.pages++;
  }
}
