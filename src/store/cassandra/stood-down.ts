// What takeOver() needs of the last time this process stood down, and the take-back of counts that landed beyond its saved position.
import type cassandra from "cassandra-driver";
import type { Logger } from "../../log/logger.ts";
import type { Stats } from "../../stats/types.ts";
import { Delta } from "./delta.ts";
import type { FlushPipeline } from "./flush-pipeline.ts";
import { undoOf } from "./landed-ahead.ts";
import type { TotalsMirror } from "./totals-mirror.ts";

export interface StoodDown {
  /** user_count when this process stood down, and the users whose insert timed out. */
  distinctUsers: number;
  unconfirmed: string[];
  /** Counts that had landed beyond `position` (see PendingCounts), the tables as this process knew them, and its saved position. */
  landedAhead: Delta;
  mirror: Stats;
  position: string | undefined;
}

interface TakeBackParts {
  pipeline: FlushPipeline;
  mirror: TotalsMirror;
  /** Reads the saved position, once the totals are loaded (CassandraStore.position). */
  readPosition: () => Promise<string | undefined>;
  log: Logger;
}

/**
 * Counts that landed after the position this process last saved, before it stood down: it now
 * resumes from that position and counts their events again, so they are taken back out first, when
 * the tables are exactly as it left them (no other holder wrote since; one that did resumed from the
 * same position and counted them too: the crash window of db/README.md, What survives what).
 */
export async function takeBackLanded(client: cassandra.Client, stoodDown: StoodDown, parts: TakeBackParts): Promise<void> {
  const { pipeline, mirror, log } = parts;
  const position = await parts.readPosition();
  if (position !== stoodDown.position || !Bun.deepEquals(mirror.totals, stoodDown.mirror)) {
    // Another holder wrote (and resumed from the same position), or the position write landed after all.
    log.warn(
      "the tables changed since this process stood down; counts it wrote just before are not taken back (their events may be counted twice)",
      {
        events: stoodDown.landedAhead.messages,
      },
    );
    stoodDown.landedAhead = new Delta();
    return;
  }
  const undo = undoOf(stoodDown.landedAhead);
  try {
    await pipeline.writeCorrection(client, undo);
  } catch (error) {
    // What was taken back is in the mirror and the tables; a retried takeOver takes back the rest.
    stoodDown.landedAhead = undoOf(undo);
    stoodDown.mirror = mirror.snapshot();
    throw error;
  }
  log.info("took back counts written just before standing down, whose events are read again", { events: stoodDown.landedAhead.messages });
  stoodDown.landedAhead = new Delta();
  stoodDown.mirror = mirror.snapshot();
}
