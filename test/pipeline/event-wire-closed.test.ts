// EventReader keeps closed connections known for 4096 later closes (a late event may still name
// one), then forgets them, so its memory follows the open connections.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventReader, EventWriter } from '../../src/pipeline/event-wire.js';
import type { ConnectionInfo } from '../../src/pipeline/events.js';

function conn(id: number): ConnectionInfo {
  return { id, client: { addr: '10.0.0.1', port: 40000 + (id % 20000) }, server: { addr: '10.0.0.2', port: 1883 }, firstFrame: id + 1, firstTime: 1, sawSyn: true, transport: 'mqtt' };
}

test('a connection is forgotten 4096 closes after its own, and not before', () => {
  const opens = new EventWriter();
  const n = 4100;
  for (let id = 0; id < n; id++) opens.connection(conn(id));
  const reader = new EventReader({});
  reader.replay(opens.buf, opens.pos);
  // Connection 7 closes from both sides (two closes), the others once: 4101 closes in all.
  const ids = [7, 7, ...Array.from({ length: n }, (_, i) => i).filter((i) => i !== 7)];
  const closes = (from: number, to: number): void => {
    const w = new EventWriter();
    for (let k = from; k < to; k++) w.close(conn(ids[k]!), 'fin', 'c2s', 3, 3);
    reader.replay(w.buf, w.pos);
  };
  closes(0, 4096);
  assert.equal(reader.size, n, 'after 4096 closes every connection is still known');
  closes(4096, ids.length);
  // The first 5 closes (ids 7, 7, 0, 1, 2) are past the 4096 kept.
  assert.equal(reader.size, n - 4);

  const late = (id: number): void => {
    const g = new EventWriter();
    g.gap(conn(id), 'c2s', 9, 9, -1);
    reader.replay(g.buf, g.pos);
  };
  for (const id of [7, 0, 1, 2]) assert.throws(() => late(id), /unknown connection/);
  for (const id of [3, 4, 8, n - 1]) assert.doesNotThrow(() => late(id));
});
