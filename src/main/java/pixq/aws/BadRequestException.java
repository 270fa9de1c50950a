package pixq.aws;

/** A submission the submit function cannot read: the caller sees this type and message as the function error. */
public final class BadRequestException extends IllegalArgumentException {
    public BadRequestException(String message) {
        super(message);
    }
}
