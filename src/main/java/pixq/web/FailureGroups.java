package pixq.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import pixq.job.Job;

/** Failed jobs grouped by their reason, the job's own input named generically, so that one cause makes one group. */
final class FailureGroups {
    /** The jobs that failed for one reason. */
    record Group(String reason, List<Job> jobs) {}

    private FailureGroups() {}

    /** The groups, largest first; groups of one size in the order their first job came. */
    static List<Group> of(List<Job> failed) {
        Map<String, List<Job>> groups = new LinkedHashMap<>();
        failed.forEach(job -> groups.computeIfAbsent(reason(job), r -> new ArrayList<>()).add(job));
        return groups.entrySet().stream()
                .sorted((a, b) -> b.getValue().size() - a.getValue().size())
                .map(group -> new Group(group.getKey(), group.getValue()))
                .toList();
    }

    /** A failure's reason with the job's own input named as "the input". */
    static String reason(Job job) {
        String reason = Objects.requireNonNullElse(job.lastError(), "(no reason recorded)");
        String input = job.spec().input();
        if (input == null) {
            return reason;
        }
        // The input as a URI, as a path, by name and, when encoded, by the raw stem outputs are named after
        // (a plain stem such as "image" could be any word of the reason).
        String raw = input.substring(input.lastIndexOf('/') + 1);
        String stem = raw.lastIndexOf('.') > 0 ? raw.substring(0, raw.lastIndexOf('.')) : raw;
        List<String> forms = stem.contains("%")
                ? List.of(input, JobBlobs.display(input), JobBlobs.name(input), raw, stem)
                : List.of(input, JobBlobs.display(input), JobBlobs.name(input));
        for (String form : forms) {
            reason = reason.replace(form, "<input>");
        }
        return reason;
    }
}
