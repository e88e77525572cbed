package io.keyhole.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Jackson factories for Keyhole's own JSON. Each recycles its parsers' and generators' buffers
 * in a pool of its own, where Jackson by default keeps them in a thread-local of every thread
 * that parsed: a container thread would then hold Jackson's objects, and through them the class
 * loader of a web application that bundles Jackson, long after the application was undeployed.
 * Jackson before 2.16 has no such pools; with it, the factory is Jackson's default one and this
 * is said once in the log.
 */
public final class JsonFactories {

    private static final System.Logger LOG = Logs.of(JsonFactories.class);
    private static final AtomicBoolean TOLD = new AtomicBoolean();

    private JsonFactories() {
    }

    /** A new factory whose buffers belong to it, not to the threads that use it (Jackson 2.16 or later). */
    public static JsonFactory create() {
        try {
            return JsonFactory.builder().recyclerPool(JsonRecyclerPools.newConcurrentDequePool()).build();
        } catch (LinkageError olderJackson) {
            if (TOLD.compareAndSet(false, true)) {
                LOG.log(Level.INFO, "Jackson " + JsonFactory.builder().build().version() + " keeps its buffers in"
                        + " thread-locals, which hold this application's classes after an undeploy until the"
                        + " container renews its threads; Jackson 2.16 or later lets Keyhole keep them itself");
            }
            return JsonFactory.builder().build();
        }
    }
}
