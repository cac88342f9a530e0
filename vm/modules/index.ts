/**
 * The native module table. Adding a module is one line here and its own file.
 */
import { registry, type ModuleRegistry } from '../module.js';
import { accountModule } from './account.js';
import { govModule } from './gov.js';
import { moneyModule } from './money.js';
import { rampModule } from './ramp.js';
import { lockModule } from './lock.js';
import { grantModule } from './grant.js';

/** Every module by name, with each method's args type kept (the SDK's typed builders use it). */
export const MODULE_DEFS = {
  account: accountModule,
  gov: govModule,
  money: moneyModule,
  ramp: rampModule,
  lock: lockModule,
  grant: grantModule,
} as const;

export const MODULES: ModuleRegistry = registry(Object.values(MODULE_DEFS));
