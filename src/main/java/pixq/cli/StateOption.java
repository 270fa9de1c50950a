package pixq.cli;

import java.nio.file.Path;
import pixq.local.LocalState;
import picocli.CommandLine.Option;

/** Where the embedded queue and status records live. */
final class StateOption {
    @Option(names = "--state", paramLabel = "DIR", defaultValue = ".pixq",
            description = "State folder of the embedded queue and job records (default: ${DEFAULT-VALUE}).")
    Path dir;

    /** The option a follow-up command needs to name this state folder, shell-quoted when needed: none for the default. */
    static String flag(Path folder) {
        if (folder.normalize().equals(LocalState.DEFAULT_FOLDER)) {
            return "";
        }
        String name = folder.toString();
        return " --state " + (name.matches("[\\w./:@%+=,-]+") ? name : "'" + name.replace("'", "'\\''") + "'");
    }
}
