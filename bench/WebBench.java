import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import pixq.job.Job;
import pixq.job.JobSpec;
import pixq.local.LocalState;
import pixq.recipe.Recipes;

/**
 * How fast `pixq status --web` answers as a batch grows: for each size, a state folder with one batch of
 * that many job records (90% succeeded, 10% failed over 20 reasons), then the median time of each page's
 * JSON over 7 requests, after one untimed request. Sizes are measured in the same run, so the ratio between
 * the smallest and the largest is the figure to read.
 *
 *   java -cp target/pixq.jar bench/WebBench.java [--sizes 1000,10000]
 */
public class WebBench {
    public static void main(String[] args) throws Exception {
        List<Integer> sizes = List.of(1_000, 10_000);
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println("java -cp target/pixq.jar bench/WebBench.java [--sizes 1000,10000]");
                return;
            } else if (args[i].equals("--sizes")) {
                sizes = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
            } else {
                throw new IllegalArgumentException("unknown option " + args[i] + " (--sizes 1000,10000)");
            }
        }
        System.out.printf("%-40s %s%n", "request (median of 7, ms)", sizes);
        List<String> paths = List.of("api/batches", "api/batch?id=B", "api/batch?id=B&after=LAST", "api/batch?id=B&state=failed",
                "api/gallery?id=B", "api/failures?id=B");
        List<double[]> rows = new ArrayList<>();
        for (int p = 0; p < paths.size(); p++) {
            rows.add(new double[sizes.size()]);
        }
        for (int s = 0; s < sizes.size(); s++) {
            int n = sizes.get(s);
            Path state = Files.createTempDirectory("pixq-webbench-");
            String lastPage = fill(state, n); // the job the last page of 50 starts after
            Process web = new ProcessBuilder("java", "-jar", "target/pixq.jar", "status", "--web", "--port", "0", "--state", state.toString())
                    .redirectErrorStream(true).start();
            try {
                URI base = URI.create(new BufferedReader(new InputStreamReader(web.getInputStream())).readLine().replaceAll(".*(http://\\S+).*", "$1"));
                for (int p = 0; p < paths.size(); p++) {
                    String path = paths.get(p).replace("=B", "=bench").replace("LAST", lastPage);
                    rows.get(p)[s] = median(base.resolve(path));
                }
            } finally {
                web.destroy();
                web.waitFor();
            }
        }
        for (int p = 0; p < paths.size(); p++) {
            StringBuilder line = new StringBuilder(String.format("%-40s", paths.get(p)));
            for (double ms : rows.get(p)) {
                line.append(String.format(" %8.1f", ms));
            }
            System.out.println(line);
        }
    }

    private static String fill(Path state, int n) {
        Instant t0 = Instant.parse("2026-01-01T10:00:00Z");
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            JobSpec spec = JobSpec.of("bench", "file:/photos/IMG_" + i + ".jpg", "file:/out/", Recipes.THUMBNAIL, List.of());
            Instant start = t0.plusMillis(i * 50L);
            Job running = Job.queued(spec, Clock.fixed(t0, ZoneOffset.UTC)).start(Clock.fixed(start, ZoneOffset.UTC), Duration.ofMinutes(2));
            Clock end = Clock.fixed(start.plusMillis(80), ZoneOffset.UTC);
            jobs.add(i % 10 == 0 ? running.fail("reason " + (i % 20), end) : running.succeed(List.of("file:/out/IMG_" + i + "-thumb.jpg"), 0, end));
        }
        try (LocalState local = LocalState.open(state)) {
            local.jobs().insertNew(jobs);
        }
        return jobs.get(n - 51).id();
    }

    private static double median(URI url) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(url).build();
        http.send(request, HttpResponse.BodyHandlers.discarding());
        double[] ms = new double[7];
        for (int i = 0; i < ms.length; i++) {
            long start = System.nanoTime();
            HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
            ms[i] = (System.nanoTime() - start) / 1e6;
            if (answer.statusCode() != 200) {
                throw new IllegalStateException(url + ": " + answer.statusCode() + " " + answer.body());
            }
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }
}
