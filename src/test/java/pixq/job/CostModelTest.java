package pixq.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.job.JobBuilders.T0;
import static pixq.job.JobBuilders.aSpec;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Figures worked out by hand from the list prices in CostModel's comment. */
@Timeout(10)
class CostModelTest {
    private static final CostModel X86 = new CostModel(CostModel.X86_64, CostModel.Deployment.TEMPLATE);
    /** 1,000 thumbnails, one attempt and one output each, 0.2 s each in the function, records under 1 KB. */
    private static final CostModel.Usage THOUSAND = new CostModel.Usage(1000, 1000, 1000, 200, 1);

    @Test
    void a_thousand_thumbnails_cost_each_service_its_share() {
        CostModel.Estimate e = X86.estimate(THOUSAND);
        // 200 job-seconds over 2 lanes = 100 s at 3008/1024 GB = 293.75 GB-s, at $0.0000166667
        assertEquals(0.004895843, e.lambdaCompute(), 1e-9);
        // 1,000 messages, 4 per invocation: 250 invocations at $0.20 per million
        assertEquals(0.00005, e.lambdaRequests(), 1e-12);
        // 100 send batches + 250 receives + 250 delete batches = 600 requests at $0.40 per million
        assertEquals(0.00024, e.sqs(), 1e-12);
        // per job: 3 transactions of 2 items x 2 units (12) + the sent write (1) = 13,000 WRU at $0.625 per million;
        // 1,000 consistent reads at $0.125 per million
        assertEquals(0.008125 + 0.000125, e.dynamo(), 1e-12);
        // 1,000 PUTs at $0.005 per 1,000 + 1,000 GETs at $0.0004 per 1,000
        assertEquals(0.0054, e.s3(), 1e-12);
        assertEquals(0.018835843, e.total(), 1e-9);
    }

    @Test
    void arm64_bills_the_same_seconds_at_four_fifths_of_the_price() {
        CostModel arm = new CostModel(CostModel.ARM64, CostModel.Deployment.TEMPLATE);
        assertEquals(293.75 * 0.0000133334, arm.estimate(THOUSAND).lambdaCompute(), 1e-12);
        assertEquals(X86.estimate(THOUSAND).dynamo(), arm.estimate(THOUSAND).dynamo(), 1e-15);
    }

    @Test
    void retries_and_larger_records_bill_more_writes_reads_and_gets() {
        // 10 jobs, 15 attempts, 2 KB records: a transaction bills (2 + 1) x 2 = 6 units, a plain write 2;
        // per job the insert's transaction and the sent write, per attempt two transactions
        CostModel.Usage u = new CostModel.Usage(10, 15, 30, 0, 2);
        CostModel.Estimate e = X86.estimate(u);
        long writeUnits = 10 * (6 + 2) + 15 * 12;
        assertEquals(writeUnits * 0.625e-6 + 15 * 0.125e-6, e.dynamo(), 1e-15);
        assertEquals(30 * 0.005e-3 + 15 * 0.0004e-3, e.s3(), 1e-15);
        // 15 attempts in 4 invocations; 1 send batch + 8 = 9 SQS requests
        assertEquals(4 * 0.20e-6, e.lambdaRequests(), 1e-15);
        assertEquals(9 * 0.40e-6, e.sqs(), 1e-15);
    }

    @Test
    void cpu_time_becomes_function_time_at_the_lanes_share_of_a_vcpu() {
        // 3008 MB is 1.7004 vCPUs, 0.8502 per lane: 0.1 CPU-s take 0.11762 s, plus 0.02 s waiting
        CostModel.Usage u = CostModel.Usage.fromCpu(100, 3, 0.1, 0.02, CostModel.Deployment.TEMPLATE, 1);
        assertEquals(100 * (0.1 / (3008 / 1769.0 / 2) + 0.02), u.jobSeconds(), 1e-9);
        assertEquals(300, u.outputs());
        // with a full vCPU per lane or more, CPU time is function time
        CostModel.Usage big = CostModel.Usage.fromCpu(1, 1, 0.1, 0, new CostModel.Deployment(10240, 4, 2), 1);
        assertEquals(0.1, big.jobSeconds(), 1e-12);
    }

    @Test
    void a_batch_usage_comes_from_its_records() {
        Job once = new Job(aSpec().input("s3://in/a.jpg").build(), JobState.SUCCEEDED, 1, null, T0, T0.plusMillis(1000),
                T0.plusMillis(1250), List.of("s3://out/a-thumb.jpg"), null, null, 0);
        Job twice = new Job(aSpec().input("s3://in/b.jpg").build(), JobState.FAILED, 2, "bad", T0, T0.plusMillis(2000),
                T0.plusMillis(2500), List.of(), null, null, 0);
        CostModel.Usage u = CostModel.Usage.of(List.of(once, twice));
        assertEquals(new CostModel.Usage(2, 3, 1, 0.75, 1), u);
        String total = String.format("$%.4f for 2 jobs", X86.estimate(u).total());
        assertTrue(X86.line(u).contains(total), X86.line(u));
    }

    @Test
    void impossible_usage_is_refused() {
        assertThrows(IllegalArgumentException.class, () -> new CostModel.Usage(2, 1, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new CostModel.Deployment(3008, 0, 2));
    }
}
