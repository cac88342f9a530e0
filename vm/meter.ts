/**
 * Metering: every transaction has a work budget (params.ts, tx_max_work) and pays for what
 * it does: a base cost and one per byte of the transaction, each state read and write, each byte written, each event, and each
 * batch-payout recipient. Running past the budget fails the transaction with OUT_OF_WORK,
 * which bounds the time any one transaction can take. Integer arithmetic only.
 */
import { fail } from './errors.js';
import type { Params } from './params.js';

export class Meter {
  used = 0;

  constructor(
    readonly limit: number,
    private readonly params: Params,
  ) {}

  charge(units: number, what: string): void {
    this.used += units;
    if (this.used > this.limit) fail('OUT_OF_WORK', `out of work: ${what} needs ${this.used} of a budget of ${this.limit}`, { limit: this.limit });
  }

  read(): void {
    this.charge(this.params.cost_read, 'a read');
  }

  write(bytes: number): void {
    this.charge(this.params.cost_write + bytes * this.params.cost_write_byte, 'a write');
  }

  event(): void {
    this.charge(this.params.cost_event, 'an event');
  }
}
