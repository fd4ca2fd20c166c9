package dev.vcnn.engine.training;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Items [0, count) for a {@link WorkerPool} run, cut into one contiguous block per participant
 * ({@link WorkerPool#shareStart}). Each participant takes the runs of its own block first, then helps
 * with what is left of the others' blocks, a run of {@code step} items at a time (a plain atomic
 * counter per block). Why not a fixed split: the host may run one core up to half again as slow as
 * the other for seconds at a time, and a fixed split waits for that core's share. Why blocks: each
 * participant keeps meeting the same items (a trainer's shard buffers) while both cores keep pace.
 * The runs start where a fixed split's would, so only who takes a run can change, never what a run
 * holds.
 */
final class BlockClaims {
    /** Work on items [from, to), taken by participant {@code worker}. */
    @FunctionalInterface
    interface Run {
        void run(int worker, int from, int to);
    }

    private final int participants;
    private final AtomicIntegerArray next; // [participants]: each block's first item not yet taken
    private int count;
    private int step;

    BlockClaims(int participants) {
        this.participants = participants;
        this.next = new AtomicIntegerArray(participants);
    }

    /** Starts a new set of claims over [0, count) in runs of {@code step}; the caller, before the pool run. */
    void reset(int count, int step) {
        this.count = count;
        this.step = step;
        for (int w = 0; w < participants; w++) {
            next.set(w, blockStart(w));
        }
    }

    /** Where participant {@code worker}'s block starts; block w is [blockStart(w), blockStart(w + 1)). */
    int blockStart(int worker) {
        return WorkerPool.shareStart(count, worker, participants);
    }

    /** Has {@code worker} run every run it can claim: its own block's first, then the others' in turn. */
    void runAll(int worker, Run work) {
        for (int b = 0; b < participants; b++) {
            int block = (worker + b) % participants;
            int end = blockStart(block + 1);
            for (int from = next.getAndAdd(block, step); from < end; from = next.getAndAdd(block, step)) {
                work.run(worker, from, Math.min(from + step, end));
            }
        }
    }
}
