package pixq.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The pixq command line: a thin shell over the core, on the local state folder or on AWS. */
@Command(
        name = "pixq",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Runs image-processing jobs: on this machine with no setup, or on AWS (SQS + Lambda + S3 + DynamoDB).",
        subcommands = {
            RunCommand.class, StatusCommand.class, WatchCommand.class, FailuresCommand.class, RetryCommand.class,
            CancelCommand.class, SubmitCommand.class, RedriveCommand.class, WorkerCommand.class, InvokeCommand.class, ServeCommand.class,
            CommandLine.HelpCommand.class
        },
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

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        // Exit code 2 means "some jobs failed"; a mistyped command line is 1, like any other refusal.
        cli.getCommandSpec().exitCodeOnInvalidInput(1);
        cli.getSubcommands().values().forEach(sub -> sub.getCommandSpec().exitCodeOnInvalidInput(1));
        // Every command's --help prints its help and exits 0, required options or not.
        cli.getSubcommands().values().stream().filter(sub -> sub.getCommandSpec().findOption("--help") == null)
                .forEach(sub -> sub.getCommandSpec().addOption(CommandLine.Model.OptionSpec.builder("-h", "--help")
                        .usageHelp(true).description("Show this help and exit.").build()));
        cli.setUsageHelpAutoWidth(true).setUsageHelpWidth(100);
        // A user sees one readable line; --debug (or PIXQ_DEBUG=1) shows the stack trace.
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            command.getErr().println("pixq: " + readable(e));
            if (System.getenv("PIXQ_DEBUG") != null) {
                e.printStackTrace(command.getErr());
            }
            return 1;
        });
        return cli;
    }

    private static String readable(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"pixq " + (version == null ? "(development build)" : version)};
        }
    }
}
