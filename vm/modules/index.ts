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

export const MODULES: ModuleRegistry = registry([accountModule, govModule, moneyModule, rampModule, lockModule, grantModule]);
