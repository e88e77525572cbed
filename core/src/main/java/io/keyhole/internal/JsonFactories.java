package io.keyhole.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;

/**
 * Jackson factories for Keyhole's own JSON. Each recycles its parsers' and generators' buffers
 * in a pool of its own, where Jackson by default keeps them in a thread-local of every thread
 * that parsed: a container thread would then hold Jackson's objects, and through them the class
 * loader of a web application that bundles Jackson, long after the application was undeployed.
 */
public final class JsonFactories {

    private JsonFactories() {
    }

    /** A new factory whose buffers belong to it, not to the threads that use it. */
    public static JsonFactory create() {
        return JsonFactory.builder().recyclerPool(JsonRecyclerPools.newConcurrentDequePool()).build();
    }
}
