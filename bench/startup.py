#!/usr/bin/python3
"""pixq's start-up and small batches, every configuration once per round, interleaved (issue 7).

  /usr/bin/python3 bench/startup.py [--rounds 5] [--corpus ../shared/corpus] [--only run1,worker,corpus]

Run from the repository after `mvn -B package -DskipTests`. Three groups:
  run1    `pixq run` on one image (samples/landscape.jpg), fresh state each time: ms from exec to the first byte
          the CLI prints (its "batch ..." line, after the jobs are submitted) and to its exit; CPU seconds.
  worker  the worker function's init as Lambda times it (its Init Duration): ms from exec until Lambda's runtime
          client asks a stand-in Runtime API for the first invocation (class loading, SDK clients, OpenCV's
          natives), for functions/worker/Dockerfile's ENTRYPOINT and CMD on its COPY layout (its training RUN
          run first, untimed), with and without the AOT cache; and the fat jar the old image ran.
  corpus  `./pixq run CORPUS --recipe thumbnail --workers 2` against bench/pillow_thumbnail.py (Pillow's
          thumbnail() in a Pool(2)) on the same corpus: wall and CPU seconds of the whole process tree.
Prints a markdown table of medians (min-max) and ratios; raw JSON lines go to bench/results/startup-<date>.jsonl.
"""
import argparse
import datetime
import http.server
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
J17 = shutil.which("java")
J25 = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"
IMAGE = os.path.join(ROOT, "samples", "landscape.jpg")
WORKER_ENV = {"TABLE_NAME": "jobs", "AWS_REGION": "us-east-1", "OPENCV_LOG_LEVEL": "ERROR"}


def timed(cmd, env=None):
    """Runs cmd; returns ms to its first output byte, ms to exit, CPU s of it and its children, its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    first = p.stdout.read(1)
    t1 = time.perf_counter()
    rest = p.stdout.read()
    p.wait()
    t2 = time.perf_counter()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    out = (first + rest).decode(errors="replace")
    if p.returncode != 0:
        sys.exit(f"{cmd} exited {p.returncode}:\n{out}")
    return {"first_ms": (t1 - t0) * 1000, "exit_ms": (t2 - t0) * 1000, "cpu_s": cpu, "output": out[-400:]}


def run1_configs(tmp):
    jar = os.path.join(ROOT, "target", "pixq.jar")
    launcher = os.path.join(ROOT, "pixq")
    def args(i):
        return ["run", IMAGE, "--out", f"{tmp}/o{i}", "--state", f"{tmp}/s{i}"]
    def empty_cache(i):
        return f"-Dorg.bytedeco.javacpp.cachedir={tmp}/cache{i}"
    path25 = {"PATH": os.path.dirname(J25) + os.pathsep + os.environ["PATH"]}
    return {
        "java -jar, natives unpacked into an empty cache (JDK 17)": lambda i: timed([J17, empty_cache(i), "-jar", jar] + args(i)),
        "java -jar, JavaCPP cache filled (JDK 17)": lambda i: timed([J17, "-jar", jar] + args(i)),
        "./pixq: natives in place, class-data archive, C2 for the engine only (JDK 17)": lambda i: timed([launcher] + args(i)),
        "./pixq: natives in place, class-data archive, C2 for the engine only (JDK 25)": lambda i: timed([launcher] + args(i), path25),
    }


def image_layout(tmp):
    """functions/worker/Dockerfile's COPY lines under tmp/root (its /), its training RUN run there; returns a function
    turning an exec-form instruction of the Dockerfile into a command on that layout (JDK 25 for its java)."""
    root = os.path.join(tmp, "root")
    dockerfile = open(os.path.join(ROOT, "functions", "worker", "Dockerfile")).read()
    def command(words):
        return [J25 if w == "java" else w.replace("/opt/", root + "/opt/") for w in words]
    for src, dst in re.findall(r"(?m)^COPY (\S+) (\S+)$", dockerfile):
        src, dst = os.path.join(ROOT, src), root + dst
        if os.path.isdir(src):
            shutil.copytree(src, dst, symlinks=True, dirs_exist_ok=True)
        else:
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy(src, dst)
            if src.endswith(("classpath", "jvm.options")):  # argument files naming /opt/... paths
                open(dst, "w").write(open(src).read().replace("/opt/", root + "/opt/"))
    exec_forms = {(name, i): json.loads(words) for i, (name, words) in enumerate(re.findall(r"(?m)^(RUN|ENTRYPOINT|CMD) (\[.*\])$", dockerfile))}
    training = next(w for (name, _), w in exec_forms.items() if name == "RUN" and any("AOTCacheOutput" in x for x in w))
    entry = next(w for (name, _), w in exec_forms.items() if name == "ENTRYPOINT")
    cmd = next(w for (name, _), w in exec_forms.items() if name == "CMD")
    subprocess.run(command(training), check=True, capture_output=True)
    return command(entry) + cmd


def until_first_next(cmd, env):
    """Lambda's Init Duration: ms from exec until the runtime client asks its Runtime API for the first invocation
    (a stand-in API on loopback answers nothing and ends the process then); CPU s of the process until then."""
    asked = threading.Event()
    class Api(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.endswith("/invocation/next"):
                asked.set()
        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {**os.environ, **env, "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_address[1]}",
           "_HANDLER": cmd[-1], "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1769"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    ok = asked.wait(120)
    init_ms = (time.perf_counter() - t0) * 1000
    p.kill()
    out = p.communicate()[0].decode(errors="replace")
    server.shutdown()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if not ok:
        sys.exit(f"{cmd} never asked for an invocation:\n{out}")
    return {"init_ms": init_ms, "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), "output": out[-400:]}


def worker_configs(tmp):
    entry = image_layout(tmp)
    no_cache = [w for w in entry if not w.startswith("-XX:AOTCache=")]
    fat = os.path.join(ROOT, "target", "pixq.jar")
    runtime_client = os.path.join(ROOT, "target", "lambda-runtime", "*")
    return {
        "before: the fat jar, natives unpacked into an empty /tmp cache, C1 only (JDK 17, as Lambda's java21 image ran it)":
            lambda i: until_first_next([J17, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", f"-Dorg.bytedeco.javacpp.cachedir={tmp}/wcache{i}",
                                        "-cp", fat + os.pathsep + runtime_client, "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", entry[-1]], WORKER_ENV),
        "the previous image: Lambda's Java 21 base image layout, natives in place, C1 only (JDK 17, no archive)":
            lambda i: until_first_next([J17, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dorg.bytedeco.javacpp.pathsFirst=true",
                                        "-Dorg.bytedeco.javacpp.cacheLibraries=false", "-cp", os.path.join(ROOT, "target", "worker", "lib", "*"),
                                        "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", entry[-1]],
                                       {**WORKER_ENV, "LD_LIBRARY_PATH": os.path.join(ROOT, "target", "worker", "natives")}),
        "the image's entry point without its AOT cache (JDK 25)": lambda i: until_first_next(no_cache, WORKER_ENV),
        "the image's entry point as shipped: its AOT cache from the build's training run (JDK 25)": lambda i: until_first_next(entry, WORKER_ENV),
    }


def corpus_configs(tmp, corpus):
    launcher = os.path.join(ROOT, "pixq")
    path25 = {"PATH": os.path.dirname(J25) + os.pathsep + os.environ["PATH"]}
    pillow = ["/usr/bin/python3", os.path.join(ROOT, "bench", "pillow_thumbnail.py"), corpus]
    def pixq(i, env=None):
        return timed([launcher, "run", corpus, "--recipe", "thumbnail", "--workers", "2",
                      "--out", f"{tmp}/co{i}", "--state", f"{tmp}/cs{i}"], env)
    return {
        "Pillow thumbnail() first (draft shrink-on-load), Pool(2)": lambda i: timed(pillow + [f"{tmp}/po{i}"]),
        "Pillow exif_transpose() then thumbnail() (the rq job's order), Pool(2)": lambda i: timed(pillow + [f"{tmp}/pt{i}", "--transpose-first"]),
        "./pixq run --recipe thumbnail --workers 2 (JDK 17)": lambda i: pixq(i),
        "./pixq run --recipe thumbnail --workers 2 (JDK 25)": lambda i: pixq(i, path25),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus"))
    ap.add_argument("--only", default="run1,worker,corpus")
    a = ap.parse_args()
    groups = a.only.split(",")
    tmp = tempfile.mkdtemp(prefix="pixq-startup.")
    # Untimed warm-up: the launcher writes its archives, the JavaCPP cache is filled, the page cache is warm.
    for java in (J17, J25):
        env = {**os.environ, "PATH": os.path.dirname(java) + os.pathsep + os.environ["PATH"]}
        subprocess.run([os.path.join(ROOT, "pixq"), "run", IMAGE, "--out", f"{tmp}/w", "--state", f"{tmp}/ws"], env=env, check=True, capture_output=True)
        shutil.rmtree(f"{tmp}/ws")
    configs = {}
    if "run1" in groups:
        configs.update({("run1", k): v for k, v in run1_configs(tmp).items()})
    if "worker" in groups:
        configs.update({("worker", k): v for k, v in worker_configs(tmp).items()})
    if "corpus" in groups:
        configs.update({("corpus", k): v for k, v in corpus_configs(tmp, os.path.abspath(a.corpus)).items()})
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    raw = os.path.join(ROOT, "bench", "results", "startup-" + datetime.datetime.now().strftime("%Y%m%d-%H%M%S") + ".jsonl")
    results = {k: [] for k in configs}
    with open(raw, "w") as f:
        for r in range(a.rounds):
            for i, (key, fn) in enumerate(configs.items()):
                m = fn(f"{r}-{i}")
                m.update({"group": key[0], "config": key[1], "round": r, "load1": os.getloadavg()[0]})
                results[key].append(m)
                f.write(json.dumps(m) + "\n")
                f.flush()
            print(f"round {r + 1}/{a.rounds} done", file=sys.stderr)
    report(results, raw)
    shutil.rmtree(tmp)


def med(xs):
    return f"{statistics.median(xs):.0f} ({min(xs):.0f}-{max(xs):.0f})"


def ratio(name, runs, base, base_runs):
    """How many times faster name is than base: ratio of the medians, and the per-round ratios' range."""
    wall = [b["exit_ms"] / r["exit_ms"] for b, r in zip(base_runs, runs)]
    cpu = [b["cpu_s"] / r["cpu_s"] for b, r in zip(base_runs, runs)]
    of_medians = statistics.median(b["exit_ms"] for b in base_runs) / statistics.median(r["exit_ms"] for r in runs)
    return (f"\n{name} vs {base}: wall {of_medians:.2f}x (per round {min(wall):.2f}-{max(wall):.2f}),"
            f" CPU {statistics.median(cpu):.2f}x (per round {min(cpu):.2f}-{max(cpu):.2f})")


def report(results, raw):
    print(f"raw: {raw}\n")
    for group, cols in (("run1", ("first_ms", "exit_ms")), ("worker", ("init_ms",)), ("corpus", ("exit_ms",))):
        rows = {k[1]: v for k, v in results.items() if k[0] == group}
        if not rows:
            continue
        print(f"| {group} | " + " | ".join(f"{c} median (min-max)" for c in cols) + " | CPU s median | load avg (max) |")
        print("|---" * (len(cols) + 3) + "|")
        for name, ms in rows.items():
            print(f"| {name} | " + " | ".join(med([m[c] for m in ms]) for c in cols)
                  + f" | {statistics.median(m['cpu_s'] for m in ms):.2f} | {max(m['load1'] for m in ms):.1f} |")
        if group == "corpus":  # the first two rows are Pillow's, the others pixq's
            names = list(rows)
            for base in names[:2]:
                for name in names[2:]:
                    print(ratio(name, rows[name], base, rows[base]))
        print()


if __name__ == "__main__":
    main()
