import { strict as assert } from 'node:assert';
import { kendallTau } from '../../../src/engine/supernet/rank-agreement';

describe('Kendall τ-b (rank agreement of a predictor)', () => {
  it('is 1 for the same order, −1 for the reverse, whatever the scale', () => {
    assert.equal(kendallTau([1, 2, 3, 4], [0.1, 0.5, 0.7, 0.9]), 1);
    assert.equal(kendallTau([1, 2, 3, 4], [9, 7, 5, 1]), -1);
  });

  it('matches a hand count: 5 concordant, 1 discordant of 6 pairs → 4/6', () => {
    assert.ok(Math.abs(kendallTau([1, 2, 3, 4], [1, 3, 2, 4])! - 4 / 6) < 1e-12);
  });

  it('corrects for ties (τ-b): scipy.stats.kendalltau([1,2,2,3],[1,2,3,3]) = 0.8', () => {
    // Pairs: 6; tied in x 1, in y 1; concordant 4, discordant 0 → 4 / √(5·5) = 0.8.
    assert.ok(Math.abs(kendallTau([1, 2, 2, 3], [1, 2, 3, 3])! - 0.8) < 1e-12);
  });

  it('has no answer without an order to compare', () => {
    assert.equal(kendallTau([1], [2]), null);
    assert.equal(kendallTau([1, 1, 1], [1, 2, 3]), null);
    assert.throws(() => kendallTau([1, 2], [1]), /2 predictions for 1 measurements/);
  });
});
