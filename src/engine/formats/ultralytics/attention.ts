/**
 * Ultralytics' attention blocks: PSA and C2PSA (YOLOv10/YOLO11, `Attention` with a qkv conv, a depthwise
 * positional conv on v and a projection) and A2C2f (YOLO12 area attention, `AAttn` in ABlocks).
 *
 * thop only sees nn.Module calls, so the attention matmuls themselves (softmax(qᵀk)·v, functional `@`)
 * are emitted as free pass-throughs; every conv around them is counted, as in the published GFLOPs.
 */
import { ArgumentError } from './python';
import type { ModuleExpander } from './expander';

/**
 * The attention matmuls (softmax(qᵀk)·v) are functional calls thop never sees, so they appear as a
 * free pass-through of v with the right shape; the qkv, positional and output convs are counted.
 */
function attentionCore(ex: ModuleExpander, qkv: number, vStart: number, vChannels: number, path: string): [v: number, attended: number] {
  const v = ex.slice(qkv, vStart, vChannels, `${path}.v`);
  const attended = ex.op('identity', { role: 'attention matmuls (not counted by thop)' }, [v], `${path}.matmul`);
  return [v, attended];
}

/** PSA-style Attention(dim, num_heads, attn_ratio): qkv conv, depthwise 3×3 positional conv on v, proj. */
export function psaAttention(ex: ModuleExpander, x: number, dim: number, heads: number, path: string, attnRatio = 0.5): number {
  if (heads < 1) throw new ArgumentError(`attention over ${dim} channels gets ${heads} heads (channels // 64); Ultralytics fails with a division by zero.`);
  const headDim = Math.floor(dim / heads);
  const keyDim = Math.trunc(headDim * attnRatio);
  const qkChannels = keyDim * heads * 2;
  const qkv = ex.conv(x, dim, dim + qkChannels, `${path}.qkv`, 1, 1, null, 1, 1, false);
  const [v, attended] = attentionCore(ex, qkv, qkChannels, headDim * heads, path);
  const pe = ex.conv(v, dim, dim, `${path}.pe`, 3, 1, null, dim, 1, false);
  const sum = ex.addTensors(attended, pe, `${path}.add_pe`);
  return ex.conv(sum, dim, dim, `${path}.proj`, 1, 1, null, 1, 1, false);
}

export function psaBlock(ex: ModuleExpander, x: number, c: number, heads: number, path: string, shortcut = true): number {
  const attn = psaAttention(ex, x, c, heads, `${path}.attn`);
  const x1 = shortcut ? ex.addTensors(x, attn, `${path}.add_attn`) : attn;
  let f = ex.conv(x1, c, 2 * c, `${path}.ffn.0`, 1);
  f = ex.conv(f, 2 * c, c, `${path}.ffn.1`, 1, 1, null, 1, 1, false);
  return shortcut ? ex.addTensors(x1, f, `${path}.add_ffn`) : f;
}

export function c2psa(ex: ModuleExpander, x: number, c1: number, n: number, path: string, e = 0.5): number {
  const c = Math.trunc(c1 * e);
  const y = ex.conv(x, c1, 2 * c, `${path}.cv1`, 1, 1);
  const a = ex.slice(y, 0, c, `${path}.split0`);
  let b = ex.slice(y, c, c, `${path}.split1`);
  for (let i = 0; i < n; i++) b = psaBlock(ex, b, c, Math.floor(c / 64), `${path}.m.${i}`);
  return ex.conv(ex.concat([a, b], `${path}.cat`), 2 * c, c1, `${path}.cv2`, 1);
}

export function psa(ex: ModuleExpander, x: number, c1: number, path: string, e = 0.5): number {
  const c = Math.trunc(c1 * e);
  const y = ex.conv(x, c1, 2 * c, `${path}.cv1`, 1, 1);
  const a = ex.slice(y, 0, c, `${path}.split0`);
  let b = ex.slice(y, c, c, `${path}.split1`);
  b = ex.addTensors(b, psaAttention(ex, b, c, Math.floor(c / 64), `${path}.attn`), `${path}.add_attn`);
  let f = ex.conv(b, c, 2 * c, `${path}.ffn.0`, 1);
  f = ex.conv(f, 2 * c, c, `${path}.ffn.1`, 1, 1, null, 1, 1, false);
  b = ex.addTensors(b, f, `${path}.add_ffn`);
  return ex.conv(ex.concat([a, b], `${path}.cat`), 2 * c, c1, `${path}.cv2`, 1);
}

/** AAttn(dim, num_heads, area): area attention; qkv conv, 5×5 depthwise positional conv on v, proj. */
export function areaAttention(ex: ModuleExpander, x: number, dim: number, heads: number, path: string): number {
  const headDim = Math.floor(dim / heads);
  const all = headDim * heads;
  const qkv = ex.conv(x, dim, all * 3, `${path}.qkv`, 1, 1, null, 1, 1, false);
  const [v, attended] = attentionCore(ex, qkv, 2 * all, all, path);
  const pe = ex.conv(v, all, dim, `${path}.pe`, 5, 1, 2, dim, 1, false);
  const sum = ex.addTensors(attended, pe, `${path}.add_pe`);
  return ex.conv(sum, all, dim, `${path}.proj`, 1, 1, null, 1, 1, false);
}

export function aBlock(ex: ModuleExpander, x: number, dim: number, heads: number, mlpRatio: number, path: string): number {
  const x1 = ex.addTensors(x, areaAttention(ex, x, dim, heads, `${path}.attn`), `${path}.add_attn`);
  const hidden = Math.trunc(dim * mlpRatio);
  let m = ex.conv(x1, dim, hidden, `${path}.mlp.0`, 1);
  m = ex.conv(m, hidden, dim, `${path}.mlp.1`, 1, 1, null, 1, 1, false);
  return ex.addTensors(x1, m, `${path}.add_mlp`);
}

export function a2c2f(ex: ModuleExpander, x: number, c1: number, c2: number, n: number, path: string, a2: boolean, residual: boolean, mlpRatio: number, e: number, g: number, shortcut: boolean): number {
  const hidden = Math.trunc(c2 * e);
  if (hidden % 32 !== 0) throw new ArgumentError(`A2C2f hidden width ${hidden} (c2 ${c2} × e ${e}) must be a multiple of 32 (Ultralytics asserts this).`);
  const parts = [ex.conv(x, c1, hidden, `${path}.cv1`, 1, 1)];
  for (let i = 0; i < n; i++) {
    let y = parts[parts.length - 1];
    if (a2) for (let j = 0; j < 2; j++) y = aBlock(ex, y, hidden, hidden / 32, mlpRatio, `${path}.m.${i}.${j}`);
    else y = ex.c3k(y, hidden, hidden, 2, `${path}.m.${i}`, shortcut, g);
    parts.push(y);
  }
  const y = ex.conv(ex.concat(parts, `${path}.cat`), (1 + n) * hidden, c2, `${path}.cv2`, 1);
  if (!(a2 && residual)) return y;
  const scaled = ex.op('channelScale', {}, [y], `${path}.gamma`);
  return ex.addTensors(x, scaled, `${path}.add`);
}
