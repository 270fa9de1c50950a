package pixq.job;

import java.util.ArrayList;
import java.util.List;

/**
 * What a batch costs on AWS at list prices: the worker function's GB-seconds and requests, the job queue's SQS
 * requests, the job table's DynamoDB writes and reads, and S3's GETs and PUTs. Pure arithmetic over a batch's
 * counts and durations ({@link Usage}) and the worker's deployment ({@link Deployment}); free tiers, storage,
 * transfer, logs, the submit function and the queue's empty polls are left out (they do not grow per image).
 *
 * <p>Requests per job, as the code makes them: SQS one SendMessageBatch per 10 jobs, then per invocation one
 * receive and one delete batch (Lambda's event source mapping); DynamoDB a transaction per state change (the job's
 * record and its batch's counter item, each billed twice: queued, running, finished) and one plain write when its
 * message is sent, and a strongly consistent read per attempt; S3 one GET per attempt and one PUT per output.
 */
public record CostModel(Prices prices, Deployment deployment) {
    /** SendMessageBatch takes at most 10 messages. */
    static final int SEND_BATCH = 10;
    /** Lambda gives one full vCPU at 1,769 MB, CPU in proportion to memory. */
    static final double MB_PER_VCPU = 1769;

    /** US dollars per unit, list prices. */
    public record Prices(String name, double perGbSecond, double perRequest, double perSqsRequest, double perWriteUnit,
                         double perReadUnit, double perPut, double perGet) {}

    /**
     * us-east-1 list prices (aws.amazon.com/lambda/pricing, /sqs/pricing, /dynamodb/pricing/on-demand, /s3/pricing;
     * DynamoDB's on-demand rates as cut on 2024-11-01), as of 2026-12-06: Lambda $0.0000166667 per GB-s on x86_64,
     * $0.0000133334 on arm64, $0.20 per million requests; SQS standard $0.40 per million requests; DynamoDB on-demand
     * $0.625 per million write and $0.125 per million read request units; S3 Standard $0.005 per 1,000 PUTs and
     * $0.0004 per 1,000 GETs.
     */
    public static final Prices X86_64 = new Prices("us-east-1 x86_64", 0.0000166667, 0.20e-6, 0.40e-6, 0.625e-6, 0.125e-6,
            0.005e-3, 0.0004e-3);
    public static final Prices ARM64 = new Prices("us-east-1 arm64", 0.0000133334, 0.20e-6, 0.40e-6, 0.625e-6, 0.125e-6,
            0.005e-3, 0.0004e-3);

    /**
     * The worker function as deployed: its memory, the messages per invocation, and how many jobs it runs side
     * by side (the worker's parallelism, at most the batch size).
     */
    public record Deployment(int memoryMb, int batchSize, int lanes) {
        /** template.yaml's defaults: 3,008 MB, 4 messages per invocation, 2 jobs at once (Lambda's 2 cores there). */
        public static final Deployment TEMPLATE = new Deployment(3008, 4, 2);

        public Deployment {
            if (memoryMb < 128 || batchSize < 1 || lanes < 1) {
                throw new IllegalArgumentException("memory >= 128 MB, batch size and lanes >= 1");
            }
        }

        /** The share of a vCPU one lane gets when all lanes run (1 at most). */
        double laneCpu() {
            return Math.min(1, memoryMb / MB_PER_VCPU / Math.min(lanes, batchSize));
        }
    }

    /**
     * A batch's counts: jobs, attempts (deliveries to the worker), outputs written, the seconds its jobs ran in
     * the function summed over the jobs (each from start to finish), and the size of one job record in KB (DynamoDB
     * bills a write per KB started).
     */
    public record Usage(long jobs, long attempts, long outputs, double jobSeconds, int recordKb) {
        public Usage {
            if (jobs < 0 || attempts < jobs || outputs < 0 || jobSeconds < 0 || recordKb < 1) {
                throw new IllegalArgumentException("jobs <= attempts, nothing negative, records of 1 KB or more");
            }
        }

        /** The usage of finished jobs, from their records. */
        public static Usage of(List<Job> jobs) {
            long attempts = 0;
            long outputs = 0;
            double seconds = 0;
            int kb = 1;
            for (Job job : jobs) {
                attempts += Math.max(1, job.attempts());
                outputs += job.outputs().size();
                if (job.startedAt() != null && job.finishedAt() != null) {
                    seconds += (job.finishedAt().toEpochMilli() - job.startedAt().toEpochMilli()) / 1000.0;
                }
                kb = Math.max(kb, recordKb(job));
            }
            return new Usage(jobs.size(), attempts, outputs, seconds, kb);
        }

        /** A finished batch's usage, read a page of records at a time. */
        public static Usage ofBatch(JobStore store, String batchId) {
            List<Job> all = new ArrayList<>();
            String after = null;
            while (true) {
                List<Job> page = store.listAfter(batchId, null, after, 500);
                all.addAll(page);
                if (page.size() < 500) {
                    return of(all);
                }
                after = page.get(page.size() - 1).id();
            }
        }

        /** Jobs that used {@code cpuSecondsPerJob} of CPU each and waited {@code waitSecondsPerJob} on S3 and DynamoDB. */
        public static Usage fromCpu(long jobs, int outputsPerJob, double cpuSecondsPerJob, double waitSecondsPerJob,
                                    Deployment deployment, int recordKb) {
            double perJob = cpuSecondsPerJob / deployment.laneCpu() + waitSecondsPerJob;
            return new Usage(jobs, jobs, jobs * outputsPerJob, jobs * perJob, recordKb);
        }

        /** A record's size as stored: its spec and outputs plus some 300 bytes of states, times and names. */
        static int recordKb(Job job) {
            long bytes = job.spec().toJson().length() + 300L + job.outputs().stream().mapToLong(String::length).sum();
            return (int) ((bytes + 1023) / 1024);
        }
    }

    /** Each service's share in US dollars. */
    public record Estimate(double lambdaCompute, double lambdaRequests, double sqs, double dynamo, double s3) {
        public double total() {
            return lambdaCompute + lambdaRequests + sqs + dynamo + s3;
        }
    }

    public Estimate estimate(Usage u) {
        long invocations = (u.attempts() + deployment.batchSize() - 1) / deployment.batchSize();
        // Lanes run side by side, so the function's billed time is the jobs' summed time over the lanes.
        double gbSeconds = deployment.memoryMb() / 1024.0 * u.jobSeconds() / Math.min(deployment.lanes(), deployment.batchSize());
        long sqsRequests = (u.jobs() + SEND_BATCH - 1) / SEND_BATCH + 2 * invocations;
        long transactionUnits = 2L * (u.recordKb() + 1);
        long writeUnits = u.jobs() * (transactionUnits + u.recordKb()) + u.attempts() * 2 * transactionUnits;
        long readUnits = u.attempts() * ((u.recordKb() + 3) / 4);
        return new Estimate(gbSeconds * prices.perGbSecond(), invocations * prices.perRequest(), sqsRequests * prices.perSqsRequest(),
                writeUnits * prices.perWriteUnit() + readUnits * prices.perReadUnit(),
                u.outputs() * prices.perPut() + u.attempts() * prices.perGet());
    }

    /** One line: the total, per 1,000 jobs, each service's share, and the deployment assumed. */
    public String line(Usage u) {
        Estimate e = estimate(u);
        double perThousand = u.jobs() == 0 ? 0 : e.total() * 1000 / u.jobs();
        return String.format("estimated cost at %s list prices: $%.4f for %d jobs, $%.4f per 1,000 (Lambda $%.4f + $%.4f "
                        + "requests, SQS $%.4f, DynamoDB $%.4f, S3 $%.4f; worker at %d MB, %d jobs per invocation, %d at once)",
                prices.name(), e.total(), u.jobs(), perThousand, e.lambdaCompute(), e.lambdaRequests(), e.sqs(), e.dynamo(), e.s3(),
                deployment.memoryMb(), deployment.batchSize(), deployment.lanes());
    }
}
