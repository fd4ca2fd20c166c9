package dev.vcnn.engine;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every answer to a hostile input must be: quick, and, when it is a refusal, one sentence naming
 * the file. The suites that use this run in a JVM with a 64 MB heap (see engine/pom.xml), so an
 * allocation as large as a forged header claims ends the run with OutOfMemoryError, which no check
 * here catches.
 */
public final class Hostile {
    /** The longest any one hostile input may take to be answered. */
    public static final Duration LIMIT = Duration.ofSeconds(1);

    // one reused worker: thousands of cases, and a thread per case would cost more than the cases
    private static ExecutorService worker = newWorker();

    private Hostile() {
    }

    /**
     * Runs {@code read} on a worker thread and returns its answer; fails if it takes longer than
     * {@link #LIMIT}. What {@code read} throws is rethrown as it is.
     */
    public static synchronized <T> T quickly(Callable<T> read) throws Exception {
        Future<T> answer = worker.submit(read);
        try {
            return answer.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            worker.shutdownNow();
            // the stuck thread is abandoned (it is a daemon); later cases get a fresh one
            worker = newWorker();
            throw new AssertionError("no answer within " + LIMIT.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception exception) {
                throw exception;
            }
            throw (Error) e.getCause();
        }
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "hostile-input");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Checks a refusal: its message is one line that starts with one of {@code names}, and nothing in
     * its causes is an OutOfMemoryError turned into a polite message.
     */
    public static void assertCleanRefusal(Throwable refusal, List<String> names, Object hostileInput) {
        String message = refusal.getMessage();
        assertTrue(message != null && names.stream().anyMatch(message::startsWith),
                () -> "the refusal should start with one of " + names + ": " + message + "\ninput: " + hostileInput);
        assertFalse(message.contains("\n"), () -> "one line, not: " + message);
        for (Throwable cause = refusal; cause != null; cause = cause.getCause()) {
            assertFalse(cause instanceof OutOfMemoryError,
                    () -> "ran out of memory on " + hostileInput + " and called it: " + message);
        }
    }
}
