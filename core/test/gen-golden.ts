/** Writes core/test/vectors/{codec,chain}.json from golden.ts (an intended format change only). */
import { writeFileSync } from 'node:fs';
import { repoPath } from '../../test/index.js';
import { buildChainVectors, buildCodecVectors } from './golden.js';

writeFileSync(repoPath('core/test/vectors/codec.json'), JSON.stringify(buildCodecVectors(), null, 1) + '\n');
writeFileSync(repoPath('core/test/vectors/chain.json'), JSON.stringify(buildChainVectors(), null, 1) + '\n');
console.log('wrote core/test/vectors/codec.json and chain.json');
