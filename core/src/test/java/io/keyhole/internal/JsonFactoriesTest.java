package io.keyhole.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import io.keyhole.testing.LogCapture;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Keyhole's Jackson factories: buffers pooled by the factory, and an older Jackson still served. */
class JsonFactoriesTest {

    @Test
    void buffersArePooledByTheFactoryNotByThreads() throws Exception {
        JsonFactory factory = JsonFactories.create();
        assertEquals(JsonRecyclerPools.newConcurrentDequePool().getClass(), factory._getRecyclerPool().getClass());
        try (JsonParser parser = factory.createParser("{\"status\":200}")) {
            assertEquals(JsonToken.START_OBJECT, parser.nextToken());
        }
    }

    @Test
    void jacksonBefore216GetsItsDefaultFactoryAndOneLineSaysWhatIsLost() throws Exception {
        Path jar = Path.of(System.getProperty("keyhole.olderJackson.jar", "target/older-jackson/jackson-core-2.15.jar"));
        assertTrue(Files.isRegularFile(jar), "the build copies Jackson 2.15 to " + jar);
        URL keyhole = JsonFactories.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader older = new ChildFirst(new URL[] {jar.toUri().toURL(), keyhole});
             LogCapture log = LogCapture.start()) {
            assertThrows(ClassNotFoundException.class, () -> older.loadClass(JsonRecyclerPools.class.getName()),
                    "the loader must hold the older Jackson only");
            Class<?> factories = older.loadClass(JsonFactories.class.getName());
            Object first = factories.getMethod("create").invoke(null);
            Object second = factories.getMethod("create").invoke(null);

            assertEquals("2.15.4", first.getClass().getMethod("version").invoke(first).toString());
            Object parser = second.getClass().getMethod("createParser", String.class).invoke(second, "{\"status\":200}");
            assertEquals("START_OBJECT", String.valueOf(parser.getClass().getMethod("nextToken").invoke(parser)));
            assertEquals(1, log.containing("Jackson 2.15.4 keeps its buffers in thread-locals").size(), log.lines().toString());
        }
    }

    /** Jackson's core and Keyhole's classes from its own URLs first; everything else from the test's loader. */
    private static final class ChildFirst extends URLClassLoader {
        ChildFirst(URL[] urls) {
            super(urls, JsonFactoriesTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("com.fasterxml.jackson.core.") && !name.startsWith("io.keyhole.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                return loaded != null ? loaded : findClass(name);
            }
        }
    }
}
