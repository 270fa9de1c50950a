package pixq.image;

/** One encoded output: the name suffix it is written under (such as "-800.jpg"), its type and bytes. */
public record Rendition(String suffix, String contentType, byte[] bytes) {}
