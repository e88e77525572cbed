package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.keyhole.backend.JsonSocketServer;
import io.keyhole.storage.OpenedFile;
import io.keyhole.testing.Holdings;
import io.keyhole.testing.TestRequest;
import io.keyhole.testing.TestTree;
import io.keyhole.testing.Tokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.lang.reflect.Method;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container's request threads outlive the web applications they serve. Whatever Keyhole, or a
 * library it calls, leaves in such a thread's thread-locals must not keep the application's class
 * loader, and every class it loaded, alive once the application is undeployed. Checked the way it
 * happens: Keyhole and its libraries loaded by a loader of their own, as from {@code WEB-INF/lib},
 * used on a thread that stays, then closed, the loader dropped and collected.
 */
class UndeployTest {

    @Test
    void aClosedKeyholeThatAskedASocketBackendLeavesNothingBehind(@TempDir Path dir) throws Exception {
        Holdings before = Holdings.now();
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<WeakReference<ClassLoader>> used = new CompletableFuture<>();
        CompletableFuture<String> served = new CompletableFuture<>();
        Thread container = new Thread(() -> {
            try {
                used.complete(serveInOwnLoader(dir, served));
                // The thread lives on, as a container's does, its thread-locals with it.
                release.await();
            } catch (Throwable e) {
                served.completeExceptionally(e);
                used.completeExceptionally(e);
            }
        }, "container-thread");
        container.start();
        try {
            assertEquals("200 5 bytes, 403, 200 5 bytes", served.get(30, TimeUnit.SECONDS));
            WeakReference<ClassLoader> application = used.get(30, TimeUnit.SECONDS);
            // Threads end a moment after the close that stops them; until then they hold the loader too.
            for (Thread started : Holdings.now().threadsSince(before, name -> !name.startsWith("keyhole-"))) {
                started.join(TimeUnit.SECONDS.toMillis(10));
                assertFalse(started.isAlive(), "still running after close: " + Holdings.describe(started));
            }
            assertCollected(application);
        } finally {
            release.countDown();
            container.join();
        }
    }

    /**
     * Loads everything but the JDK and JUnit again, as from a web application's {@code WEB-INF/lib},
     * runs {@link Application#serveAndClose} from there, and lets go of everything but a weak reference.
     */
    private static WeakReference<ClassLoader> serveInOwnLoader(Path dir, CompletableFuture<String> served) throws Exception {
        ClassLoader application = new ApplicationClasses();
        Method serve = application.loadClass(Application.class.getName()).getMethod("serveAndClose", Path.class);
        served.complete((String) serve.invoke(null, dir));
        return new WeakReference<>(application);
    }

    /** What an application does with Keyhole from start to undeploy; run inside the loader under test. */
    public static final class Application {
        private Application() {
        }

        /** Starts a socket backend and a Keyhole, downloads through it, and closes both. */
        public static String serveAndClose(Path dir) throws Exception {
            Path root = Files.createDirectories(dir.resolve("tree"));
            TestTree.create(root, 5);
            List<String> outcomes = new ArrayList<>();
            try (JsonSocketServer backend = JsonSocketServer.start(dir.resolve("auth.sock"),
                    question -> "alice".equals(question.authValue()) ? AuthResponse.ofStatus(200) : AuthResponse.ofStatus(403))) {
                Keyhole keyhole = new Keyhole(KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                        .jwtKey(Tokens.KEY).jwtField("uid").unixSocket(backend.socket())
                        .authCacheTtl(Duration.ofMinutes(1)).openCacheValid(Duration.ofSeconds(5)).build());
                try {
                    for (String uid : List.of("alice", "mallory", "alice")) {
                        Delivery delivery = keyhole.decide(TestRequest.get("/files/" + TestTree.LARGE,
                                "Authorization: Bearer " + Tokens.valid(uid)));
                        if (delivery instanceof Delivery.Send send) {
                            ByteArrayOutputStream body = new ByteArrayOutputStream();
                            try (OpenedFile file = send.file()) {
                                file.writeTo(0, file.size(), body);
                            }
                            outcomes.add(send.status() + " " + body.size() + " bytes");
                        } else {
                            outcomes.add(String.valueOf(delivery.status()));
                        }
                    }
                } finally {
                    keyhole.close();
                }
            }
            return String.join(", ", outcomes);
        }
    }

    private static void assertCollected(WeakReference<ClassLoader> application) {
        for (int i = 0; i < 50 && application.get() != null; i++) {
            System.gc();
        }
        assertNull(application.get(), "the application's loader is still reachable from the container's thread");
    }

    /** Loads every class but the JDK's and JUnit's itself, from where the test's own copies came. */
    private static final class ApplicationClasses extends ClassLoader {
        ApplicationClasses() {
            super(UndeployTest.class.getClassLoader());
        }

        private static boolean shared(String name) {
            return Stream.of("java.", "javax.", "jdk.", "sun.", "com.sun.", "org.junit.", "org.opentest4j.", "org.apiguardian.")
                    .anyMatch(name::startsWith);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (shared(name)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    loaded = findClass(name);
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            URL resource = getParent().getResource(name.replace('.', '/') + ".class");
            if (resource == null) {
                throw new ClassNotFoundException(name);
            }
            try (InputStream in = resource.openStream()) {
                byte[] bytes = in.readAllBytes();
                return defineClass(name, bytes, 0, bytes.length);
            } catch (IOException e) {
                throw new ClassNotFoundException(name, e);
            }
        }
    }
}
