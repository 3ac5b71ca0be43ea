// The shapes shared by the toxic stages and the links that carry them. A link is one direction of
// one proxied connection: source socket -> stage -> stage -> ... -> destination socket. Each stage
// is one toxic applied to that link; it receives chunks in order and decides when (and whether)
// to hand them on. Stages are plain objects rather than node:stream Transforms because a live link
// must be able to take a stage out at any moment and have it hand on what it holds at once, which
// stream piping does not allow without losing ordering.

export type StreamDirection = 'upstream' | 'downstream';

export const TOXIC_TYPES = [
  'latency',
  'bandwidth',
  'slow_close',
  'timeout',
  'reset_peer',
  'slicer',
  'limit_data',
  'reset_on_commit',
] as const;
export type ToxicType = (typeof TOXIC_TYPES)[number];

/** Every attribute of every toxic is an integer (milliseconds, bytes, KB/s, microseconds). */
export type ToxicAttributes = Record<string, number>;

/** A toxic as the API shows it (Toxiproxy's JSON field names). */
export interface ToxicSpec {
  name: string;
  type: ToxicType;
  stream: StreamDirection;
  /** Probability that the toxic applies to a given connection (decided per connection). */
  toxicity: number;
  attributes: ToxicAttributes;
}

/** What a stage may do to the link it sits in. */
export interface StageOutput {
  /** Hands a chunk to whatever comes next in the link. */
  push(chunk: Buffer): void;
  /** Hands on the end of the stream (the source's FIN). */
  end(): void;
  /** Bytes the stage drops on purpose; they count as settled for flow control. */
  discard(bytes: number): void;
  /** Ends this link from here on, then closes the whole connection (both sockets, FIN). */
  close(): void;
  /** Aborts the whole connection at once with a TCP RST on both sockets. */
  reset(): void;
}

export interface ToxicStage {
  write(chunk: Buffer): void;
  /** The stage's input has ended. */
  end(): void;
  /**
   * The toxic is being replaced (update) or taken out (delete) on a live link: hand on at once,
   * in order, whatever is held — data and a pending end — as the real one does ("don't drop data
   * on the floor").
   */
  flush(): void;
  /** Side effects of deleting the toxic from a live link, after flush (timeout closes the link). */
  onRemove?(): void;
  /** The connection is gone or the stage was taken out: cancel timers. */
  dispose(): void;
}

/** Per link and per toxic, kept across updates of the toxic (limit_data counts bytes sent). */
export type StageState = Record<string, number>;

export interface ToxicKind {
  type: ToxicType;
  /** Attribute names with their defaults (Go zero values). */
  attributes: Readonly<ToxicAttributes>;
  /** An error message when the attributes cannot work, else null. */
  validate(attrs: ToxicAttributes): string | null;
  create(attrs: ToxicAttributes, out: StageOutput, state: StageState): ToxicStage;
}
