package pixq.cli;

import java.nio.file.Path;
import java.time.Clock;
import picocli.CommandLine.Mixin;
import pixq.job.JobQueue;
import pixq.job.JobStore;
import pixq.job.BatchCompletion;
import pixq.local.BatchDoneCommand;
import pixq.local.LocalFolderBlobStore;
import pixq.local.LocalState;

/** Chooses the ports a command works on: the embedded state folder by default, AWS when named. */
final class TargetOptions {
    @Mixin
    StateOption state;

    @Mixin
    AwsOptions aws;

    boolean isLocal() {
        return !aws.given();
    }

    Path stateDir() {
        return state.dir;
    }

    /** The flags that name this target as given, for a follow-up command to print: " --state DIR" or AWS's. */
    String flags() {
        if (!isLocal()) {
            return aws.storeFlags();
        }
        return StateOption.flag(state.dir);
    }

    Target open() {
        if (!isLocal()) {
            return aws.open();
        }
        if (!LocalState.exists(state.dir)) {
            throw new IllegalArgumentException("no pixq state in " + state.dir + ": run `pixq run` first, or pass --state DIR");
        }
        // No run alive: show a killed run's jobs as they are. The run lock that proves it is let go at once,
        // so that a run may start while this command reads (pixq watch, pixq status --web stay for long).
        try (LocalState recovering = LocalState.open(state.dir)) {
            recovering.recoverIfIdle(Clock.systemUTC());
        }
        LocalState local = LocalState.open(state.dir);
        return new Target() {
            @Override
            public JobStore store() {
                return local.jobs();
            }

            @Override
            public JobQueue queue() {
                return local.queue();
            }

            @Override
            public BatchCompletion completion() {
                // Outputs' sizes are read wherever the jobs wrote them: a stat, never a write.
                return new BatchCompletion(local.jobs(), new LocalFolderBlobStore(Path.of("/")), local.completionClaims(),
                        local.manifests(), new BatchDoneCommand(null, BatchDoneCommand.LIMIT, System.err, false, Clock.systemUTC()));
            }

            @Override
            public boolean unworked() {
                return !LocalState.inUse(state.dir);
            }

            @Override
            public void close() {
                local.close();
            }
        };
    }
}
