package pixq.job;

import java.util.concurrent.ThreadFactory;

/** Threads that never keep the JVM alive: a server's or a poller's, stopped by its owner or with the process. */
public final class DaemonThreads {
    private DaemonThreads() {}

    public static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
