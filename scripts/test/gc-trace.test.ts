/** bench:devnet --gc's reading of V8's --trace-gc-nvp lines. */
import t from 'tap';
import { summarizeGcTrace } from '../gc-trace.js';

t.test('sums the main isolate\'s collections, and skips other isolates and other lines', async (tt) => {
  const main = '[100:0xaaa]';
  const worker = '[100:0xbbb]';
  const text = [
    `${main}     81 ms: pause=0.7 mutator=73.7 gc=s reduce_memory=0 scavenge=0.63 allocated=4596912 promoted=1000 new_space_survived=4000 nodes_promoted=3`,
    `${main}     92 ms: pause=1.3 mutator=9.9 gc=s promoted=500 new_space_survived=2000`,
    `${main}    300 ms: pause=12.5 mutator=200 gc=mc reduce_memory=0 promoted=0`,
    `${worker}   95 ms: pause=0.2 gc=s promoted=7 new_space_survived=9`,
    '{"level":40,"msg":"a log line"}',
    `ed=1 pause=3.0 gc=s promoted=99 new_space_survived=99`, // a line cut at the slice's start
  ].join('\n');
  tt.same(summarizeGcTrace(text), { scavenges: 2, survivedBytes: 6000, promotedBytes: 1500, markCompacts: 1, pauseMs: 14.5 });
  tt.same(summarizeGcTrace(''), { scavenges: 0, survivedBytes: 0, promotedBytes: 0, markCompacts: 0, pauseMs: 0 }, 'nothing: zeros');
});
