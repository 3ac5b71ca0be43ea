// A sequential specification, in the shape of Porcupine's models: the checker searches for an
// order of the concurrent ops in which every op is a legal step of this model.
//
// `output` is what the op returned. It is `undefined` when the op's outcome is unknown (an `info`
// completion, or none): the model must then accept the op with any result it could have had and
// move to the state that op would leave (the checker separately tries "it never happened").

export interface Model<S = unknown, I = unknown, O = unknown> {
  /** Name used on the command line (`--model`) and in reports. */
  readonly name: string;
  init(): S;
  /** [legal, next state]. Pure: must not mutate `state`. */
  step(state: S, input: I, output: O | undefined): [boolean, S];
  equal(a: S, b: S): boolean;
  /** A string that is equal for equal states; used to memoise (linearised set, state). */
  hash(state: S): string;
  describeOp(input: I, output: O | undefined): string;
  describeState(state: S): string;
  /**
   * Optional: true when the op can never change the state (a read). An op of unknown outcome that
   * is read-only constrains nothing, so the checker drops it instead of searching over it.
   */
  readOnly?(input: I): boolean;
  /**
   * Optional: false only when this op, with this output (undefined: unknown outcome), leaves the
   * state as it found it from every state where it is a legal step (a read, a cas answered false,
   * an op refused by its own state check). The evidence may leave such ops out; every other op is
   * kept, so a model without this method keeps them all.
   */
  changesState?(input: I, output: O | undefined): boolean;
}

/** Thrown by a model for an input it cannot interpret: bad input, not an anomaly. */
export class ModelInputError extends Error {}
