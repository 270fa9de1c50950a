package pixq.aws;

import java.util.Map;
import pixq.job.CompletionClaims;
import pixq.job.StoreException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Claims of batch completions on the batch's registry item in the job table ({@code id} "batch#BATCH", see
 * {@link DynamoJobStore}): a conditional UpdateItem setting {@code manifestFor} to the completion only if it
 * holds an earlier one (or none), so exactly one of the workers that see a batch finish writes its manifest.
 */
public final class DynamoCompletionClaims implements CompletionClaims {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoCompletionClaims(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public boolean claim(String batchId, long completion) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(key(batchId)).updateExpression("SET manifestFor = :n")
                    .conditionExpression("attribute_not_exists(manifestFor) OR manifestFor < :n")
                    .expressionAttributeValues(Map.of(":n", AttributeValue.fromN(Long.toString(completion)))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        } catch (SdkException e) {
            throw new StoreException("DynamoDB table " + table + ": claim the manifest of batch " + batchId + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void release(String batchId, long completion) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(key(batchId)).updateExpression("REMOVE manifestFor")
                    .conditionExpression("manifestFor = :n")
                    .expressionAttributeValues(Map.of(":n", AttributeValue.fromN(Long.toString(completion)))));
        } catch (ConditionalCheckFailedException e) {
            // a later completion claimed it meanwhile: that one writes the manifest
        } catch (SdkException e) {
            throw new StoreException("DynamoDB table " + table + ": release the manifest claim of batch " + batchId + " failed: " + e.getMessage(), e);
        }
    }

    private static Map<String, AttributeValue> key(String batchId) {
        return Map.of("id", AttributeValue.fromS(DynamoJobStore.registryId(batchId)));
    }
}
