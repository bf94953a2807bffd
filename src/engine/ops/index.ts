/**
 * The one list of op modules. Importing this registers every op type, and the `OpName` union and each
 * op's attributes (`AttrsOf`) are derived from the same list, so a new op module needs one line in
 * `MODULES` and its ops are then accepted by GraphBuilder.add and IRNode.op and must be handled by the
 * TF.js runtime's exhaustive switch (runtime/tfjs-model.ts) before the project compiles.
 *
 * The IR (ir.ts) sits below the ops and cannot import them; it declares an empty `OpAttrsByName`
 * interface that this module fills in through declaration merging, so `OpName` there is this union.
 */
import type { OpType } from './registry';
import * as attention from './attention';
import * as conv from './conv';
import * as dense from './dense';
import * as detr from './detr';
import * as elementwise from './elementwise';
import * as embedding from './embedding';
import * as moe from './moe';
import * as norm from './norm';
import * as pool from './pool';
import * as positionBias from './position-bias';
import * as recurrent from './recurrent';
import * as shape from './shape';
import * as sharedCall from './shared-call';
import * as stateSpace from './state-space';

const MODULES = [attention, conv, dense, detr, elementwise, embedding, moe, norm, pool, positionBias, recurrent, shape, sharedCall, stateSpace] as const;

/** What an op definition looks like from outside, whatever its attributes. */
interface AnyOpShape {
  readonly type: string;
  readonly inputs: number | 'variadic';
  outputShape: (...args: never[]) => unknown;
  cost: (...args: never[]) => unknown;
}

/** Op definitions whose name is a literal type (an explicit `defineOp<Attrs>` would widen it to `string`: don't). */
type Literal<O> = O extends { readonly type: infer N } ? (string extends N ? never : O) : never;

/** The op definitions a module exports (its other exports, helpers and constants, drop out). */
type ModuleOps<M> = M extends unknown ? Literal<Extract<M[keyof M], AnyOpShape>> : never;

/** Every op definition, as a union of their exact types. */
export type OpDefinition = ModuleOps<(typeof MODULES)[number]>;

/** The name of every registered op type, e.g. `'conv2d' | 'dense' | …`. */
export type OpName = OpDefinition['type'];

/** The attributes op `K` reads. */
export type AttrsOf<K extends OpName> = Extract<OpDefinition, { readonly type: K }> extends OpType<infer A, K> ? A : never;

function isOp(value: unknown): value is OpDefinition {
  const v = value as Partial<AnyOpShape> | null;
  return typeof v === 'object' && v !== null && typeof v.type === 'string' && typeof v.outputShape === 'function' && typeof v.cost === 'function';
}

/**
 * Every op definition, in module order. test/unit/ops/registry.test.ts checks that these are exactly the
 * registered ops and exactly the names of `OpName`, so an op left out of the union cannot go unnoticed.
 */
export const OP_DEFINITIONS: readonly OpDefinition[] = MODULES.flatMap((m) => Object.values(m).filter(isOp));

type AttrsTable = { [K in OpName]: AttrsOf<K> };

declare module '../ir' {
  interface OpAttrsByName extends AttrsTable {}
}
