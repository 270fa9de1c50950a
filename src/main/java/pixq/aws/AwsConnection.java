package pixq.aws;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Where the AWS services are: a region and, for an emulator (moto, LocalStack), an endpoint. Builds the
 * SDK clients the same way for the handlers, the CLI and the tests.
 *
 * @param endpoint null for real AWS
 */
public record AwsConnection(String region, URI endpoint) {

    public AwsConnection {
        if (region == null || region.isBlank()) {
            String fromEnv = System.getenv("AWS_REGION");
            region = fromEnv != null ? fromEnv : "us-east-1";
        }
    }

    /** The Lambda runtime's region and, when AWS_ENDPOINT_URL is set (local invoke), that endpoint. */
    public static AwsConnection fromEnv() {
        String url = System.getenv("AWS_ENDPOINT_URL");
        return new AwsConnection(null, url == null || url.isBlank() ? null : URI.create(url));
    }

    public S3Client s3() {
        // Emulators serve buckets by path, not by virtual host names that would need DNS.
        return configure(S3Client.builder().forcePathStyle(endpoint != null)).build();
    }

    public SqsClient sqs() {
        return configure(SqsClient.builder()).build();
    }

    public DynamoDbClient dynamo() {
        return configure(DynamoDbClient.builder()).build();
    }

    public EventBridgeClient eventBridge() {
        return configure(EventBridgeClient.builder()).build();
    }

    public CloudFormationClient cloudFormation() {
        return configure(CloudFormationClient.builder()).build();
    }

    private <B extends AwsClientBuilder<B, ?> & software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, ?>>
            B configure(B builder) {
        builder.region(Region.of(region)).credentialsProvider(credentials()).httpClientBuilder(UrlConnectionHttpClient.builder());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder;
    }

    private AwsCredentialsProvider credentials() {
        // An emulator accepts any key; real AWS (or an emulator with keys in the environment) uses the usual chain.
        boolean haveKeys = System.getenv("AWS_ACCESS_KEY_ID") != null || System.getenv("AWS_PROFILE") != null;
        if (endpoint != null && !haveKeys) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        }
        return DefaultCredentialsProvider.builder().build();
    }
}
