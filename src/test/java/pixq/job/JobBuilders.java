package pixq.job;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import pixq.recipe.Output;
import pixq.recipe.Recipe;

/**
 * Test builders: {@code aSpec().input("file:/in/a.jpg").build()}, {@code aJob().createdAt(t).build()}.
 * Defaults are fixed values; instants are whole seconds so every store keeps them exactly.
 */
public final class JobBuilders {
    public static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
    public static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);
    /** A worker's lease on a RUNNING job, for tests that start jobs by hand. */
    public static final Duration LEASE = Duration.ofMinutes(2);

    private JobBuilders() {}

    public static SpecBuilder aSpec() {
        return new SpecBuilder();
    }

    public static JobBuilder aJob() {
        return new JobBuilder();
    }

    /** A small recipe that survives the JSON round trip: one JPEG output, no steps. */
    public static Recipe aRecipe() {
        return new Recipe("thumbnail", List.of(), List.of(new Output("thumb", "jpeg", 85, List.of())));
    }

    public static final class SpecBuilder {
        private String batchId = "batch-1";
        private String input = "file:/in/a.jpg";
        private String output = "file:/out/";
        private Recipe recipe = aRecipe();
        private List<String> args = List.of();

        public SpecBuilder batch(String batchId) {
            this.batchId = batchId;
            return this;
        }

        /** The input URI, or null for an args-only job. */
        public SpecBuilder input(String input) {
            this.input = input;
            return this;
        }

        public SpecBuilder output(String output) {
            this.output = output;
            return this;
        }

        public SpecBuilder recipe(Recipe recipe) {
            this.recipe = recipe;
            return this;
        }

        public SpecBuilder args(String... args) {
            this.args = List.of(args);
            return this;
        }

        /** A spec whose id follows from what it does, as {@link JobSpec#of} makes it. */
        public JobSpec build() {
            return JobSpec.of(batchId, input, output, recipe, args);
        }
    }

    public static final class JobBuilder {
        private JobSpec spec = aSpec().build();
        private JobState state = JobState.QUEUED;
        private int attempts;
        private String lastError;
        private Instant createdAt = T0;
        private Instant startedAt;
        private Instant finishedAt;
        private List<String> outputs = List.of();
        private Instant leaseUntil;
        private Instant sentAt;

        public JobBuilder spec(JobSpec spec) {
            this.spec = spec;
            return this;
        }

        public JobBuilder spec(SpecBuilder spec) {
            return spec(spec.build());
        }

        /** Sets the state as is, without the transition table: for putting a record in a given shape. */
        public JobBuilder state(JobState state) {
            this.state = state;
            return this;
        }

        public JobBuilder attempts(int attempts) {
            this.attempts = attempts;
            return this;
        }

        public JobBuilder lastError(String lastError) {
            this.lastError = lastError;
            return this;
        }

        public JobBuilder createdAt(Instant createdAt) {
            this.createdAt = createdAt;
            return this;
        }

        public JobBuilder startedAt(Instant startedAt) {
            this.startedAt = startedAt;
            return this;
        }

        public JobBuilder finishedAt(Instant finishedAt) {
            this.finishedAt = finishedAt;
            return this;
        }

        public JobBuilder outputs(String... outputs) {
            this.outputs = List.of(outputs);
            return this;
        }

        public JobBuilder leaseUntil(Instant leaseUntil) {
            this.leaseUntil = leaseUntil;
            return this;
        }

        public JobBuilder sentAt(Instant sentAt) {
            this.sentAt = sentAt;
            return this;
        }

        public Job build() {
            return new Job(spec, state, attempts, lastError, createdAt, startedAt, finishedAt, outputs, leaseUntil, sentAt, 0);
        }
    }
}
