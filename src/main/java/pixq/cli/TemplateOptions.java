package pixq.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;
import pixq.serve.Template;

/** Which template, with which parameter values: for pixq invoke and pixq serve, as for sam. */
final class TemplateOptions {
    @Option(names = {"-t", "--template"}, defaultValue = "template.yaml", description = "Default: ${DEFAULT-VALUE}.")
    Path template;

    @Option(names = "--parameter-overrides", paramLabel = "NAME=VALUE",
            description = "A template parameter's value instead of its default (repeatable), as for sam: Commands=myjob=/opt/job/myjob.py.")
    Map<String, String> overrides = new HashMap<>();

    Template read() throws IOException {
        return Template.read(template, overrides);
    }
}
