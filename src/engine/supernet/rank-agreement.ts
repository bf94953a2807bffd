/**
 * How well a predictor orders subnets, which is what a search needs from it more than exact values:
 * Kendall's τ-b between predicted and measured accuracies, i.e. (concordant − discordant pairs) /
 * √((pairs not tied in x) · (pairs not tied in y)). Ties count as neither concordant nor discordant and τ-b's
 * denominator corrects for them; measured accuracies tie often (a few thousand images give steps of 0.02
 * points). τ is 1 for the same order, 0 for no relation, −1 for the reverse. NAS papers report it for accuracy
 * predictors (e.g. "Evaluating the effectiveness of weight-sharing", Yu et al. 2020). O(n²) over pairs: held-out
 * sets are hundreds to a few thousand subnets.
 */
export function kendallTau(x: ArrayLike<number>, y: ArrayLike<number>): number | null {
  if (x.length !== y.length) throw new RangeError(`kendallTau: ${x.length} predictions for ${y.length} measurements`);
  let concordant = 0;
  let discordant = 0;
  let tiedX = 0;
  let tiedY = 0;
  let pairs = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      pairs++;
      const dx = Math.sign(x[i] - x[j]);
      const dy = Math.sign(y[i] - y[j]);
      if (dx === 0) tiedX++;
      if (dy === 0) tiedY++;
      if (dx !== 0 && dy !== 0) {
        if (dx === dy) concordant++;
        else discordant++;
      }
    }
  }
  const denominator = Math.sqrt((pairs - tiedX) * (pairs - tiedY));
  // Fewer than two values, or one side all tied: no order to compare.
  return denominator > 0 ? (concordant - discordant) / denominator : null;
}
