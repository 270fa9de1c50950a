package pixq.web;

/** No such page, batch, job or servable blob: the pages answer 404 with its message. */
final class NotFound extends RuntimeException {
    NotFound(String message) {
        super(message);
    }
}
