package pixq.job;

/** The readable reason a job, a command or a page reports for an error: its message, or its type when it has none. */
public final class Reason {
    private Reason() {}

    public static String of(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
