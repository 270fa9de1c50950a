package pixq.local;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import pixq.job.BatchCompletion;
import pixq.job.JobQueue;
import pixq.job.DeadLetters;
import pixq.job.Job;
import pixq.job.JobState;
import pixq.job.StoreException;

/**
 * The embedded state of one machine: a folder (default {@code ./.pixq/}) holding {@code pixq.db}, which
 * keeps the job records and the queue, {@code run.lock}, held by a running worker, and
 * {@code submitted-drops.tsv}, the files {@code pixq serve} submitted from a bucket folder, and {@code manifests/},
 * each batch's manifest. The one place that
 * knows this layout.
 */
public final class LocalState implements AutoCloseable {
    public static final Path DEFAULT_FOLDER = Path.of(".pixq");
    public static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofMinutes(2);
    public static final Duration DEFAULT_RECEIVE_WAIT = Duration.ofMillis(500);
    private static final String DATABASE = "pixq.db";
    private static final String RUN_LOCK = "run.lock";
    private static final String DROPS = "submitted-drops.tsv";
    private static final String MANIFESTS = "manifests";

    private final Path folder;
    private final SqliteDatabase db;
    private final SqliteJobStore jobs;
    private final SqliteJobQueue queue;
    private FileChannel lockChannel;

    private LocalState(Path folder, SqliteDatabase db, SqliteJobQueue queue) {
        this.folder = folder;
        this.db = db;
        this.jobs = new SqliteJobStore(db);
        this.queue = queue;
    }

    /** Opens (creating when missing) the state in {@code folder} with the default queue settings. */
    public static LocalState open(Path folder) {
        return open(folder, DEFAULT_VISIBILITY_TIMEOUT, JobQueue.DEFAULT_MAX_RECEIVES, DEFAULT_RECEIVE_WAIT, Clock.systemUTC());
    }

    public static LocalState open(Path folder, Duration visibilityTimeout, int maxReceives, Duration receiveWait, Clock clock) {
        SqliteDatabase db = SqliteDatabase.open(folder.resolve(DATABASE));
        return new LocalState(folder, db, new SqliteJobQueue(db, visibilityTimeout, maxReceives, receiveWait, clock));
    }

    /** Where {@code pixq serve} records the files it has submitted from a watched bucket folder (one per line). */
    public static Path dropRecord(Path folder) {
        return folder.resolve(DROPS);
    }

    /** Whether {@code folder} holds any state, so a reader such as {@code pixq status} need not create it. */
    public static boolean exists(Path folder) {
        return Files.isRegularFile(folder.resolve(DATABASE));
    }

    public Path folder() {
        return folder;
    }

    public SqliteJobStore jobs() {
        return jobs;
    }

    public SqliteJobQueue queue() {
        return queue;
    }

    /** The batches' manifests, in the folder's {@code manifests/}. */
    public LocalManifests manifests() {
        return new LocalManifests(manifestsFolder(folder));
    }

    /** Where the manifests of the state in {@code folder} are, for a reader that need not open the state. */
    public static Path manifestsFolder(Path folder) {
        return folder.resolve(MANIFESTS);
    }

    /** Which batch completions have had their manifest written. */
    public SqliteCompletionClaims completionClaims() {
        return new SqliteCompletionClaims(db);
    }

    /**
     * Takes the run lock, held until {@link #close()} (or the process dies, when the OS drops it); false
     * when another live process holds it. Holding it proves no other worker runs on this state, so leases
     * left by a killed run may be released.
     */
    public synchronized boolean tryLockRun() {
        if (lockChannel == null) {
            lockChannel = lockedRunChannel(folder);
        }
        return lockChannel != null;
    }

    /**
     * Whether a run, retry or serve works this state now (a live process, or another LocalState of this one,
     * holds its run lock), asked without keeping the lock: a command that stays, such as pixq watch, asks again.
     */
    public static boolean inUse(Path folder) {
        FileChannel channel = lockedRunChannel(folder);
        if (channel == null) {
            return true;
        }
        try {
            channel.close(); // lets the lock go
            return false;
        } catch (IOException e) {
            throw new StoreException("cannot unlock " + folder.resolve(RUN_LOCK) + ": " + e.getMessage(), e);
        }
    }

    /** A channel holding the state's run lock, or null when another holder has it. */
    private static FileChannel lockedRunChannel(Path folder) {
        try {
            FileChannel channel = FileChannel.open(folder.resolve(RUN_LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // another LocalState of this process holds it
            }
            if (lock == null) {
                channel.close();
                return null;
            }
            return channel;
        } catch (IOException e) {
            throw new StoreException("cannot lock " + folder.resolve(RUN_LOCK) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Cleans up after a killed run, when none is alive (this process takes the run lock; false if another
     * holds it): leased messages visible again at once, jobs left RUNNING back to QUEUED, and messages
     * that have had their last receive dead-lettered with their jobs FAILED, so that status, failures and
     * redrive see them as they are.
     */
    public boolean recoverIfIdle(Clock clock) {
        if (!tryLockRun()) {
            return false;
        }
        queue.releaseLeases();
        for (Job job : jobs.list(null, JobState.RUNNING, Integer.MAX_VALUE)) {
            jobs.update(job, job.retryLater("interrupted (the worker stopped while running it)"));
        }
        failingDeadLetters(queue, clock).deadLetterExhausted();
        return true;
    }

    /**
     * Takes the state's run lock and cleans up after a killed run ({@link #recoverIfIdle}); when another
     * run or serve holds the lock, closes this state and refuses, saying what to do.
     */
    public void takeOver(Clock clock) {
        if (!recoverIfIdle(clock)) {
            close();
            throw new IllegalStateException("another pixq run or serve is using " + folder
                    + ": wait for it to finish, or give this one its own --state DIR");
        }
    }

    /** The queue (or a view of it), ending FAILED at once the job of each message it dead-letters. */
    public SqliteJobQueue failingDeadLetters(SqliteJobQueue view, Clock clock) {
        return view.onDeadLetter(letter -> DeadLetters.fail(jobs, letter.body(), letter.receiveCount(), clock));
    }

    /**
     * The same, and a job so ended that was its batch's last completes the batch (its manifest written, its end
     * announced); a manifest that cannot be written is said on {@code log}, the job stays FAILED.
     */
    public SqliteJobQueue failingDeadLetters(SqliteJobQueue view, Clock clock, BatchCompletion completion, PrintStream log) {
        return view.onDeadLetter(letter -> DeadLetters.fail(jobs, letter.body(), letter.receiveCount(), clock).ifPresent(job -> {
            try {
                completion.jobFinished(job.spec().batchId());
            } catch (RuntimeException e) {
                log.println("pixq: " + e.getMessage());
            }
        }));
    }

    @Override
    public synchronized void close() {
        try {
            if (lockChannel != null) {
                lockChannel.close();
                lockChannel = null;
            }
        } catch (IOException e) {
            throw new StoreException("cannot release " + folder.resolve(RUN_LOCK) + ": " + e.getMessage(), e);
        } finally {
            db.close();
        }
    }
}
