package pixq.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the embedded queue and status records live. */
final class StateOption {
    @Option(names = "--state", paramLabel = "DIR", defaultValue = ".pixq",
            description = "State folder of the embedded queue and job records (default: ${DEFAULT-VALUE}).")
    Path dir;
}
