package pixq.cli;

import java.nio.file.Path;
import java.time.Clock;
import picocli.CommandLine.Mixin;
import pixq.job.JobQueue;
import pixq.job.JobStore;
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

    Target open() {
        if (!isLocal()) {
            return aws.open();
        }
        if (!LocalState.exists(state.dir)) {
            throw new IllegalArgumentException("no pixq state in " + state.dir + ": run `pixq run` first, or pass --state DIR");
        }
        LocalState local = LocalState.open(state.dir);
        local.recoverIfIdle(Clock.systemUTC()); // no run alive: show a killed run's jobs as they are
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
            public void close() {
                local.close();
            }
        };
    }
}
