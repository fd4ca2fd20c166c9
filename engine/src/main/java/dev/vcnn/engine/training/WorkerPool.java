package dev.vcnn.engine.training;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * N participants for data-parallel work: the calling thread and N - 1 platform threads started once,
 * here, and kept until {@link #close()}. {@link #run(Task)} has every participant run the task once
 * with its own index and returns when all have finished. Nothing is allocated per run: the workers
 * wait for a new generation number (spinning a little, then parked), and the last to finish unparks
 * the caller. A pool of one runs the task on the caller alone, with no other thread at all.
 *
 * <p>A failure in any participant does not stop the others (their work is a batch's shards, which
 * end on their own); once all have finished, {@code run} rethrows the failure of the lowest index,
 * as it was thrown, so a run ends with the same exception on any number of threads.
 */
final class WorkerPool implements AutoCloseable {
    /** Work for one participant of a {@link WorkerPool#run}. */
    @FunctionalInterface
    interface Task {
        void run(int worker);
    }

    // a wake-up takes 50-100 us once parked (measured on these VMs), as long as the reduction of a
    // deep batch; so a participant that is done spins this long before it parks: long enough to cover
    // the gap between back-to-back runs (shards, reduction, the next batch's shards) and the wait
    // for a slower shard, short enough that an idle pool leaves the cores alone
    private static final long SPIN_NANOS = 200_000;

    private final Thread[] threads;    // [size - 1]; worker k + 1 runs on threads[k]
    private final Throwable[] failures; // [size], cleared by each run
    private final AtomicInteger running = new AtomicInteger();
    private volatile int generation;
    private volatile Task task;
    private volatile Thread caller;
    private volatile boolean closed;

    WorkerPool(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a pool needs at least 1 thread, got " + size);
        }
        this.threads = new Thread[size - 1];
        this.failures = new Throwable[size];
        for (int k = 0; k < threads.length; k++) {
            int worker = k + 1;
            threads[k] = Thread.ofPlatform().daemon().name("vcnn-worker-" + worker).start(() -> work(worker));
        }
    }

    /**
     * Where participant {@code worker}'s share of {@code items} starts when they are split in order
     * into {@code participants} contiguous shares (share w is [shareStart(w), shareStart(w + 1))): the
     * same split every run, so a worker keeps meeting the same data in its cache.
     */
    static int shareStart(int items, int worker, int participants) {
        return (int) shareStart((long) items, worker, participants);
    }

    /** {@link #shareStart(int, int, int)} for a count of items past an int's range. */
    static long shareStart(long items, int worker, int participants) {
        return items * worker / participants;
    }

    /** Participants, the caller included. */
    int size() {
        return failures.length;
    }

    /**
     * Runs {@code task} on every participant, index 0 on the calling thread, and waits for all of them.
     * Rethrows the lowest-indexed participant's failure, if any.
     */
    void run(Task task) {
        if (closed) {
            throw new IllegalStateException("the worker pool is closed");
        }
        if (threads.length > 0) {
            this.task = task;
            this.caller = Thread.currentThread();
            running.set(threads.length);
            generation++; // publishes the task (a volatile write after the plain ones)
            for (Thread thread : threads) {
                LockSupport.unpark(thread);
            }
        }
        try {
            task.run(0);
        } catch (Throwable e) {
            failures[0] = e;
        }
        if (threads.length > 0) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (running.get() != 0) {
                if (System.nanoTime() - spinUntil < 0) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            this.task = null;
        }
        for (int k = 0; k < failures.length; k++) {
            Throwable failure = failures[k];
            if (failure != null) {
                java.util.Arrays.fill(failures, null);
                throw rethrow(failure);
            }
        }
    }

    private void work(int worker) {
        int seen = 0;
        while (true) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (generation == seen && !closed) {
                if (System.nanoTime() - spinUntil < 0) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            try {
                task.run(worker);
            } catch (Throwable e) {
                failures[worker] = e;
            }
            if (running.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    // unchecked exceptions and errors as they are; a task cannot throw a checked one
    private static RuntimeException rethrow(Throwable failure) {
        if (failure instanceof RuntimeException e) {
            return e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(failure);
    }

    /** Stops the threads and waits for them; a closed pool runs nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Thread thread : threads) {
            LockSupport.unpark(thread);
        }
        boolean interrupted = false;
        for (Thread thread : threads) {
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
