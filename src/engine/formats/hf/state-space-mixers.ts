/**
 * The recurrent mixers of state-space and linear-attention layers, translated into registry ops for one IR
 * row: Mamba's (MambaMixer, JambaMambaMixer), Mamba-2's (Mamba2Mixer) and Qwen3-Next's gated DeltaNet. Each
 * is `dense` projections, a depthwise causal `conv1d`, one `stateScan` (ops/state-space.ts: the per-channel
 * parameters A_log, D, dt_bias and the scan's MACs) and gating; sizes and defaults are the config classes'.
 * LFM2's gated short convolution is the same without the scan.
 * Each also says what one layer keeps per sequence while generating: the convolution's last kernel−1
 * inputs (vLLM's conv state; transformers keeps a full kernel) plus the recurrent state.
 */
import type { GraphBuilder } from '../../graph';
import { prop } from '../../source/json';
import { ConfigReader } from './config-reader';
import type { KeyDefault, StateSpaceRecipe } from './recipes';

/** A mixer wired onto a row, with what it keeps per sequence while generating. */
export interface Mixer {
  readonly build: (input: number, row: number) => number;
  readonly detail: string;
  /** Elements one layer keeps per sequence: convolution inputs plus the recurrent state. */
  readonly statePerSequence: number;
}

function intOf(c: ConfigReader, k: KeyDefault<number>): number | undefined {
  return c.int(k.key, k.default);
}

export function mixerOf(c: ConfigReader, ss: StateSpaceRecipe, g: GraphBuilder, D: number): Mixer | undefined {
  switch (ss.mixer) {
    case 'mamba':
      return mambaMixer(c, ss, g, D);
    case 'mamba2':
      return mamba2Mixer(c, ss, g, D);
    case 'gatedDelta':
      return gatedDeltaNet(c, ss, g, D);
    case 'shortConv':
      return shortConv(c, ss, g, D);
    case 'kda':
      return kimiDeltaAttention(c, ss, g, D);
  }
}

function biases(c: ConfigReader, ss: StateSpaceRecipe): { convBias: boolean; projBias: boolean; outBias: boolean } {
  const flag = (k: KeyDefault<boolean> | undefined): boolean => (k ? c.bool(k.key, k.default) : false);
  const projBias = flag(ss.projBias);
  return { convBias: flag(ss.convBias), projBias, outBias: ss.outBias ? flag(ss.outBias) : projBias };
}

/**
 * The mixer's inner width: the file's own value when the family reads one, else expand × hidden. Falcon-H1's
 * `mamba_d_ssm` falls back to expand × hidden only when written as null; when absent, to its own default.
 */
function innerWidth(c: ConfigReader, ss: StateSpaceRecipe, D: number): number | undefined {
  const expand = ss.expand ? intOf(c, ss.expand) : undefined;
  if (ss.expand && expand === undefined) return undefined;
  const fromExpand = (expand ?? 2) * D;
  if (ss.innerWidth) {
    const writtenNull = prop(c.root, ss.innerWidth.key)?.type === 'null';
    return writtenNull ? (c.key(ss.innerWidth.key), fromExpand) : intOf(c, ss.innerWidth);
  }
  return ss.intermediateKey ? c.int(ss.intermediateKey, fromExpand) : fromExpand;
}

/** Mamba's Δ rank: a number, or "auto" = ceil(hidden_size / 16) as MambaConfig and JambaConfig resolve it. */
function dtRankOf(c: ConfigReader, k: KeyDefault<number | 'auto'>, D: number): number | undefined {
  const auto = Math.ceil(D / 16);
  if (c.string(k.key) === 'auto') return auto;
  return c.int(k.key, k.default === 'auto' ? auto : k.default);
}

/**
 * MambaMixer / JambaMambaMixer: in_proj D→2I (x and the gate z), a depthwise causal conv1d over the I
 * channels, x_proj I→R+2N (Δ, B, C; no bias), dt_proj R→I with bias, the selective scan (A_log I×N, D),
 * y·silu(z), out_proj I→D. Jamba adds RMSNorms on Δ (R), B and C (N each).
 */
function mambaMixer(c: ConfigReader, ss: StateSpaceRecipe, g: GraphBuilder, D: number): Mixer | undefined {
  const I = innerWidth(c, ss, D);
  const N = intOf(c, ss.stateSize!);
  const K = intOf(c, ss.convKernel);
  const R = dtRankOf(c, ss.dtRank!, D);
  const { convBias, projBias } = biases(c, ss);
  if (I === undefined || N === undefined || K === undefined || R === undefined) return undefined;
  const build = (input: number, row: number): number => {
    const xz = g.add('dense', { units: 2 * I, bias: projBias }, [input], row, 'in_proj');
    let x = g.add('slice', { axis: -1, start: 0, size: I }, [xz], row, 'x');
    const z = g.add('slice', { axis: -1, start: I, size: I }, [xz], row, 'gate z');
    x = g.add('conv1d', { filters: I, kernel: K, padding: 'causal', groups: I, bias: convBias }, [x], row, 'conv1d (depthwise, causal)');
    x = g.add('activation', { fn: 'silu' }, [x], row, 'act');
    const p = g.add('dense', { units: R + 2 * N, bias: false }, [x], row, 'x_proj');
    let dt = g.add('slice', { axis: -1, start: 0, size: R }, [p], row, 'Δ (low rank)');
    let B = g.add('slice', { axis: -1, start: R, size: N }, [p], row, 'B');
    let C = g.add('slice', { axis: -1, start: R + N, size: N }, [p], row, 'C');
    if (ss.dtBcNorms) {
      dt = g.add('norm', { kind: 'rms' }, [dt], row, 'dt_layernorm');
      B = g.add('norm', { kind: 'rms' }, [B], row, 'b_layernorm');
      C = g.add('norm', { kind: 'rms' }, [C], row, 'c_layernorm');
    }
    dt = g.add('dense', { units: I, bias: true }, [dt], row, 'dt_proj');
    let y = g.add('stateScan', { kind: 'mamba', stateSize: N }, [x, dt, B, C], row, 'selective scan (A_log, D)');
    y = g.add('elementwise', { fn: 'multiply' }, [y, g.add('activation', { fn: 'silu' }, [z], row, 'silu(z)')], row, 'y·silu(z)');
    return g.add('dense', { units: D, bias: projBias }, [y], row, 'out_proj');
  };
  const detail = `inner ${I}, state ${N}, conv ${K}, Δ rank ${R}${ss.dtBcNorms ? ', Δ/B/C norms' : ''}${projBias ? ', projection biases' : ''}`;
  return { build, detail, statePerSequence: I * (K - 1) + I * N };
}

/**
 * Mamba2Mixer / FalconH1Mixer: in_proj D → I (gate) + I + 2·G·N (x, B, C, convolved together) + H (Δ), a
 * depthwise causal conv1d over I + 2·G·N channels, the SSD scan (A_log, D, dt_bias per head), a gated RMSNorm
 * over I (optional in Falcon-H1: otherwise y·silu(gate) alone), out_proj I→D. Key names and defaults are the
 * recipe's (`ssdHeads`): Mamba2Config's num_heads 128, head_dim 64, n_groups 8; FalconH1Config's mamba_*.
 */
function mamba2Mixer(c: ConfigReader, ss: StateSpaceRecipe, g: GraphBuilder, D: number): Mixer | undefined {
  const keys = ss.ssdHeads!;
  const I = innerWidth(c, ss, D);
  const N = intOf(c, ss.stateSize!);
  const K = intOf(c, ss.convKernel);
  const H = intOf(c, keys.heads);
  const G = intOf(c, keys.groups);
  const { convBias, projBias, outBias } = biases(c, ss);
  const norm = ss.gatedNorm ? c.bool(ss.gatedNorm.key, ss.gatedNorm.default) : true;
  if ([I, N, K, H, G].some((v) => v === undefined)) return undefined;
  // "auto" (Falcon-H1's default): the inner width split evenly over the heads.
  const P = c.string(keys.headDim.key) === 'auto' || (keys.headDim.default === 'auto' && !c.has(keys.headDim.key)) ? Math.floor(I! / H!) : c.int(keys.headDim.key, keys.headDim.default === 'auto' ? undefined : keys.headDim.default);
  if (P === undefined) return undefined;
  if (H! * P !== I) {
    c.sink.error(`config.json: "${keys.heads.key}" × "${keys.headDim.key}" (${H} × ${P} = ${H! * P}) must equal the mixer's inner width ${I}: the scan splits the inner channels into heads.`, c.valueRange(keys.heads.key));
    return undefined;
  }
  if (H! % G! !== 0) {
    c.sink.error(`config.json: "${keys.groups.key}" (${G}) must divide "${keys.heads.key}" (${H}): each group's B and C serve a whole set of heads.`, c.valueRange(keys.groups.key));
    return undefined;
  }
  const inner = I!;
  const bc = G! * N!;
  const convDim = inner + 2 * bc;
  const build = (input: number, row: number): number => {
    const p = g.add('dense', { units: inner + convDim + H!, bias: projBias }, [input], row, 'in_proj');
    const gate = g.add('slice', { axis: -1, start: 0, size: inner }, [p], row, 'gate');
    let xBC = g.add('slice', { axis: -1, start: inner, size: convDim }, [p], row, 'x, B, C');
    const dt = g.add('slice', { axis: -1, start: inner + convDim, size: H! }, [p], row, 'Δ per head');
    xBC = g.add('conv1d', { filters: convDim, kernel: K!, padding: 'causal', groups: convDim, bias: convBias }, [xBC], row, 'conv1d (depthwise, causal)');
    xBC = g.add('activation', { fn: 'silu' }, [xBC], row, 'act');
    const x = g.add('slice', { axis: -1, start: 0, size: inner }, [xBC], row, 'x');
    const B = g.add('slice', { axis: -1, start: inner, size: bc }, [xBC], row, 'B');
    const C = g.add('slice', { axis: -1, start: inner + bc, size: bc }, [xBC], row, 'C');
    let y = g.add('stateScan', { kind: 'mamba2', stateSize: N!, heads: H! }, [x, dt, B, C], row, 'SSD scan (A_log, D, dt_bias)');
    y = g.add('elementwise', { fn: 'multiply' }, [y, g.add('activation', { fn: 'silu' }, [gate], row, 'silu(gate)')], row, 'y·silu(gate)');
    if (norm) y = g.add('norm', { kind: 'rms' }, [y], row, 'norm (gated RMSNorm)');
    return g.add('dense', { units: D, bias: outBias }, [y], row, 'out_proj');
  };
  const detail = `inner ${inner} = ${H} heads × ${P}, state ${N}, ${G} group${G === 1 ? '' : 's'}, conv ${K}${norm ? '' : ', no gated norm'}${projBias || outBias ? ', projection biases' : ''}`;
  return { build, detail, statePerSequence: convDim * (K! - 1) + inner * N! };
}

/**
 * Qwen3NextGatedDeltaNet: in_proj_qkvz D → 2·Hk·dk + 2·Hv·dv (queries, keys, values, output gate z) and
 * in_proj_ba D → 2·Hv (β and the decay's input a), a depthwise causal conv1d without bias over queries, keys
 * and values, the gated delta rule (A_log, dt_bias per value head; the state of each value head is dk × dv),
 * a gated RMSNorm over each value head (dv weights), out_proj Hv·dv → D. No biases anywhere. Defaults are
 * Qwen3NextConfig's: 16 key heads and 32 value heads of 128, kernel 4. Qwen3_5GatedDeltaNet (models/qwen3_5) splits
 * the two input projections into in_proj_qkv, in_proj_z, in_proj_b and in_proj_a (`splitProjections`); the rest is
 * the same module, with the same defaults.
 */
function gatedDeltaNet(c: ConfigReader, ss: StateSpaceRecipe, g: GraphBuilder, D: number): Mixer | undefined {
  const Hv = c.int('linear_num_value_heads', 32);
  const Hk = c.int('linear_num_key_heads', 16);
  const dk = c.int('linear_key_head_dim', 128);
  const dv = c.int('linear_value_head_dim', 128);
  const K = intOf(c, ss.convKernel);
  if ([Hv, Hk, dk, dv, K].some((v) => v === undefined)) return undefined;
  if (Hv! % Hk! !== 0) {
    c.sink.error(`config.json: "linear_num_key_heads" (${Hk}) must divide "linear_num_value_heads" (${Hv}): each key head serves a whole group of value heads.`, c.valueRange('linear_num_key_heads'));
    return undefined;
  }
  const keyDim = Hk! * dk!;
  const valueDim = Hv! * dv!;
  const convDim = 2 * keyDim + valueDim;
  const build = (input: number, row: number): number => {
    let qkv: number, z: number, beta: number, a: number;
    if (ss.splitProjections) {
      // Qwen3.5: the same projections as four linears.
      qkv = g.add('dense', { units: convDim, bias: false }, [input], row, 'in_proj_qkv');
      z = g.add('dense', { units: valueDim, bias: false }, [input], row, 'in_proj_z (gate)');
      beta = g.add('dense', { units: Hv!, bias: false }, [input], row, 'in_proj_b (β per value head)');
      a = g.add('dense', { units: Hv!, bias: false }, [input], row, 'in_proj_a (decay input)');
    } else {
      const qkvz = g.add('dense', { units: convDim + valueDim, bias: false }, [input], row, 'in_proj_qkvz');
      const ba = g.add('dense', { units: 2 * Hv!, bias: false }, [input], row, 'in_proj_ba');
      qkv = g.add('slice', { axis: -1, start: 0, size: convDim }, [qkvz], row, 'q, k, v');
      z = g.add('slice', { axis: -1, start: convDim, size: valueDim }, [qkvz], row, 'gate z');
      beta = g.add('slice', { axis: -1, start: 0, size: Hv! }, [ba], row, 'β per value head');
      a = g.add('slice', { axis: -1, start: Hv!, size: Hv! }, [ba], row, 'decay input a');
    }
    qkv = g.add('conv1d', { filters: convDim, kernel: K!, padding: 'causal', groups: convDim, bias: false }, [qkv], row, 'conv1d (depthwise, causal)');
    qkv = g.add('activation', { fn: 'silu' }, [qkv], row, 'act');
    const q = g.add('slice', { axis: -1, start: 0, size: keyDim }, [qkv], row, 'q');
    const k = g.add('slice', { axis: -1, start: keyDim, size: keyDim }, [qkv], row, 'k');
    const v = g.add('slice', { axis: -1, start: 2 * keyDim, size: valueDim }, [qkv], row, 'v');
    let y = g.add('stateScan', { kind: 'gatedDelta', stateSize: dk!, heads: Hv! }, [v, q, k, beta, a], row, 'gated delta rule (A_log, dt_bias)');
    y = g.add('norm', { kind: 'rms', dim: dv! }, [y], row, 'norm (gated RMSNorm per head)');
    y = g.add('elementwise', { fn: 'multiply' }, [y, g.add('activation', { fn: 'silu' }, [z], row, 'silu(z)')], row, 'y·silu(z)');
    return g.add('dense', { units: D, bias: false }, [y], row, 'out_proj');
  };
  const detail = `gated DeltaNet: ${Hk} key heads × ${dk}, ${Hv} value heads × ${dv}, conv ${K}`;
  return { build, detail, statePerSequence: convDim * (K! - 1) + Hv! * dk! * dv! };
}

/**
 * Lfm2ShortConv (transformers models/lfm2/modeling_lfm2.py): in_proj D → 3D (B, C and x), B·x, a depthwise
 * causal conv1d over the D channels (kernel conv_L_cache), C·(conv output), out_proj D → D; conv, in_proj and
 * out_proj all take a bias only with conv_bias. No scan and no recurrent state: while generating a layer keeps
 * only its last kernel−1 inputs of B·x (Lfm2HybridConvCache holds a full kernel; vLLM kernel−1, as for Mamba).
 */
function shortConv(c: ConfigReader, ss: StateSpaceRecipe, g: GraphBuilder, D: number): Mixer | undefined {
  const K = intOf(c, ss.convKernel);
  const { convBias, projBias, outBias } = biases(c, ss);
  if (K === undefined) return undefined;
  const build = (input: number, row: number): number => {
    const bcx = g.add('dense', { units: 3 * D, bias: projBias }, [input], row, 'in_proj');
    const B = g.add('slice', { axis: -1, start: 0, size: D }, [bcx], row, 'B');
    const C = g.add('slice', { axis: -1, start: D, size: D }, [bcx], row, 'C');
    const x = g.add('slice', { axis: -1, start: 2 * D, size: D }, [bcx], row, 'x');
    let y = g.add('elementwise', { fn: 'multiply' }, [B, x], row, 'B·x');
    y = g.add('conv1d', { filters: D, kernel: K, padding: 'causal', groups: D, bias: convBias }, [y], row, 'conv (depthwise, causal)');
    y = g.add('elementwise', { fn: 'multiply' }, [C, y], row, 'C·conv');
    return g.add('dense', { units: D, bias: outBias }, [y], row, 'out_proj');
  };
  const detail = `gated short convolution: in_proj ${D}→${3 * D}, depthwise conv ${K}, out_proj${convBias || projBias ? ', biases' : ''}`;
  return { build, detail, statePerSequence: D * (K - 1) };
}

/**
 * The reader of a mixer's sizes kept in a sub-object (Kimi Linear's `linear_attn_config`), or undefined after
 * reporting that the object is missing or not an object.
 */
export function nestedReader(c: ConfigReader, key: string): ConfigReader | undefined {
  const node = c.node(key);
  if (node?.type === 'object') return new ConfigReader(node, c.sink, `config.json "${key}"`);
  c.sink.error(`config.json: "${key}" must be an object holding the linear-attention layers' sizes.`, c.range(key));
  return undefined;
}

/**
 * KimiDeltaAttention (moonshotai/Kimi-Linear-48B-A3B-Instruct modeling_kimi.py): q/k/v_proj D → H·d without
 * biases, each through its own depthwise causal ShortConvolution (no bias) and SiLU; the decay from a low-rank
 * pair f_a_proj D→d, f_b_proj d→H·d plus dt_bias (H·d) and A_log (H), so every key channel decays on its own;
 * b_proj D→H (β per head); the chunked gated delta rule, whose state per head is d × d; an output gate from a
 * second low-rank pair g_a_proj D→d, g_b_proj d→H·d, applied by a gated RMSNorm over each head (o_norm, d
 * weights, sigmoid gate); o_proj H·d → D. Sizes are `linear_attn_config`'s num_heads, head_dim (keys and
 * values alike) and short_conv_kernel_size; KimiLinearConfig gives them no defaults.
 */
function kimiDeltaAttention(c: ConfigReader, ss: StateSpaceRecipe, g: GraphBuilder, D: number): Mixer | undefined {
  const sub = nestedReader(c, ss.nested!);
  if (!sub) return undefined;
  const H = sub.int('num_heads');
  const d = sub.int('head_dim');
  const K = sub.int(ss.convKernel.key);
  if (H === undefined || d === undefined || K === undefined) return undefined;
  const width = H * d;
  const build = (input: number, row: number): number => {
    const branch = (name: string): number => {
      const p = g.add('dense', { units: width, bias: false }, [input], row, `${name}_proj`);
      const conv = g.add('conv1d', { filters: width, kernel: K, padding: 'causal', groups: width, bias: false }, [p], row, `${name}_conv1d (depthwise, causal)`);
      return g.add('activation', { fn: 'silu' }, [conv], row, `${name} act`);
    };
    const [q, k, v] = [branch('q'), branch('k'), branch('v')];
    const decay = g.add('dense', { units: width, bias: false }, [g.add('dense', { units: d, bias: false }, [input], row, 'f_a_proj')], row, 'f_b_proj (decay per channel)');
    const beta = g.add('dense', { units: H, bias: false }, [input], row, 'b_proj (β per head)');
    let y = g.add('stateScan', { kind: 'kda', stateSize: d, heads: H }, [v, q, k, beta, decay], row, 'gated delta rule (A_log, dt_bias)');
    const gate = g.add('dense', { units: width, bias: false }, [g.add('dense', { units: d, bias: false }, [input], row, 'g_a_proj')], row, 'g_b_proj (output gate)');
    y = g.add('norm', { kind: 'rms', dim: d }, [y], row, 'o_norm (gated RMSNorm per head)');
    y = g.add('elementwise', { fn: 'multiply' }, [y, g.add('activation', { fn: 'sigmoid' }, [gate], row, 'sigmoid(gate)')], row, 'y·sigmoid(gate)');
    return g.add('dense', { units: D, bias: false }, [y], row, 'o_proj');
  };
  const detail = `Kimi Delta Attention: ${H} heads × ${d}, conv ${K}, low-rank decay and output gate (rank ${d})`;
  // Three convolutions' last kernel−1 inputs, and a d × d state per head.
  return { build, detail, statePerSequence: 3 * width * (K - 1) + H * d * d };
}
