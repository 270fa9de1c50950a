package pixq.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pixq.image.Heif;
import pixq.job.JobSpec;
import pixq.job.OutputClash;
import pixq.job.SubmitResult;
import pixq.job.Submitter;
import pixq.local.LocalFolderBlobStore;
import pixq.recipe.Output;
import pixq.recipe.Recipe;
import pixq.recipe.Recipes;

@Command(
        name = "run",
        header = "Process images on this machine, on all cores; resumes where it stopped.",
        description = {
            "Processes images on this machine, on all cores, with the real job semantics: every image is a job",
            "with an id and a status; a failed image fails alone, with its reason; interrupted runs resume."
        },
        footer = {
            "",
            "Examples:",
            "  pixq run ./photos --out ./out --recipe thumbnail",
            "  pixq run ./photos --out ./out --recipe web --workers 2",
            "  pixq run scan.tif --out ./out --recipe 'orient | fit 1024x1024 | jpeg 85'",
            "  pixq run ./photos --out ./out --recipe my-recipe.json --arg watermark=acme",
            "  pixq run ./photos --out ./out --recipe 'command detect' --command detect=./detect.py",
            "  pixq run --args-only a b c --out ./out --recipe 'command myjob' --command myjob=./myjob.py",
            "",
            "Stopped with Ctrl-C (or killed)? Run the same command again: finished images are not redone."
        })
final class RunCommand implements Callable<Integer> {
    /** The extensions HEIC and AVIF files go by, which libheif reads. */
    private static final Set<String> HEIF_EXTENSIONS = Set.of("heic", "heif", "hif", "avif");
    /** Extensions taken when walking a folder; the format itself is always sniffed from the bytes. */
    private static final Set<String> IMAGE_EXTENSIONS =
            Set.of("jpg", "jpeg", "jpe", "png", "gif", "bmp", "tif", "tiff", "webp", "heic", "heif", "hif", "avif");

    @Parameters(arity = "1..*", paramLabel = "DIR|FILE", description = "Folders (walked recursively) and image files"
            + " (with --args-only: one job's argument each).")
    List<String> inputs;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Where outputs are written.")
    Path out;

    @Option(names = {"-r", "--recipe"}, defaultValue = "thumbnail", paramLabel = "RECIPE",
            description = "A built-in recipe (thumbnail, web, meta), a recipe .json file, or a short recipe string"
                    + " (default: ${DEFAULT-VALUE}).")
    String recipe;

    @Option(names = "--arg", paramLabel = "ARG", description = "An argument handed to custom code (repeatable);"
            + " with --args-only, added after each job's own.")
    List<String> args = new ArrayList<>();

    @Option(names = "--args-only", description = "Jobs without an input image, as add_jobs.py a b c: each INPUT is one"
            + " job's argument, and the recipe's command runs once per job with INPUT '-'.")
    boolean argsOnly;

    @Option(names = "--on-batch-done", paramLabel = "CMD", description = "A shell command run when the batch finishes,"
            + " with its completion event (as EventBridge's \"Batch Finished\") as JSON on its standard input.")
    String onBatchDone;

    @Mixin
    WorkOptions work;

    @Mixin
    StateOption state;

    @Override
    public Integer call() throws Exception {
        Clock clock = Clock.systemUTC();
        Recipe chosen = Recipes.resolve(recipe);
        List<JobSpec> given = argsOnly ? argsOnlySpecs(chosen) : specs(chosen);
        // An image named twice (a file and its folder, say) is one job, and the batch is the one it names once.
        List<JobSpec> specs = List.copyOf(given.stream().collect(Collectors.toMap(JobSpec::id, s -> s, (first, again) -> first,
                LinkedHashMap::new)).values());
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("no images found in " + inputs);
        }
        refuseClashes(specs);
        sayOnceWhatHeifNeeds(chosen, specs);
        // The same command over the same images is the same batch, so a rerun resumes it.
        String batchId = "run-" + JobSpec.digest(specs.stream().map(JobSpec::id).toList()).substring(0, 10);
        specs = specs.stream().map(s -> s.inBatch(batchId)).toList();
        try (LocalWork local = LocalWork.open(state.dir, work, clock)) {
            SubmitResult submitted = new Submitter(local.state().jobs(), local.state().queue(),
                    new LocalFolderBlobStore(out), clock).submit(batchId, specs);
            System.err.printf("batch %s: %d %s%s, %d new jobs%n", batchId, specs.size(), argsOnly ? "args-only jobs" : "images",
                    given.size() == specs.size() ? "" : " (" + (given.size() - specs.size()) + " more named twice: done once)",
                    submitted.jobs());
            return local.onBatchDone(onBatchDone).until(specs);
        }
    }

    /**
     * Without libheif, HEIC and AVIF inputs (and avif outputs) fail job by job, each saying why: say it once
     * here too, before anything is queued, so it is not lost among the other results.
     */
    private static void sayOnceWhatHeifNeeds(Recipe chosen, List<JobSpec> specs) {
        long inputs = specs.stream().filter(s -> s.input() != null && HEIF_EXTENSIONS.contains(extension(s.input()))).count();
        boolean writesAvif = chosen.outputs().stream().anyMatch(o -> o.format() == Output.Format.AVIF);
        if (inputs == 0 && !writesAvif) {
            return; // not even looked for: finding libheif loads JNA, which runs ldconfig (60 ms of every start)
        }
        Optional<String> problem = Heif.unavailable();
        if (problem.isPresent()) {
            System.err.printf("%s: %s will fail.%n", problem.get(),
                    writesAvif ? "every job (the recipe writes avif)" : inputs + (inputs == 1 ? " HEIC/AVIF input" : " HEIC/AVIF inputs"));
        }
    }

    /** Two inputs that would write one output stop the run before anything is queued, naming both. */
    private static void refuseClashes(List<JobSpec> specs) {
        List<OutputClash> clashes = OutputClash.find(specs);
        if (clashes.isEmpty()) {
            return;
        }
        Map<String, Set<String>> inputsByOutput = new LinkedHashMap<>();
        for (OutputClash clash : clashes) {
            Set<String> inputs = inputsByOutput.computeIfAbsent(clash.output(), o -> new LinkedHashSet<>());
            inputs.add(local(clash.spec().input()));
            inputs.add(local(clash.other().input()));
        }
        StringBuilder message = new StringBuilder(clashes.size() + " inputs would write the same output as another; nothing was run:");
        inputsByOutput.entrySet().stream().limit(20).forEach(clash -> message.append(String.format(
                "%n  %s would %swrite %s", String.join(" and ", clash.getValue()), clash.getValue().size() > 2 ? "all " : "both ",
                local(clash.getKey()))));
        if (inputsByOutput.size() > 20) {
            message.append(String.format("%n  ... and %d more outputs", inputsByOutput.size() - 20));
        }
        message.append(String.format("%nRename all but one of each group, or give them separate runs with different --out folders."));
        throw new IllegalArgumentException(message.toString());
    }

    private static String local(String fileUri) {
        return Path.of(URI.create(fileUri)).toString();
    }

    /**
     * One spec per image: folders are listed as the submit function lists a prefix (recursively, in name
     * order, hidden files and the output folder left out), keeping their sub-folders in the output.
     */
    private List<JobSpec> specs(Recipe chosen) {
        Path outRoot = out.toAbsolutePath().normalize();
        LocalFolderBlobStore files = new LocalFolderBlobStore(outRoot);
        List<JobSpec> specs = new ArrayList<>();
        for (String input : inputs) {
            Path base = Path.of(input).toAbsolutePath().normalize();
            if (!Files.exists(base)) {
                throw new IllegalArgumentException("no such file or folder: " + input);
            }
            boolean folder = Files.isDirectory(base);
            for (String uri : files.list(base.toUri().toString())) {
                Path file = Path.of(URI.create(uri));
                if (!folder) {
                    specs.add(spec(file, outRoot, chosen));
                } else if (isImageName(file) && !file.startsWith(outRoot)) {
                    specs.add(spec(file, outRoot.resolve(base.relativize(file.getParent())), chosen));
                }
            }
        }
        return specs;
    }

    /** One job per INPUT, its args INPUT then the --arg values; outputs straight under --out, named after the job. */
    private List<JobSpec> argsOnlySpecs(Recipe chosen) {
        String output = folderUri(out.toAbsolutePath().normalize());
        return inputs.stream().map(arg -> {
            List<String> jobArgs = new ArrayList<>(List.of(arg));
            jobArgs.addAll(args);
            return JobSpec.of("", null, output, chosen, jobArgs);
        }).toList();
    }

    private JobSpec spec(Path file, Path folder, Recipe chosen) {
        return JobSpec.of("", file.toUri().toString(), LocalFolderBlobStore.version(file), folderUri(folder), chosen, args);
    }

    /** Path.toUri() ends a folder with "/" only once it exists: make the id the same before and after. */
    private static String folderUri(Path folder) {
        String uri = folder.toUri().toString();
        return uri.endsWith("/") ? uri : uri + "/";
    }

    private static boolean isImageName(Path file) {
        return IMAGE_EXTENSIONS.contains(extension(file.getFileName().toString()));
    }

    /** The lower-case extension after the last dot of a name or URI, without the dot; "" for none. */
    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 && dot > name.lastIndexOf('/') ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }
}
