/**
 * The hot loop of the MLP accuracy predictor's plain-JS inference: one Dense layer over eight inputs at once
 * (lanes laid out one after another), so each weight read feeds eight accumulators. `w` is the kernel
 * transposed: row j holds the `inputs` weights of unit j.
 */
export const LANES = 8;

export function denseEightLanes(w: ArrayLike<number>, b: ArrayLike<number>, input: Float64Array, out: Float64Array, inputs: number, units: number, relu: boolean): void {
  const H = inputs;
  const U = units;
  for (let j = 0; j < U; j++) {
    let s0 = b[j], s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    const row = j * H;
    for (let k = 0; k < H; k++) {
      const wk = w[row + k];
      s0 += wk * input[k];
      s1 += wk * input[H + k];
      s2 += wk * input[2 * H + k];
      s3 += wk * input[3 * H + k];
      s4 += wk * input[4 * H + k];
      s5 += wk * input[5 * H + k];
      s6 += wk * input[6 * H + k];
      s7 += wk * input[7 * H + k];
    }
    if (relu) {
      out[j] = s0 > 0 ? s0 : 0;
      out[U + j] = s1 > 0 ? s1 : 0;
      out[2 * U + j] = s2 > 0 ? s2 : 0;
      out[3 * U + j] = s3 > 0 ? s3 : 0;
      out[4 * U + j] = s4 > 0 ? s4 : 0;
      out[5 * U + j] = s5 > 0 ? s5 : 0;
      out[6 * U + j] = s6 > 0 ? s6 : 0;
      out[7 * U + j] = s7 > 0 ? s7 : 0;
    } else {
      out[j] = s0;
      out[U + j] = s1;
      out[2 * U + j] = s2;
      out[3 * U + j] = s3;
      out[4 * U + j] = s4;
      out[5 * U + j] = s5;
      out[6 * U + j] = s6;
      out[7 * U + j] = s7;
    }
  }
}
