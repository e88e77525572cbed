package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.URL;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A container's request threads outlive the web applications they serve. Whatever Keyhole
 * leaves in such a thread's thread-locals must not keep Keyhole's classes, and with them the
 * application's class loader, alive once the application is undeployed. Checked the way it
 * happens: Keyhole's classes loaded by a loader of their own, used on a thread that stays, the
 * loader then dropped and collected.
 */
class UndeployTest {

    @Test
    void aThreadThatCheckedTokensKeepsNoKeyholeClassAlive() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<WeakReference<ClassLoader>> used = new CompletableFuture<>();
        Thread container = new Thread(() -> {
            try {
                used.complete(useCredentialCacheInOwnLoader());
                // The thread lives on, as a container's does, its thread-locals with it.
                release.await();
            } catch (Throwable e) {
                used.completeExceptionally(e);
            }
        }, "container-thread");
        container.start();
        try {
            WeakReference<ClassLoader> application = used.get(30, TimeUnit.SECONDS);
            for (int i = 0; i < 50 && application.get() != null; i++) {
                System.gc();
            }
            assertNull(application.get(), "the application's loader is still reachable from the container's thread");
        } finally {
            release.countDown();
            container.join();
        }
    }

    /** Loads Keyhole's classes anew, hashes a token as a request does, and lets go of everything but a weak reference. */
    private static WeakReference<ClassLoader> useCredentialCacheInOwnLoader() throws Exception {
        ClassLoader application = new KeyholeClassesAgain();
        Class<?> type = application.loadClass(CredentialCache.class.getName());
        assertSame(application, type.getClassLoader(), "the test needs Keyhole's classes from a loader of their own");
        Constructor<?> constructor = type.getDeclaredConstructor(Function.class, Clock.class, int.class);
        constructor.setAccessible(true);
        Function<String, Object> rejectAll = token -> null;
        Object cache = constructor.newInstance(rejectAll, Clock.systemUTC(), 10);
        Method verify = type.getDeclaredMethod("verify", String.class);
        verify.setAccessible(true);
        assertNull(verify.invoke(cache, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"));
        Method begin = application.loadClass(Trace.class.getName()).getDeclaredMethod("begin");
        begin.setAccessible(true);
        Object trace = begin.invoke(null);
        assertNotNull(trace);
        Method end = trace.getClass().getDeclaredMethod("end");
        end.setAccessible(true);
        end.invoke(trace);
        return new WeakReference<>(application);
    }

    /** Loads {@code io.keyhole} classes itself, from where the test's own copies came; everything else from the test's loader. */
    private static final class KeyholeClassesAgain extends ClassLoader {
        KeyholeClassesAgain() {
            super(UndeployTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("io.keyhole.")) {
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
