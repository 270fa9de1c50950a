package pixq.aws;

import org.junit.jupiter.api.extension.ExtendWith;

/** The end-to-end flow on moto; the same flow runs on LocalStack in {@link LocalStackContractsTest.EndToEnd}. */
@ExtendWith(Moto.class)
class EndToEndTest extends EndToEndContract {
    @Override
    protected AwsConnection connection() {
        return Moto.connection();
    }
}
