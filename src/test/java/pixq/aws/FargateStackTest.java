package pixq.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import pixq.job.Await;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Capability;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * template.yaml's optional Fargate resources (EnableFargate=true), deployed to moto's CloudFormation with the
 * resources they refer to. Moto runs no SAM transform, and skips what it does not model (the scaling target,
 * policies and alarms): those are checked by cfn-lint only (TemplateTest).
 */
@ExtendWith(Moto.class)
class FargateStackTest {
    private static final Pattern SECTION = Pattern.compile("(?m)^([A-Za-z]+):");
    private static final Pattern RESOURCE = Pattern.compile("(?m)^  ([A-Za-z0-9]+):");

    @Test
    void theFargateResourcesDeployWithTheirQueueRolesTaskAndAServiceAtZeroTasks() throws Exception {
        // given: moto's default VPC and a subnet, and the template's Fargate part
        AwsConnection aws = Moto.connection();
        String vpc;
        String subnet;
        try (Ec2Client ec2 = configure(Ec2Client.builder(), aws).build()) {
            vpc = ec2.createVpc(b -> b.cidrBlock("10.42.0.0/16")).vpc().vpcId();
            subnet = ec2.createSubnet(b -> b.vpcId(vpc).cidrBlock("10.42.1.0/24")).subnet().subnetId();
        }
        String name = Moto.unique("fargate");
        String body = fargatePart();

        // when
        try (CloudFormationClient cfn = aws.cloudFormation()) {
            cfn.createStack(b -> b.stackName(name).templateBody(body).capabilities(Capability.CAPABILITY_IAM)
                    .parameters(parameter("EnableFargate", "true"), parameter("FargateVpcId", vpc), parameter("FargateSubnets", subnet),
                            parameter("WorkerImageUri", "123456789012.dkr.ecr.us-east-1.amazonaws.com/pixq-worker:1"),
                            parameter("Commands", "myjob=/opt/job/myjob.py")));
            Stack stack = awaitStack(cfn, name);

            // then: created, the long queue dead-letters into its own queue after MaxReceives, visible after the job's limit
            assertEquals("CREATE_COMPLETE", stack.stackStatusAsString(), stack.stackStatusReason());
            Map<String, String> outputs = stack.outputs().stream().collect(Collectors.toMap(o -> o.outputKey(), o -> o.outputValue()));
            Map<QueueAttributeName, String> queue = aws.sqs().getQueueAttributes(b -> b.queueUrl(outputs.get("LongQueueUrl"))
                    .attributeNames(QueueAttributeName.ALL)).attributes();
            assertEquals("4800", queue.get(QueueAttributeName.VISIBILITY_TIMEOUT));
            String dlqArn = aws.sqs().getQueueAttributes(b -> b.queueUrl(outputs.get("LongDeadLetterQueueUrl"))
                    .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
            assertTrue(queue.get(QueueAttributeName.REDRIVE_POLICY).contains(dlqArn), queue.toString());
        }
        // and a Fargate service at zero tasks, running pixq worker on that queue with the commands
        try (EcsClient ecs = configure(EcsClient.builder(), aws).build()) {
            String cluster = ecs.listClusters().clusterArns().stream().filter(c -> c.contains(name)).findFirst().orElseThrow();
            Service service = ecs.describeServices(b -> b.cluster(cluster).services(ecs.listServices(s -> s.cluster(cluster)).serviceArns()))
                    .services().get(0);
            assertEquals(0, service.desiredCount());
            // (moto's CloudFormation drops the service's LaunchType: cfn-lint checks that part)
            ContainerDefinition worker = ecs.describeTaskDefinition(b -> b.taskDefinition(service.taskDefinition()))
                    .taskDefinition().containerDefinitions().get(0);
            assertEquals(List.of("java"), worker.entryPoint());
            assertTrue(worker.command().containsAll(List.of("worker", "--time-limit", "PT3600S")), worker.command().toString());
            assertTrue(worker.environment().stream().anyMatch(e -> e.name().equals("COMMANDS") && e.value().equals("myjob=/opt/job/myjob.py")));
            assertEquals(120, worker.stopTimeout());
        }
    }

    /** template.yaml without the SAM parts moto cannot deploy: its Fargate resources and what they refer to. */
    private static String fargatePart() throws java.io.IOException {
        String template = Files.readString(Path.of("template.yaml"));
        Map<String, String> sections = split(SECTION, template);
        List<String> resources = new ArrayList<>();
        split(RESOURCE, sections.get("Resources")).forEach((id, body) -> {
            if (body.contains("Condition: FargateEnabled") || id.equals("JobTable") || id.equals("OutputBucket")) {
                resources.add(body);
            }
        });
        List<String> outputs = new ArrayList<>();
        split(RESOURCE, sections.get("Outputs")).forEach((id, body) -> {
            if (id.startsWith("Long")) {
                outputs.add(body);
            }
        });
        return String.join("", sections.get("AWSTemplateFormatVersion"), sections.get("Parameters"), sections.get("Mappings"),
                sections.get("Conditions")) + "Resources:\n" + String.join("", resources) + "Outputs:\n" + String.join("", outputs);
    }

    /** The text from each heading to the next, by heading (in order); a section's text starts with its heading. */
    private static Map<String, String> split(Pattern heading, String text) {
        Map<String, String> parts = new java.util.LinkedHashMap<>();
        Matcher m = heading.matcher(text);
        List<Integer> starts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (m.find()) {
            starts.add(m.start());
            names.add(m.group(1));
        }
        starts.add(text.length());
        for (int i = 0; i < names.size(); i++) {
            parts.put(names.get(i), text.substring(starts.get(i), starts.get(i + 1)));
        }
        return parts;
    }

    private static Parameter parameter(String key, String value) {
        return Parameter.builder().parameterKey(key).parameterValue(value).build();
    }

    private static Stack awaitStack(CloudFormationClient cfn, String name) throws InterruptedException {
        Await.until("stack " + name + " to settle", Duration.ofSeconds(60),
                () -> !cfn.describeStacks(b -> b.stackName(name)).stacks().get(0).stackStatusAsString().endsWith("IN_PROGRESS"));
        return cfn.describeStacks(b -> b.stackName(name)).stacks().get(0);
    }

    private static <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, ?>
            & software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, ?>> B configure(B builder, AwsConnection aws) {
        return builder.region(Region.of(aws.region())).endpointOverride(aws.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(UrlConnectionHttpClient.builder());
    }
}
