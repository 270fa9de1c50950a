package pixq.aws;

import java.io.IOException;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

/**
 * An HTTP client that lets one request reach moto at a time. moto_server handles requests on threads with no
 * lock on its DynamoDB tables: two writes to one item at once (two jobs counted in one counter shard) can both
 * succeed while one of them is lost (measured with boto3 against moto 5.2.1: 3 in 100 pairs of transactions,
 * 1 in 100 pairs of UpdateItem, no error returned). DynamoDB itself applies them one after the other, or cancels
 * one with TransactionConflict, which the store tries again. moto has written its answer before the status line
 * arrives, so holding the lock until then is enough.
 */
final class OneRequestAtATime implements SdkHttpClient {
    private static final Object MOTO = new Object();
    private final SdkHttpClient http = UrlConnectionHttpClient.create();

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        ExecutableHttpRequest prepared = http.prepareRequest(request);
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                synchronized (MOTO) {
                    return prepared.call();
                }
            }

            @Override
            public void abort() {
                prepared.abort();
            }
        };
    }

    @Override
    public void close() {
        http.close();
    }
}
