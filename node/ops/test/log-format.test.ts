/**
 * The human-readable log format: each JSON line becomes `HH:MM:SS.mmm LEVEL [component]
 * message  key=value ...`; `auto` writes text to a terminal and JSON lines elsewhere; escaping
 * (core safeLogValue) happens before either, so a peer's control characters never reach a line.
 */
import t from 'tap';
import { Writable } from 'node:stream';
import { createLogger, textLine } from '../log.js';

function sink(isTTY: boolean): { out: Writable & { isTTY?: boolean }; lines: string[] } {
  const lines: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter((l) => l.length > 0));
      done();
    },
  }) as Writable & { isTTY?: boolean };
  out.isTTY = isTTY;
  return { out, lines };
}

const flush = () => new Promise((r) => setImmediate(r));

t.test('text lines, JSON lines, and auto by the destination', async (tt) => {
  tt.equal(textLine('{"level":"info","time":"2026-12-05T01:02:03.456Z","component":"p2p","msg":"peer connected","peer":"12D3Koo","peers":3}'),
    '01:02:03.456 INFO  [p2p] peer connected  peer=12D3Koo peers=3');
  tt.equal(textLine('{"level":"warn","time":"2026-12-05T01:02:03.456Z","msg":"a b","why":"two words","n":null}'), '01:02:03.456 WARN  a b  why="two words" n=null');
  tt.equal(textLine('not json'), 'not json', 'a line that is not JSON passes');

  const text = sink(false);
  createLogger('info', text.out, 'text').child({ component: 'app' }).info({ height: 7 }, 'committed');
  await flush();
  tt.match(text.lines[0], /^\d\d:\d\d:\d\d\.\d\d\d INFO  \[app\] committed  height=7$/);

  const auto = sink(true);
  createLogger('info', auto.out, 'auto').info('on a terminal');
  await flush();
  tt.match(auto.lines[0], / INFO  on a terminal$/, 'auto: text on a terminal');

  const file = sink(false);
  createLogger('info', file.out, 'auto').info({ peer: 'x\u001b[2Jy' }, 'to a file');
  await flush();
  const j = JSON.parse(file.lines[0]!) as { msg: string; peer: string };
  tt.equal(j.msg, 'to a file', 'auto: JSON lines elsewhere');
  tt.notMatch(j.peer, /\u001b/, 'control characters escaped');
});
