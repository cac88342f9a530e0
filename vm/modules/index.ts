/**
 * The module table. A module is its folder (vm/modules/NAME/, one descriptor in its
 * index.ts) and one line here; every central table is derived from the descriptors
 * (vm/builtin.ts, vm/registry.ts).
 */
import { accountModule } from './account/index.js';
import { govModule } from './gov/index.js';
import { moneyModule } from './money/index.js';
import { rampModule } from './ramp/index.js';
import { lockModule } from './lock/index.js';
import { grantModule } from './grant/index.js';
import { credModule } from './cred/index.js';
import { xchgModule } from './xchg/index.js';
import { compModule } from './comp/index.js';
import { progModule } from './prog/index.js';
import { taxModule } from './tax/index.js';
import { evidModule } from './evid/index.js';

/** Every built-in module by name, with each method's args type kept (the SDK's typed builders use it). */
export const MODULE_DEFS = {
  account: accountModule,
  gov: govModule,
  money: moneyModule,
  ramp: rampModule,
  lock: lockModule,
  grant: grantModule,
  cred: credModule,
  xchg: xchgModule,
  comp: compModule,
  prog: progModule,
  tax: taxModule,
  evid: evidModule,
} as const;
