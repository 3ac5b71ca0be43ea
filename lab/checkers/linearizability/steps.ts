// The model as the search sees it: states interned to small integers and every model step cached
// by (op, state), so each distinct step runs the model once (a cas-register step canonicalises
// JSON; repeating that on every backtrack is what made a step cost microseconds). One cache per
// key: the fast path's segments and the shrinker's re-checks share it.

import type { Model } from '../../../specs/model.ts';
import { giveBack, int32s } from './buffers.ts';

/** An open-addressing map from a pair of non-negative int32 to an int32, in typed arrays. */
export class PairMap {
  private a: Int32Array<ArrayBuffer>;
  private b: Int32Array<ArrayBuffer>;
  private v: Int32Array<ArrayBuffer>;
  private mask: number;
  size = 0;
  // Small by default: a check builds one per key, and most keys need a few hundred steps at most.
  constructor(capacity = 32) {
    let c = 16;
    while (c < capacity * 2) c *= 2;
    this.a = int32s(c, -1);
    this.b = int32s(c);
    this.v = int32s(c);
    this.mask = c - 1;
  }
  /** Gives its tables back (buffers.ts) and is empty again, with small tables of its own. */
  release(): void {
    for (const t of [this.a, this.b, this.v]) giveBack(t);
    this.a = new Int32Array(16).fill(-1);
    this.b = new Int32Array(16);
    this.v = new Int32Array(16);
    this.mask = 15;
    this.size = 0;
  }
  get bytes(): number {
    return this.a.length * 12;
  }
  private slot(x: number, y: number): number {
    return (Math.imul(x, 0x9e3779b1) ^ Math.imul(y, 0x85ebca6b)) & this.mask;
  }
  /** The value, or -2 when absent. */
  get(x: number, y: number): number {
    for (let i = this.slot(x, y); ; i = (i + 1) & this.mask) {
      const k = this.a[i]!;
      if (k === -1) return -2;
      if (k === x && this.b[i] === y) return this.v[i]!;
    }
  }
  set(x: number, y: number, val: number): void {
    if ((this.size + 1) * 2 > this.a.length) this.grow();
    for (let i = this.slot(x, y); ; i = (i + 1) & this.mask) {
      const k = this.a[i]!;
      if (k === -1) {
        this.a[i] = x;
        this.b[i] = y;
        this.v[i] = val;
        this.size++;
        return;
      }
      if (k === x && this.b[i] === y) {
        this.v[i] = val;
        return;
      }
    }
  }
  private grow(): void {
    const { a, b, v } = this;
    this.a = int32s(a.length * 2, -1);
    this.b = int32s(a.length * 2);
    this.v = int32s(a.length * 2);
    this.mask = this.a.length - 1;
    this.size = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== -1) this.set(a[i]!, b[i]!, v[i]!);
    for (const t of [a, b, v]) giveBack(t);
  }
}

/** What a step needs of an op: its input and output (undefined when the outcome is unknown). */
export interface StepOp {
  id: number;
  input: unknown;
  output: unknown;
  known: boolean;
}

export class StepCache {
  readonly model: Model;
  private readonly states: unknown[] = [];
  private readonly ids = new Map<string, number>();
  private readonly slots = new Map<number, number>();
  private readonly dense: number[] = [];
  /** Per slot: an id equal for ops whose inputs are equal (the twin rule's key), made once. */
  private readonly inputIds: (number | undefined)[] = [];
  private readonly inputIdOf = new Map<string, number>();
  private count = 0;
  private readonly table = new PairMap();
  /** Calls of the model's step actually made (cache misses). */
  modelSteps = 0;
  /** Steps asked for, cached or not: what Porcupine counts (it calls the model's step each time). */
  calls = 0;
  constructor(model: Model) {
    this.model = model;
  }
  get bytes(): number {
    return this.table.bytes + this.states.length * 64;
  }
  /** Gives the step table back for reuse once the key's check is over (a cache: it starts empty again). */
  release(): void {
    this.table.release();
  }
  intern(state: unknown): number {
    const h = this.model.hash(state);
    let id = this.ids.get(h);
    if (id === undefined) {
      id = this.states.length;
      this.states.push(state);
      this.ids.set(h, id);
    }
    return id;
  }
  state(id: number): unknown {
    return this.states[id];
  }
  get init(): number {
    return this.intern(this.model.init());
  }
  /** A dense slot per (op id, known): the same op with its outcome relaxed steps differently. */
  slot(op: StepOp): number {
    const k = op.known ? op.id * 2 + 1 : op.id * 2;
    // Op ids are small integers in a history: an array lookup, a map for any other id.
    if (Number.isInteger(k) && k >= 0 && k < 1 << 26) {
      const s = this.dense[k];
      if (s !== undefined) return s;
      this.dense[k] = this.count;
      return this.count++;
    }
    let s = this.slots.get(k);
    if (s === undefined) {
      s = this.count++;
      this.slots.set(k, s);
    }
    return s;
  }
  /** A small integer equal for two slots exactly when their ops' inputs are equal (as JSON text). */
  inputId(slot: number, op: StepOp): number {
    let id = this.inputIds[slot];
    if (id === undefined) {
      const text = JSON.stringify(op.input) ?? '';
      id = this.inputIdOf.get(text);
      if (id === undefined) {
        id = this.inputIdOf.size;
        this.inputIdOf.set(text, id);
      }
      this.inputIds[slot] = id;
    }
    return id;
  }
  /** The state id after the op from `state`, or -1 when the step is illegal. */
  step(slot: number, op: StepOp, state: number): number {
    this.calls++;
    const hit = this.table.get(slot, state);
    if (hit !== -2) return hit;
    this.modelSteps++;
    const [legal, next] = this.model.step(this.states[state], op.input, op.output);
    const r = legal ? this.intern(next) : -1;
    this.table.set(slot, state, r);
    return r;
  }
}
