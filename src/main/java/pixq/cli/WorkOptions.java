package pixq.cli;

import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import pixq.job.JobQueue;
import pixq.image.EngineConfig;
import pixq.local.LocalFolderBlobStore;
import pixq.local.LocalState;
import pixq.worker.WorkerConfig;

/** How this machine processes images: shared by the commands that run jobs here. */
final class WorkOptions {
    /** More workers than this is a typo: each holds a decoded image in memory. */
    static final int MAX_WORKERS = 256;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    Integer workers;

    @Option(names = {"-w", "--workers"}, paramLabel = "N",
            description = "Images processed at once, 1 to " + MAX_WORKERS + " (default: one per core, fewer if memory is short).")
    void workers(int n) {
        workers = checkedWorkers(command, "--workers", n);
    }

    /** Refuses a count of images at once that is no count (0, negative) or a typo (over {@link #MAX_WORKERS}). */
    static int checkedWorkers(CommandSpec command, String option, int n) {
        if (n < 1 || n > MAX_WORKERS) {
            throw new ParameterException(command.commandLine(), option + " must be 1 to " + MAX_WORKERS + ", not " + n);
        }
        return n;
    }

    @Option(names = "--command", paramLabel = "NAME=PATH",
            description = "An executable the recipe's `command` step may run, by name (repeatable, or NAME=PATH,NAME=PATH"
                    + " as COMMANDS on AWS). Job messages name commands; only this machine's configuration says what they run.")
    List<String> commands = List.of();

    @Option(names = "--command-timeout", paramLabel = "DURATION", defaultValue = "PT15M",
            description = "How long a command may run before it is stopped and its job fails (default: 15 min; PT30S, PT2H...).")
    Duration commandTimeout;

    long maxPixels;

    /** How outputs reach the disk; a test puts a full disk here. */
    LocalFolderBlobStore.FileWriter outputWriter = LocalFolderBlobStore.FileWriter.DISK;

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "100000000",
            description = "Refuse images larger than this many pixels, before decoding (default: ${DEFAULT-VALUE}).")
    void maxPixels(long n) {
        if (n < 1) {
            throw new ParameterException(command.commandLine(), "--max-pixels must be 1 or more, not " + n);
        }
        maxPixels = n;
    }

    EngineConfig engine() {
        return EngineConfig.defaults().withMaxPixels(maxPixels).withCommands(EngineConfig.parseCommands(String.join(",", commands)))
                .withCommandTimeout(commandTimeout).withDecodeMemory(EngineConfig.decodeMemoryFor(worker().parallelism()));
    }

    WorkerConfig worker() {
        WorkerConfig config = WorkerConfig.defaults().withLease(LocalState.DEFAULT_VISIBILITY_TIMEOUT)
                .withMaxReceives(JobQueue.DEFAULT_MAX_RECEIVES).withMaxBytes(EngineConfig.DEFAULT_MAX_BYTES)
                .withTimeLimit(commandTimeout.plusMinutes(1)); // a command's limit, and time to decode and encode
        return workers == null ? config : config.withParallelism(workers);
    }
}
