/**
 * Random simulation campaign, part 1 of 4: 250 seeded scenarios (n 4..10, faulty power
 * below a third, healing partitions), zero violations, bounded rounds after the heal.
 */
import t from 'tap';
import { campaign } from './campaign.js';

t.test('campaign part 1', (tt) => {
  campaign(tt, 1, 250);
  tt.end();
});
