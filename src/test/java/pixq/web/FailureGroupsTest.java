package pixq.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static pixq.job.JobBuilders.aJob;
import static pixq.job.JobBuilders.aSpec;

import java.util.List;
import org.junit.jupiter.api.Test;
import pixq.job.Job;
import pixq.job.JobState;

/** One cause makes one group, whichever input it names and however the name is written. */
class FailureGroupsTest {

    private static Job failed(String input, String reason) {
        return aJob().spec(aSpec().input(input)).state(JobState.FAILED).lastError(reason).build();
    }

    @Test
    void theLargestGroupComesFirstAndGroupsOfOneSizeKeepTheOrderTheyCameIn() {
        List<Job> jobs = List.of(
                failed("file:/in/a.jpg", "not an image"),
                failed("file:/in/b.jpg", "too large"),
                failed("file:/in/c.jpg", "cannot read /in/c.jpg: permission denied"),
                failed("s3://bucket/d.jpg", "cannot read s3://bucket/d.jpg: permission denied"));

        List<FailureGroups.Group> groups = FailureGroups.of(jobs);

        assertEquals(List.of("cannot read <input>: permission denied", "not an image", "too large"),
                groups.stream().map(FailureGroups.Group::reason).toList());
        assertEquals(List.of(jobs.get(2), jobs.get(3)), groups.get(0).jobs());
    }

    @Test
    void anEncodedInputIsLeftOutByItsRawStemTooAndAJobWithoutReasonSaysSo() {
        Job encoded = failed("file:/in/IMG%201.jpg", "IMG%201-thumb.jpg would overwrite IMG%201-thumb.jpg");
        Job silent = failed("file:/in/x.jpg", null);

        assertEquals("<input>-thumb.jpg would overwrite <input>-thumb.jpg", FailureGroups.reason(encoded));
        assertEquals("(no reason recorded)", FailureGroups.reason(silent));
    }
}
