package pixq.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import pixq.image.OpenCvImageEngine;
import pixq.job.Reason;

/** The pixq command line: a thin shell over the core, on the local state folder or on AWS. */
@Command(
        name = "pixq",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Runs image-processing jobs: on this machine with no setup, or on AWS (SQS + Lambda + S3 + DynamoDB).",
        footer = {
            "",
            "On this machine (state in ./.pixq):",
            "  pixq run ./photos --out ./out --recipe thumbnail     process a folder on all cores",
            "  pixq run a.jpg b.png --out ./out --recipe web         three sizes from one decode",
            "  pixq status                                           jobs per state, per batch (like rq info)",
            "  pixq failures                                         failed jobs and why",
            "  pixq retry                                            requeue the failed jobs and process them",
            "",
            "On AWS (names from the stack's Outputs, or --table, --queue-url ...; --endpoint-url: an emulator):",
            "  pixq submit --stack pixq --recipe web --prefix s3://BUCKET/photos/",
            "  pixq watch BATCH --stack pixq                         progress bar and ETA until done",
            "  pixq failures BATCH --stack pixq",
            "  pixq redrive --stack pixq                             dead-letter queue back to the job queue",
            "  pixq invoke SubmitFunction --event events/submit-list.json   like sam local invoke, without Docker",
            "  pixq serve                                            Lambda here: aws lambda invoke, S3 drops",
            "",
            "Run `pixq help COMMAND` for a command's options and examples."
        })
public final class Main {

    /** The subcommands, in the order help lists them. */
    private static final Map<String, Supplier<Object>> COMMANDS = commands();

    private static Map<String, Supplier<Object>> commands() {
        Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
        commands.put("run", RunCommand::new);
        commands.put("status", StatusCommand::new);
        commands.put("watch", WatchCommand::new);
        commands.put("failures", FailuresCommand::new);
        commands.put("retry", RetryCommand::new);
        commands.put("cancel", CancelCommand::new);
        commands.put("submit", SubmitCommand::new);
        commands.put("redrive", RedriveCommand::new);
        commands.put("worker", WorkerCommand::new);
        commands.put("invoke", InvokeCommand::new);
        commands.put("serve", ServeCommand::new);
        commands.put("help", CommandLine.HelpCommand::new);
        return commands;
    }

    public static void main(String[] args) {
        System.exit(commandLine(args).execute(args));
    }

    /**
     * The command line for these arguments: when the first names a command, only that command's model is built
     * (picocli reads every option of every command it is given: 0.1–0.2 s of each start); else all of them, for
     * help, suggestions and errors. No arguments: all of them.
     */
    public static CommandLine commandLine(String... args) {
        CommandLine cli = new CommandLine(new Main());
        String first = args.length > 0 ? args[0] : "";
        COMMANDS.forEach((name, command) -> {
            if (name.equals(first) || "help".equals(first) || !COMMANDS.containsKey(first)) {
                cli.addSubcommand(name, command.get());
            }
        });
        cli.setCaseInsensitiveEnumValuesAllowed(true); // --state failed, as status prints it
        // Exit code 2 means "some jobs failed"; a mistyped command line is 1, like any other refusal.
        cli.getCommandSpec().exitCodeOnInvalidInput(1);
        cli.getSubcommands().values().forEach(sub -> sub.getCommandSpec().exitCodeOnInvalidInput(1));
        // Every command's --help prints its help and exits 0, required options or not.
        cli.getSubcommands().values().stream().filter(sub -> sub.getCommandSpec().findOption("--help") == null)
                .forEach(sub -> sub.getCommandSpec().addOption(CommandLine.Model.OptionSpec.builder("-h", "--help")
                        .usageHelp(true).description("Show this help and exit.").build()));
        cli.setUsageHelpAutoWidth(true).setUsageHelpWidth(100);
        // A user sees one readable line; PIXQ_DEBUG set in the environment (to any value) adds the stack trace.
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            command.getErr().println("pixq: " + Reason.of(e));
            if (System.getenv("PIXQ_DEBUG") != null) {
                e.printStackTrace(command.getErr());
            }
            return 1;
        });
        return cli;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"pixq " + (version == null ? "(development build)" : version), OpenCvImageEngine.nativeLibrary()};
        }
    }
}
