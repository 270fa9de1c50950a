package pixq.cli;

import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;
import pixq.image.EngineConfig;
import pixq.local.LocalState;
import pixq.worker.WorkerConfig;

/** How this machine processes images: shared by the commands that run jobs here. */
final class WorkOptions {
    @Option(names = {"-w", "--workers"}, paramLabel = "N",
            description = "Images processed at once (default: one per core, fewer if memory is short).")
    Integer workers;

    @Option(names = "--command", paramLabel = "NAME=PATH",
            description = "An executable the recipe's `command` step may run, by name (repeatable, or NAME=PATH,NAME=PATH"
                    + " as COMMANDS on AWS). Job messages name commands; only this machine's configuration says what they run.")
    List<String> commands = List.of();

    @Option(names = "--command-timeout", paramLabel = "DURATION", defaultValue = "PT15M",
            description = "How long a command may run before it is stopped and its job fails (default: 15 min; PT30S, PT2H...).")
    Duration commandTimeout;

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "100000000",
            description = "Refuse images larger than this many pixels, before decoding (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    EngineConfig engine() {
        return EngineConfig.defaults().withMaxPixels(maxPixels).withCommands(EngineConfig.parseCommands(String.join(",", commands)))
                .withCommandTimeout(commandTimeout);
    }

    WorkerConfig worker() {
        WorkerConfig config = WorkerConfig.defaults().withLease(LocalState.DEFAULT_VISIBILITY_TIMEOUT)
                .withMaxReceives(LocalState.DEFAULT_MAX_RECEIVES).withMaxBytes(engine().maxBytes());
        return workers == null ? config : config.withParallelism(workers);
    }
}
