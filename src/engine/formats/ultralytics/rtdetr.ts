/**
 * RT-DETR's backbone and neck blocks as Ultralytics builds them (ultralytics/nn/modules/block.py,
 * transformer.py): HGStem and HGBlock (PP-HGNetV2), ResNetLayer (ResNet bottleneck stages), RepC3 and the
 * AIFI encoder layer. parse_model hands these their own arguments: HGStem/HGBlock take [cm, c2, …] with
 * c2 unscaled and HGBlock's repeat count as its conv count n; ResNetLayer takes [c1, c2, s, is_first, n]
 * verbatim; AIFI takes [cm, num_heads] after the input width; RepC3 is width-scaled like C3.
 *
 * Counting (Ultralytics' unfused summary, thop at eval): every Conv is conv + BatchNorm; RepConv in its
 * two-branch training form; AIFI's nn.MultiheadAttention owns 4·c² + 4·c parameters but thop sees none of
 * its work (see ops/detr.ts), its FFN Linears and LayerNorms are counted, the 2-D sin-cos position
 * embedding is a parameter-free tensor computed in forward.
 */
import { repConv } from './gelan';
import type { ModuleExpander } from './expander';
import { ArgumentError } from './python';

/** HGStem(c1, cm, c2): Conv 3×3 s2, a padded 2×2 branch pair (conv path and max pool), Conv 3×3 s2, Conv 1×1. */
export function hgStem(ex: ModuleExpander, x: number, c1: number, cm: number, c2: number, path: string): number {
  if (cm < 2) throw new ArgumentError(`HGStem's middle width must be at least 2 (it halves it), found ${cm}.`);
  const stem1 = ex.conv(x, c1, cm, `${path}.stem1`, 3, 2);
  // F.pad(x, [0, 1, 0, 1]): one column right, one row bottom, before each 2×2 window.
  const padded = ex.op('zeroPad', { pad: [0, 1, 0, 1] }, [stem1], `${path}.pad1`);
  let x2 = ex.conv(padded, cm, Math.floor(cm / 2), `${path}.stem2a`, 2, 1, 0);
  x2 = ex.op('zeroPad', { pad: [0, 1, 0, 1] }, [x2], `${path}.pad2`);
  x2 = ex.conv(x2, Math.floor(cm / 2), cm, `${path}.stem2b`, 2, 1, 0);
  const x1 = ex.op('pool2d', { kind: 'max', kernel: [2, 2], stride: [1, 1], padding: [0, 0] }, [padded], `${path}.pool`);
  const y = ex.conv(ex.concat([x1, x2], `${path}.cat`), 2 * cm, cm, `${path}.stem3`, 3, 2);
  return ex.conv(y, cm, c2, `${path}.stem4`, 1, 1);
}

/** LightConv(c1, c2, k): Conv 1×1 without activation, then a depthwise k×k Conv. */
function lightConv(ex: ModuleExpander, x: number, c1: number, c2: number, k: number, path: string): number {
  const y = ex.conv(x, c1, c2, `${path}.conv1`, 1, 1, null, 1, 1, false);
  return ex.dwConv(y, c2, c2, `${path}.conv2`, k);
}

/**
 * HGBlock(c1, cm, c2, k, n, lightconv, shortcut): n chained Convs (or LightConvs) of width cm, all outputs
 * and the input concatenated, squeezed to c2/2 and excited to c2; residual when shortcut and c1 == c2.
 */
export function hgBlock(ex: ModuleExpander, x: number, c1: number, cm: number, c2: number, path: string, k: number, n: number, light: boolean, shortcut: boolean): number {
  if (c2 < 2) throw new ArgumentError(`HGBlock's output width must be at least 2 (its squeeze conv is c2 // 2 wide), found ${c2}.`);
  const ys = [x];
  for (let i = 0; i < n; i++) {
    const from = ys[ys.length - 1];
    const width = i === 0 ? c1 : cm;
    ys.push(light ? lightConv(ex, from, width, cm, k, `${path}.m.${i}`) : ex.conv(from, width, cm, `${path}.m.${i}`, k));
  }
  const squeezed = ex.conv(ex.concat(ys, `${path}.cat`), c1 + n * cm, Math.floor(c2 / 2), `${path}.sc`, 1, 1);
  const y = ex.conv(squeezed, Math.floor(c2 / 2), c2, `${path}.ec`, 1, 1);
  return shortcut && c1 === c2 ? ex.addTensors(x, y, `${path}.add`) : y;
}

/** ResNetBlock(c1, c2, s, e): 1×1, 3×3 stride s, 1×1 to e·c2 (no activation), projected shortcut when needed. */
function resNetBlock(ex: ModuleExpander, x: number, c1: number, c2: number, s: number, e: number, path: string): number {
  const c3 = e * c2;
  let y = ex.conv(x, c1, c2, `${path}.cv1`, 1, 1);
  y = ex.conv(y, c2, c2, `${path}.cv2`, 3, s, 1);
  y = ex.conv(y, c2, c3, `${path}.cv3`, 1, 1, null, 1, 1, false);
  const shortcut = s !== 1 || c1 !== c3 ? ex.conv(x, c1, c3, `${path}.shortcut.0`, 1, s, null, 1, 1, false) : x;
  return ex.op('activation', { fn: 'ReLU' }, [ex.addTensors(y, shortcut, `${path}.add`)], `${path}.relu`);
}

/**
 * ResNetLayer(c1, c2, s, is_first, n, e=4): the stem (Conv 7×7 s2 + max pool 3×3 s2) when is_first, else n
 * bottleneck blocks, the first with stride s. Its output is c2 (stem) or e·c2 wide.
 */
export function resNetLayer(ex: ModuleExpander, x: number, c1: number, c2: number, s: number, isFirst: boolean, n: number, e: number, path: string): number {
  if (isFirst) {
    const y = ex.conv(x, c1, c2, `${path}.layer.0`, 7, 2, 3);
    return ex.op('pool2d', { kind: 'max', kernel: [3, 3], stride: [2, 2], padding: [1, 1] }, [y], `${path}.layer.1`);
  }
  let y = resNetBlock(ex, x, c1, c2, s, e, `${path}.layer.0`);
  for (let i = 1; i < n; i++) y = resNetBlock(ex, y, e * c2, c2, 1, e, `${path}.layer.${i}`);
  return y;
}

/** RepC3(c1, c2, n, e=1.0): two 1×1 Convs to c_, n RepConvs on the first, summed with the second, cv3 when c_ ≠ c2. */
export function repC3(ex: ModuleExpander, x: number, c1: number, c2: number, n: number, e: number, path: string): number {
  const hidden = Math.trunc(c2 * e);
  if (hidden < 1) throw new ArgumentError(`RepC3's hidden width int(${c2} × ${e}) must be at least 1.`);
  let a = ex.conv(x, c1, hidden, `${path}.cv1`, 1, 1);
  for (let i = 0; i < n; i++) a = repConv(ex, a, hidden, hidden, `${path}.m.${i}`);
  const b = ex.conv(x, c1, hidden, `${path}.cv2`, 1, 1);
  const sum = ex.addTensors(a, b, `${path}.add`);
  return hidden !== c2 ? ex.conv(sum, hidden, c2, `${path}.cv3`, 1, 1) : sum;
}

/** nn.LayerNorm(d) with weight and bias (2·d); the norm rule carries thop's 4 ops per element (ops/norm.ts). */
export function layerNorm(ex: ModuleExpander, x: number, path: string): number {
  return ex.op('norm', { kind: 'layer', bias: true }, [x], path);
}

/** A Linear over tokens (bias on). */
export function linear(ex: ModuleExpander, x: number, units: number, path: string): number {
  return ex.op('dense', { units, bias: true }, [x], path);
}

/**
 * AIFI(c1, cm, num_heads): TransformerEncoderLayer over the map's H·W tokens (post-norm): self-attention
 * with the sin-cos position added to q and k, residual + LayerNorm, Linear c1→cm, GELU, Linear cm→c1,
 * residual + LayerNorm; back to a c1×H×W map.
 */
export function aifi(ex: ModuleExpander, x: number, c1: number, cm: number, heads: number, path: string): number {
  if (c1 % 4 !== 0) throw new ArgumentError(`AIFI's 2-D sin-cos position embedding needs the width divisible by 4, found ${c1}.`);
  if (heads < 1 || c1 % heads !== 0) throw new ArgumentError(`AIFI's nn.MultiheadAttention needs the width ${c1} divisible by num_heads ${heads}.`);
  if (cm < 1) throw new ArgumentError(`AIFI's feed-forward width must be at least 1, found ${cm}.`);
  const src = ex.op('patchTokens', {}, [x], `${path}.flatten`);
  // The position embedding is computed in forward (no parameters) and added to queries and keys only.
  const qk = ex.op('elementwise', { fn: 'add' }, [src], `${path}.pos_embed`);
  const attended = ex.op('nnMultiheadAttention', { heads }, [qk, qk, src], `${path}.ma`);
  let y = layerNorm(ex, ex.addTensors(src, attended, `${path}.add1`), `${path}.norm1`);
  let f = linear(ex, y, cm, `${path}.fc1`);
  f = ex.op('activation', { fn: 'GELU' }, [f], `${path}.act`);
  f = linear(ex, f, c1, `${path}.fc2`);
  y = layerNorm(ex, ex.addTensors(y, f, `${path}.add2`), `${path}.norm2`);
  return ex.op('tokensToMap', {}, [y, x], `${path}.unflatten`);
}
