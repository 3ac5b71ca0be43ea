// The toxic types this server knows, by their API name.

import { bandwidth } from './bandwidth.ts';
import { latency } from './latency.ts';
import { limitData } from './limit-data.ts';
import { resetPeer } from './reset-peer.ts';
import { resetOnCommit } from './reset-on-commit.ts';
import { slicer } from './slicer.ts';
import { slowClose } from './slow-close.ts';
import { timeout } from './timeout.ts';
import { TOXIC_TYPES, type ToxicKind, type ToxicType } from './types.ts';

export const TOXIC_KINDS: Readonly<Record<ToxicType, ToxicKind>> = {
  latency,
  bandwidth,
  slow_close: slowClose,
  timeout,
  reset_peer: resetPeer,
  slicer,
  limit_data: limitData,
  reset_on_commit: resetOnCommit,
};

export function isToxicType(s: string): s is ToxicType {
  return (TOXIC_TYPES as readonly string[]).includes(s);
}
