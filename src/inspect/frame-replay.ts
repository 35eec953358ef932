/**
 * What the Stately relay keeps for viewers that connect later: the `@xstate.actor` frame of
 * each session (so a late viewer can still draw the machine), then the most recent other
 * frames; each part bounded by `limit` (oldest dropped first).
 */

/** The relay's replay buffer. */
export interface FrameReplay {
  /** Keeps `frame`; false (nothing kept) when it is not JSON, i.e. not one of the inspector's frames. */
  record(frame: string): boolean;
  /** The kept frames for a new viewer: actor definitions first, then the recent frames in order. */
  frames(): string[];
}

/** A replay buffer keeping at most `limit` actor frames and `limit` other frames. */
export function createFrameReplay(limit: number): FrameReplay {
  const actorFrames = new Map<string, string>();
  const recentFrames: string[] = [];
  return {
    record(frame) {
      let type: unknown;
      let sessionId: unknown;
      try {
        ({ type, sessionId } = JSON.parse(frame) as { type?: unknown; sessionId?: unknown });
      } catch {
        return false;
      }
      if (type === '@xstate.actor' && typeof sessionId === 'string') {
        actorFrames.set(sessionId, frame);
        if (actorFrames.size > limit) actorFrames.delete(actorFrames.keys().next().value as string);
      } else {
        recentFrames.push(frame);
        if (recentFrames.length > limit) recentFrames.shift();
      }
      return true;
    },
    frames: () => [...actorFrames.values(), ...recentFrames],
  };
}
