import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import pixq.image.EngineConfig;
import pixq.image.ImageEngine;
import pixq.image.OpenCvImageEngine;
import pixq.image.Rendition;
import pixq.recipe.Recipe;
import pixq.recipe.Recipes;

/**
 * pixq's engine benchmark: plain Java, no JMH (the work per call is 50–500 ms of native code, so JIT warm-up
 * and dead-code elimination, what JMH guards against, do not matter; a warm-up pass is enough).
 *
 * <p>Usage: {@link #USAGE}.
 */
public class Bench {
    static final String USAGE = """
            java -cp target/pixq.jar bench/Bench.java [--corpus ../shared/corpus] [--threads 1,2] [--runs 3]
                 [--workloads fit1024,web] [--json FILE]      throughput of the engine, in-process
            ... Bench.java --make-big FILE                    writes a 50 MP JPEG of noise and gradients
            ... Bench.java --one FILE [--recipe R]            one file through the engine (default fit 1024, q85): time, peak RSS
            ... Bench.java --profile N [--target PX]          decode / resize / encode split on N corpus images, the reduced
                                                              decode at the largest DCT scale leaving PX on the long side (1024)
            ... Bench.java --report FILE.jsonl                the table bench/run.sh prints""";
    static final ObjectMapper JSON = new ObjectMapper();
    /** Workload name to recipe, in the order they run. */
    static final Map<String, String> WORKLOADS = new LinkedHashMap<>();

    static {
        WORKLOADS.put("fit1024", "orient | fit 1024x1024 | jpeg 85");
        WORKLOADS.put("web", "web");
        WORKLOADS.put("thumbnail", "thumbnail");
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = options(argv);
        if (a.containsKey("--make-big")) {
            makeBig(Path.of(a.get("--make-big")));
        } else if (a.containsKey("--one")) {
            one(Path.of(a.get("--one")), a.getOrDefault("--recipe", WORKLOADS.get("fit1024")), a.get("--json"));
        } else if (a.containsKey("--profile")) {
            profile(corpus(a), Integer.parseInt(a.get("--profile")), Integer.parseInt(a.getOrDefault("--target", "1024")));
        } else if (a.containsKey("--report")) {
            Report.print(Path.of(a.get("--report")));
        } else {
            throughput(a);
        }
    }

    static final List<String> OPTIONS = List.of("--corpus", "--threads", "--runs", "--workloads", "--json",
            "--make-big", "--one", "--recipe", "--profile", "--target", "--report");

    static Map<String, String> options(String[] argv) {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].equals("--help") || argv[i].equals("-h")) {
                System.out.println(USAGE);
                System.exit(0);
            }
            if (!OPTIONS.contains(argv[i])) {
                throw new IllegalArgumentException("unexpected argument " + argv[i] + "; usage:\n" + USAGE);
            }
            boolean hasValue = i + 1 < argv.length && !argv[i + 1].startsWith("--");
            a.put(argv[i], hasValue ? argv[++i] : "");
        }
        return a;
    }

    static List<Path> corpus(Map<String, String> a) throws IOException {
        Path dir = Path.of(a.getOrDefault("--corpus", "../shared/corpus"));
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(p -> p.toString().matches("(?i).*\\.(jpe?g|png)$")).sorted().toList();
            if (files.isEmpty()) {
                throw new IllegalArgumentException("no .jpg/.png images in " + dir.toAbsolutePath());
            }
            return files;
        }
    }

    /** One engine per JVM, OpenCV limited to 1 thread (process-wide): our own threads are the parallelism. */
    static ImageEngine engine() {
        return new OpenCvImageEngine(EngineConfig.defaults().withOpenCvThreads(1));
    }

    // ---------------------------------------------------------------------------------------------- throughput

    static void throughput(Map<String, String> a) throws Exception {
        List<Path> files = corpus(a);
        int runs = Integer.parseInt(a.getOrDefault("--runs", "3"));
        List<Integer> threadCounts = Arrays.stream(a.getOrDefault("--threads", "1,2").split(","))
                .map(String::strip).map(Integer::valueOf).toList();
        List<String> workloads = List.of(a.getOrDefault("--workloads", String.join(",", WORKLOADS.keySet())).split(","));
        ImageEngine engine = engine();
        Path out = Files.createTempDirectory("pixq-bench.");
        List<ObjectNode> results = new ArrayList<>();
        for (String w : workloads) {
            Recipe recipe = Recipes.resolve(WORKLOADS.getOrDefault(w, w));
            Path dir = Files.createDirectories(out.resolve(w));
            for (int threads : threadCounts) {
                Pass warm = pass(engine, recipe, files, dir, threads);   // untimed: page cache, JIT, codec tables
                int off = checkSizes(files, dir, recipe);
                List<Pass> timed = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    timed.add(pass(engine, recipe, files, dir, threads));
                }
                ObjectNode res = JSON.createObjectNode()
                        .put("tool", "pixq-engine").put("workload", w).put("recipe", recipe.name())
                        .put("threads", threads).put("images", files.size()).put("runs", runs)
                        .put("images_per_s_median", round(median(timed.stream().map(p -> files.size() / p.wallS).toList())))
                        .put("ms_per_image_median", round(median(timed.stream().map(p -> median(p.ms)).toList())))
                        .put("images_per_cpu_s_median", round(median(timed.stream().map(p -> files.size() / p.cpuS).toList())))
                        .put("opencv_threads", opencv_core.getNumThreads())
                        .put("outputs_per_image", warm.renditions / files.size())
                        .put("outputs_wrong_size", off)
                        .put("java", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.version"))
                        .put("available_processors", Runtime.getRuntime().availableProcessors());
                timed.forEach(p -> res.withArray("images_per_s_runs").add(round(files.size() / p.wallS)));
                results.add(res);
                System.err.printf("pixq engine %-7s %d thread(s): %.2f images/s, median %.0f ms/image%n", w, threads,
                        res.get("images_per_s_median").asDouble(), res.get("ms_per_image_median").asDouble());
            }
        }
        double rss = peakRssMb();   // the whole JVM, warm-up included; one figure for all the configurations above
        for (ObjectNode res : results) {
            res.put("peak_rss_mb", rss);
            emit(res, a.get("--json"));
        }
        deleteTree(out);
    }

    record Pass(double wallS, double cpuS, List<Double> ms, int renditions) {}

    /** CPU time of the whole JVM (all threads, GC and JIT included), as the other tools count their process. */
    static double processCpuS() {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os.getProcessCpuTime() / 1e9;
    }

    /** Every file once, through a pool of {@code threads}; read and write included, as the other tools do. */
    static Pass pass(ImageEngine engine, Recipe recipe, List<Path> files, Path out, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        List<Double> ms = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger renditions = new AtomicInteger();
        double cpu0 = processCpuS();
        long t0 = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(pool.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < files.size(); ) {
                    long s = System.nanoTime();
                    Path f = files.get(i);
                    String stem = f.getFileName().toString().replaceFirst("\\.[^.]*$", "");
                    for (Rendition r : engine.render(Files.readAllBytes(f), recipe, List.of())) {
                        Files.write(out.resolve(stem + r.suffix()), r.bytes());
                        renditions.incrementAndGet();
                    }
                    ms.add((System.nanoTime() - s) / 1e6);
                }
                return null;
            }));
        }
        for (Future<?> w : workers) {
            w.get();   // rethrows the first failure: a benchmark of failed images would be meaningless
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = processCpuS() - cpu0;
        pool.shutdown();
        return new Pass(wall, cpu, List.copyOf(ms), renditions.get());
    }

    /**
     * Outputs whose long side is not min(box, source's long side): the box is 1024, or for web the number in
     * the output's name (-1600, -800, -320). Decoded at 1/8 scale: cheap, and exact to ±8 px.
     */
    static int checkSizes(List<Path> files, Path out, Recipe recipe) {
        int off = 0;
        for (Path f : files) {
            int srcLong = longSideAtOneEighth(f);
            String stem = f.getFileName().toString().replaceFirst("\\.[^.]*$", "");
            for (var o : recipe.outputs()) {
                int box = o.name().matches("-\\d+") ? Integer.parseInt(o.name().substring(1)) : 1024;
                int got = longSideAtOneEighth(out.resolve(stem + o.suffix()));
                if (Math.abs(got - Math.min(box, srcLong)) > 8) {
                    System.err.println("wrong size: " + stem + o.suffix() + " long side ~" + got + ", want " + Math.min(box, srcLong));
                    off++;
                }
            }
        }
        return off;
    }

    static int longSideAtOneEighth(Path p) {
        Mat m = opencv_imgcodecs.imread(p.toString(), opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_8);
        int side = Math.max(m.cols(), m.rows()) * 8;
        m.release();
        return side;
    }

    // ------------------------------------------------------------------------------------------ 50 MP, memory

    /** A 50 MP JPEG (8660×5773) of gradients plus noise, so it neither compresses nor decodes trivially. */
    static void makeBig(Path file) {
        int w = 8660, h = 5773;
        byte[] px = new byte[w * h * 3];
        Random rnd = new Random(42);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                int n = rnd.nextInt(48) - 24;
                px[i] = (byte) clamp(x * 255 / w + n);
                px[i + 1] = (byte) clamp(y * 255 / h + n);
                px[i + 2] = (byte) clamp(((x / 64 + y / 64) % 2) * 160 + 48 + rnd.nextInt(32));
            }
        }
        Mat m = new Mat(h, w, opencv_core.CV_8UC3);
        m.data().put(px, 0, px.length);
        if (!opencv_imgcodecs.imwrite(file.toString(), m, new IntPointer(opencv_imgcodecs.IMWRITE_JPEG_QUALITY, 90))) {
            throw new IllegalStateException("could not write " + file);
        }
        System.err.printf("wrote %s: %dx%d (%.1f MP), %.1f MB%n", file, w, h, w * (double) h / 1e6, file.toFile().length() / 1e6);
    }

    static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    /** One file through the engine; run it with -Xmx512m for the memory target. */
    static void one(Path file, String recipeSpec, String jsonFile) throws Exception {
        ImageEngine engine = engine();
        Recipe recipe = Recipes.resolve(recipeSpec);
        long t0 = System.nanoTime();
        List<Rendition> out = engine.render(Files.readAllBytes(file), recipe, List.of());
        double ms = (System.nanoTime() - t0) / 1e6;
        Mat m = opencv_imgcodecs.imdecode(new Mat(new BytePointer(out.get(0).bytes())), opencv_imgcodecs.IMREAD_COLOR);
        ObjectNode res = JSON.createObjectNode().put("tool", "pixq-engine-one").put("file", file.toString())
                .put("recipe", recipe.name())
                .put("input_mb", round(file.toFile().length() / 1e6)).put("ms", round(ms))
                .put("output", m.cols() + "x" + m.rows()).put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20)
                .put("peak_rss_mb", peakRssMb())
                .put("java", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.version"));
        System.err.printf("%s -> %s in %.0f ms (first call in this JVM), max heap %d MB, peak RSS %.0f MB%n",
                file, res.get("output").asText(), ms, res.get("max_heap_mb").asLong(), res.get("peak_rss_mb").asDouble());
        emit(res, jsonFile);
    }

    // --------------------------------------------------------------------------------------------- profile

    /**
     * Where a fit-1024 thumbnail's time goes, with the same OpenCV calls an engine makes: full decode vs
     * DCT-scaled decode (IMREAD_REDUCED_*: libjpeg-turbo's shrink-on-load), area resize, JPEG encode. Medians
     * of 3 repetitions per image, one thread, in CPU time of this thread (wall time on a shared machine would
     * count other people's work).
     */
    static void profile(List<Path> files, int n, int target) throws IOException {
        opencv_core.setNumThreads(1);
        System.out.printf("%-40s %9s %6s %9s %8s %8s %8s%n", "image (CPU ms)", "size", "scale", "full dec", "red dec",
                "resize", "encode");
        double[] sum = new double[4];
        for (Path f : files.subList(0, Math.min(n, files.size()))) {
            byte[] bytes = Files.readAllBytes(f);
            Mat buf = new Mat(new BytePointer(bytes));
            double[] t = new double[4];
            int[] dims = new int[3];
            for (int stage = 0; stage < 4; stage++) {
                List<Double> reps = new ArrayList<>();
                for (int r = 0; r < 3; r++) {
                    reps.add(stage(stage, buf, dims, target));
                }
                t[stage] = median(reps);
                sum[stage] += t[stage];
            }
            System.out.printf("%-40s %9s %6s %7.0fms %6.0fms %6.0fms %6.0fms%n", f.getFileName(),
                    dims[0] + "x" + dims[1], "1/" + dims[2], t[0], t[1], t[2], t[3]);
        }
        System.out.printf("%-40s %9s %6s %7.0fms %6.0fms %6.0fms %6.0fms%n", "total", "", "", sum[0], sum[1], sum[2], sum[3]);
    }

    /** Times one stage; dims gets the source size and the reduction factor chosen for a 1024 box. */
    static double stage(int stage, Mat buf, int[] dims, int target) {
        Mat full = opencv_imgcodecs.imdecode(buf, opencv_imgcodecs.IMREAD_COLOR);
        dims[0] = full.cols();
        dims[1] = full.rows();
        int scale = 1;
        while (scale < 8 && Math.max(full.cols(), full.rows()) / (scale * 2) >= target) {
            scale *= 2;
        }
        dims[2] = scale;
        int flag = switch (scale) {
            case 2 -> opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
            case 4 -> opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
            case 8 -> opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
            default -> opencv_imgcodecs.IMREAD_COLOR;
        };
        var cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long t0 = cpu.getCurrentThreadCpuTime();
        Mat m;
        switch (stage) {
            case 0 -> m = opencv_imgcodecs.imdecode(buf, opencv_imgcodecs.IMREAD_COLOR);
            case 1 -> m = opencv_imgcodecs.imdecode(buf, flag);
            default -> {
                Mat src = opencv_imgcodecs.imdecode(buf, flag);
                double s = Math.min(1.0, (double) target / Math.max(src.cols(), src.rows()));
                Mat small = new Mat();
                t0 = cpu.getCurrentThreadCpuTime();
                opencv_imgproc.resize(src, small, new Size((int) Math.round(src.cols() * s), (int) Math.round(src.rows() * s)),
                        0, 0, opencv_imgproc.INTER_AREA);
                if (stage == 3) {
                    t0 = cpu.getCurrentThreadCpuTime();
                    BytePointer jpg = new BytePointer();
                    opencv_imgcodecs.imencode(".jpg", small, jpg, new IntPointer(opencv_imgcodecs.IMWRITE_JPEG_QUALITY, 85));
                    jpg.deallocate();
                }
                m = small;
                src.release();
            }
        }
        double ms = (cpu.getCurrentThreadCpuTime() - t0) / 1e6;
        m.release();
        full.release();
        return ms;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** VmHWM: the process's peak resident set, Java heap plus native (OpenCV's buffers live outside the heap). */
    static double peakRssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return round(Long.parseLong(line.replaceAll("\\D", "")) / 1024.0);
            }
        }
        return -1;
    }

    static void emit(ObjectNode res, String jsonFile) throws IOException {
        String line = JSON.writeValueAsString(res);
        System.out.println(line);
        if (jsonFile != null) {
            Files.writeString(Path.of(jsonFile), line + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        }
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static double round(double x) {
        return Math.round(x * 100) / 100.0;
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Collections.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- report

    /**
     * Reads the JSON lines bench/run.sh collected ({"config", "round", "raw": the tool's own JSON} or
     * {"config", "round", "error"}) and prints medians, min–max and the target ratios.
     */
    static final class Report {
        /** Row label, then the config names run.sh uses. */
        static final String[][] ROWS = {
            {"pixq engine, fit 1024, 1 thread (CPU0)", "engine-1"},
            {"pixq engine, fit 1024, 2 threads", "engine-2"},
            {"pixq engine, web (3 outputs), 1 thread (CPU0)", "engine-1:web"},
            {"pixq engine, web (3 outputs), 2 threads", "engine-2:web"},
            {"pixq engine on Temurin 25, fit 1024, 1 thread (CPU0)", "engine25-1"},
            {"Pillow seed (old job code), 1 process (CPU0)", "pillow-seed-1"},
            {"Pillow seed (old job code), 2 processes", "pillow-seed-2"},
            {"Pillow draft to 2x target + thumbnail LANCZOS, 1 process (CPU0)", "pillow-draft-1"},
            {"Pillow draft to 2x target + thumbnail LANCZOS, 2 processes", "pillow-draft-2"},
            {"Pillow draft to 1x target, 1 process (CPU0)", "pillow-draft1x-1"},
            {"Pillow draft to 1x target, 2 processes", "pillow-draft1x-2"},
            {"vipsthumbnail, one process for all files (CPU0)", "vips-batch-1"},
            {"vipsthumbnail, one process per core, 2 processes", "vips-batch-2"},
            {"pixq run --workers 2 (end to end, wall)", "pixq-run-2"},
            {"rq + Redis + Pillow seed, 2 SimpleWorkers (wall)", "rq-simple-2"},
            {"rq + Redis + Pillow seed, 2 forking workers (wall)", "rq-fork-2"},
        };
        static final String[][] RATIOS = {
            {"engine 1 thread / Pillow seed 1 process (target >= 2)", "engine-1", "pillow-seed-1", "2"},
            {"engine 2 threads / Pillow seed 2 processes", "engine-2", "pillow-seed-2", ""},
            {"engine 1 thread / vips-batch 1 process (target >= 1)", "engine-1", "vips-batch-1", "1"},
            {"engine 2 threads / vips-batch 2 processes", "engine-2", "vips-batch-2", ""},
            {"engine 1 thread / Pillow draft1x 1 process", "engine-1", "pillow-draft1x-1", ""},
            {"engine 1 thread / Pillow draft 2x + LANCZOS 1 process (issue 10: > 1)", "engine-1", "pillow-draft-1", "1"},
            {"engine on Temurin 25 / on this JDK, 1 thread", "engine25-1", "engine-1", ""},
            {"pixq run / rq SimpleWorkers, 2 workers (target >= 2)", "pixq-run-2", "rq-simple-2", "2"},
            {"pixq run / rq forking workers, 2 workers (target >= 2)", "pixq-run-2", "rq-fork-2", "2"},
        };

        static void print(Path file) throws IOException {
            Map<String, Map<Integer, JsonNode>> byConfig = new LinkedHashMap<>();
            Map<String, List<Double>> foreign = new LinkedHashMap<>();
            Map<String, String> errors = new LinkedHashMap<>();
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = JSON.readTree(line);
                String config = n.get("config").asText();
                if (n.has("error")) {
                    errors.merge(config, n.get("error").asText(), (x, y) -> x);
                } else {
                    byConfig.computeIfAbsent(config, k -> new LinkedHashMap<>()).put(n.get("round").asInt(), n.get("raw"));
                    foreign.computeIfAbsent(config, k -> new ArrayList<>()).add(n.path("foreign_cores").asDouble());
                }
            }
            System.out.println("| pipeline | images/s median (min–max) | images per CPU-s median | ms/image median | peak RSS MB | rounds | others' load, cores (max) |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (String[] row : ROWS) {
                Map<Integer, JsonNode> runs = byConfig.getOrDefault(row[1], Map.of());
                if (runs.isEmpty()) {
                    System.out.printf("| %s | not measured: %s | | | | 0 | |%n", row[0], errors.getOrDefault(row[1], "not run"));
                    continue;
                }
                List<Double> ips = runs.values().stream().map(Report::imagesPerS).toList();
                List<Double> ms = runs.values().stream().map(r -> r.has("job_ms_median") ? r.get("job_ms_median").asDouble()
                        : r.path("ms_per_image_median").asDouble(Double.NaN)).toList();
                List<Double> rss = runs.values().stream().map(Report::rssMb).toList();
                List<Double> ipc = runs.values().stream().map(Report::imagesPerCpuS).toList();
                System.out.printf("| %s | %.2f (%.2f–%.2f) | %s | %s | %s | %d | %.2f |%n", row[0], median(ips), Collections.min(ips),
                        Collections.max(ips), fmt(median(ipc), "%.2f"), fmt(median(ms), "%.0f"), fmt(Collections.max(rss), "%.0f"), runs.size(),
                        Collections.max(foreign.get(row[1])));
            }
            System.out.println();
            System.out.println("| ratio (same rounds) | images/s: ratio of medians | per-round min–max | per CPU-s: ratio of medians | target (on images/s) |");
            System.out.println("|---|---|---|---|---|");
            for (String[] r : RATIOS) {
                Map<Integer, JsonNode> num = byConfig.getOrDefault(r[1], Map.of());
                Map<Integer, JsonNode> den = byConfig.getOrDefault(r[2], Map.of());
                List<Double> perRound = new ArrayList<>();
                for (int round : num.keySet()) {
                    if (den.containsKey(round)) {
                        perRound.add(imagesPerS(num.get(round)) / imagesPerS(den.get(round)));
                    }
                }
                if (perRound.isEmpty()) {
                    System.out.printf("| %s | not measured | | | |%n", r[0]);
                    continue;
                }
                double m = median(num.values().stream().map(Report::imagesPerS).toList())
                        / median(den.values().stream().map(Report::imagesPerS).toList());
                String verdict = r[3].isEmpty() ? "" : (m >= Double.parseDouble(r[3]) ? "met" : "MISSED") + " (>= " + r[3] + ")";
                double c = median(num.values().stream().map(Report::imagesPerCpuS).toList())
                        / median(den.values().stream().map(Report::imagesPerCpuS).toList());
                System.out.printf("| %s | %.2f | %.2f–%.2f | %s | %s |%n", r[0], m, Collections.min(perRound),
                        Collections.max(perRound), fmt(c, "%.2f"), verdict);
            }
            System.out.println();
            for (String config : List.of("big-512m", "big-512m-fullres", "big-512m-temurin25")) {
                Map<Integer, JsonNode> big = byConfig.getOrDefault(config, Map.of());
                if (big.isEmpty()) {
                    System.out.println(config + ": not measured: " + errors.getOrDefault(config, "not run"));
                }
                for (JsonNode b : big.values()) {
                    System.out.printf("%s: %.1f MB JPEG, recipe '%s', max heap %d MB: OK -> %s in %.0f ms (first call in a "
                            + "fresh JVM), peak RSS %.0f MB (%s)%n", config, b.get("input_mb").asDouble(),
                            b.get("recipe").asText(), b.get("max_heap_mb").asLong(), b.get("output").asText(),
                            b.get("ms").asDouble(), b.get("peak_rss_mb").asDouble(), b.get("java").asText());
                }
            }
            errors.forEach((c, e) -> System.out.println("\nnote: " + c + ": " + e));
        }

        /** images/s whichever tool wrote it: Bench and the Python drivers give a median, rq one run, pixq run a wall. */
        static double imagesPerS(JsonNode r) {
            if (r.has("images_per_s_median")) {
                return r.get("images_per_s_median").asDouble();
            }
            if (r.has("jobs_per_s")) {
                return r.get("jobs_per_s").asDouble();
            }
            return r.get("images").asDouble() / r.get("wall_s").asDouble();
        }

        static double imagesPerCpuS(JsonNode r) {
            if (r.has("images_per_cpu_s_median")) {
                return r.get("images_per_cpu_s_median").asDouble();
            }
            if (r.has("jobs_per_cpu_s")) {
                return r.get("jobs_per_cpu_s").asDouble();
            }
            return r.has("cpu_s") ? r.get("images").asDouble() / r.get("cpu_s").asDouble() : Double.NaN;
        }

        static double rssMb(JsonNode r) {
            for (String k : List.of("peak_rss_mb", "peak_rss_mb_per_process", "worker_peak_rss_mb", "peak_rss_mb_single_invocation")) {
                if (r.hasNonNull(k)) {
                    return r.get(k).asDouble();
                }
            }
            return Double.NaN;
        }

        static String fmt(double x, String f) {
            return Double.isNaN(x) ? "" : String.format(f, x);
        }
    }
}
