package pixq.cli;

import pixq.job.MissingTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real AWS CLI as a user runs it: v1 (`aws` on the PATH, pyenv's) or v2 (Debian's awscli, /usr/bin/aws),
 * with dummy credentials and a region. Missing: the test is skipped saying why, or fails under CI=true.
 */
record AwsCli(String executable, boolean isV2) {
    record Result(int exit, String out, String err) {}

    static AwsCli v1() {
        String found = onPath("aws", false);
        return new AwsCli(found, false);
    }

    static AwsCli v2() {
        String found = onPath("/usr/bin/aws", true);
        return new AwsCli(found, true);
    }

    String label() {
        return isV2 ? "v2" : "v1";
    }

    /** v1 is the first `aws` on the PATH that says aws-cli/1; v2 is /usr/bin/aws saying aws-cli/2. */
    private static String onPath(String name, boolean v2) {
        List<String> candidates = new ArrayList<>();
        if (name.startsWith("/")) {
            candidates.add(name);
        } else {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                candidates.add(Path.of(dir, name).toString());
            }
        }
        for (String candidate : candidates) {
            if (Files.isExecutable(Path.of(candidate))) {
                try {
                    Result version = new AwsCli(candidate, v2).run(Path.of("."), "--version");
                    if ((version.out() + version.err()).startsWith(v2 ? "aws-cli/2" : "aws-cli/1")) {
                        return candidate;
                    }
                } catch (IOException | InterruptedException e) {
                    // not this one
                }
            }
        }
        return MissingTool.skipOrFail("AWS CLI " + (v2 ? "v2 (Debian package awscli, /usr/bin/aws, installed by .ci/run)"
                : "v1 (aws on the PATH)") + " not found");
    }

    Result run(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(executable));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().put("AWS_ACCESS_KEY_ID", "test");
        builder.environment().put("AWS_SECRET_ACCESS_KEY", "test");
        builder.environment().put("AWS_DEFAULT_REGION", "us-east-1");
        builder.environment().put("AWS_PAGER", "");
        builder.environment().remove("AWS_PROFILE");
        Path out = Files.createTempFile("aws-out", ".txt");
        Path err = Files.createTempFile("aws-err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("aws " + String.join(" ", args) + " did not finish in 120 s");
        }
        Result result = new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return result;
    }

    /** `aws lambda invoke` against serve: v1 with fileb://, v2 with file:// (raw JSON only with --cli-binary-format). */
    Result invoke(Path dir, int port, String function, String payloadFile, String outFile, String... more) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("lambda", "invoke", "--endpoint-url", "http://127.0.0.1:" + port,
                "--function-name", function));
        if (payloadFile != null) {
            args.addAll(List.of("--payload", (isV2 ? "file://" : "fileb://") + payloadFile));
        }
        if (isV2) {
            args.addAll(List.of("--cli-binary-format", "raw-in-base64-out"));
        }
        args.addAll(List.of(more));
        args.add(outFile);
        return run(dir, args.toArray(String[]::new));
    }
}
