// One direction of one proxied connection: the chain of toxic stages between a source socket and
// a destination socket. Like the real one's ToxicLink, the chain changes while the connection
// lives: a new toxic is appended at the end, an updated one is swapped in place, a deleted one
// hands on what it holds and is unlinked. Whether a toxic applies is drawn (against its toxicity)
// each time a stage is made for it, i.e. per connection, and again when the toxic is updated.

import type { StageOutput, StageState, ToxicKind, ToxicSpec, ToxicStage } from './toxics/types.ts';

export interface AppliedToxic {
  spec: ToxicSpec;
  kind: ToxicKind;
}

/** Where the link's output goes (the destination socket). */
export interface LinkSink {
  write(chunk: Buffer): void;
  end(): void;
}

export interface LinkHooks {
  /** Bytes left the chain (delivered or dropped), so a paused source may resume. */
  onProgress(): void;
  /** The end of the stream reached the sink; `closeConnection` when a toxic asked to close. */
  onFinish(closeConnection: boolean): void;
  /** A toxic asked for a TCP reset of the connection. */
  onReset(): void;
}

interface Slot {
  name: string;
  stage: ToxicStage;
  state: StageState;
}

interface Target {
  write(chunk: Buffer): void;
  end(): void;
}

function passthrough(out: StageOutput): ToxicStage {
  return {
    write: (c) => out.push(c),
    end: () => out.end(),
    flush: () => undefined,
    dispose: () => undefined,
  };
}

export class Link {
  private readonly slots: Slot[] = [];
  private accepted = 0;
  private settled = 0;
  private finished = false;
  private closing = false;
  private disposed = false;
  private readonly sinkTarget: Target;

  constructor(
    toxics: readonly AppliedToxic[],
    sink: LinkSink,
    private readonly hooks: LinkHooks,
    private readonly random: () => number = Math.random,
  ) {
    this.sinkTarget = {
      write: (chunk) => {
        this.settle(chunk.length);
        if (!this.finished) sink.write(chunk);
      },
      end: () => {
        if (this.finished) return;
        this.finished = true;
        sink.end();
        this.hooks.onFinish(this.closing);
      },
    };
    for (const t of toxics) this.add(t);
  }

  /** Bytes taken from the source and not yet delivered or dropped. */
  get backlog(): number {
    return this.accepted - this.settled;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  write(chunk: Buffer): void {
    if (this.disposed || this.finished) return;
    this.accepted += chunk.length;
    this.entry().write(chunk);
  }

  end(): void {
    if (this.disposed || this.finished) return;
    this.entry().end();
  }

  add(toxic: AppliedToxic): void {
    if (this.disposed || this.finished) return;
    const slot = { name: toxic.spec.name, state: {} } as Slot;
    slot.stage = this.makeStage(toxic, slot);
    this.slots.push(slot);
  }

  update(toxic: AppliedToxic): void {
    const slot = this.slots.find((s) => s.name === toxic.spec.name);
    if (!slot || this.disposed) return;
    const old = slot.stage;
    old.flush();
    old.dispose();
    slot.stage = this.makeStage(toxic, slot);
  }

  remove(name: string): void {
    const slot = this.slots.find((s) => s.name === name);
    if (!slot || this.disposed) return;
    slot.stage.flush();
    slot.stage.onRemove?.();
    slot.stage.dispose();
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.slots) s.stage.dispose();
  }

  private makeStage(toxic: AppliedToxic, slot: Slot): ToxicStage {
    const out = this.outputOf(slot);
    return this.random() < toxic.spec.toxicity
      ? toxic.kind.create(toxic.spec.attributes, out, slot.state)
      : passthrough(out);
  }

  private entry(): Target {
    return this.slots[0]?.stage ?? this.sinkTarget;
  }

  /** What follows `slot`; null while the slot is not linked (a late timer must not re-enter). */
  private after(slot: Slot): Target | null {
    if (this.disposed) return null;
    const i = this.slots.indexOf(slot);
    if (i < 0) return null;
    return this.slots[i + 1]?.stage ?? this.sinkTarget;
  }

  private settle(bytes: number): void {
    this.settled += bytes;
    if (!this.disposed) this.hooks.onProgress();
  }

  private outputOf(slot: Slot): StageOutput {
    return {
      push: (chunk) => this.after(slot)?.write(chunk),
      end: () => this.after(slot)?.end(),
      discard: (bytes) => this.settle(bytes),
      close: () => {
        this.closing = true;
        this.after(slot)?.end();
      },
      reset: () => {
        if (!this.disposed) this.hooks.onReset();
      },
    };
  }
}
