package io.keyhole.spring.boot;

import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import io.keyhole.authorizer.Backend;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code keyhole} health contributor: UP while the tree (or media root) is a readable
 * directory and the backend accepts connections, DOWN otherwise, with the reason as a detail.
 * Nothing secret goes into the details: the paths and the backend's description only.
 *
 * <p>Spring Boot 3.5 has its health types in {@code org.springframework.boot.actuate.health},
 * 4.0 in {@code org.springframework.boot.health.contributor}, with the same shape; the
 * indicator is built for whichever the application has, so one starter serves both.
 */
final class KeyholeHealth {

    /** Where Boot 3.5 keeps {@code HealthIndicator} and {@code Health}. */
    static final String BOOT3 = "org.springframework.boot.actuate.health";
    /** Where Boot 4.0 keeps them. */
    static final String BOOT4 = "org.springframework.boot.health.contributor";

    private KeyholeHealth() {
    }

    /** What the probe found: up or down, and why. */
    record Probe(boolean up, Map<String, Object> details) {
    }

    /**
     * A {@code HealthIndicator} of the package {@code healthPackage} that probes {@code keyhole}.
     *
     * @throws IllegalStateException when the package lacks the expected types
     */
    static Object indicator(String healthPackage, Keyhole keyhole) {
        ClassLoader loader = KeyholeHealth.class.getClassLoader();
        try {
            Class<?> indicator = Class.forName(healthPackage + ".HealthIndicator", false, loader);
            Class<?> health = Class.forName(healthPackage + ".Health", false, loader);
            Method up = health.getMethod("up");
            Method down = health.getMethod("down");
            Class<?> builder = up.getReturnType();
            Method withDetail = builder.getMethod("withDetail", String.class, Object.class);
            Method build = builder.getMethod("build");
            InvocationHandler handler = (proxy, method, args) -> {
                if (method.getName().equals("health") && method.getParameterCount() == 0) {
                    Probe probe = probe(keyhole.config());
                    Object b = (probe.up() ? up : down).invoke(null);
                    for (Map.Entry<String, Object> d : probe.details().entrySet()) {
                        withDetail.invoke(b, d.getKey(), d.getValue());
                    }
                    return build.invoke(b);
                }
                if (method.isDefault()) {
                    return InvocationHandler.invokeDefault(proxy, method, args);
                }
                return switch (method.getName()) {
                    case "toString" -> "Keyhole health (" + keyhole.config().describeBackend() + ")";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.toString());
                };
            };
            return Proxy.newProxyInstance(loader, new Class<?>[] {indicator}, handler);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Spring Boot's health types in " + healthPackage + " are not as expected", e);
        }
    }

    /** Checks the store and the backend, each as the configuration describes it. */
    static Probe probe(KeyholeConfig config) {
        Map<String, Object> details = new LinkedHashMap<>();
        boolean up = true;
        Path root = config.tree() != null ? config.tree().root()
                : config.media() != null && config.media().root() != null ? config.media().root().root() : null;
        if (root != null) {
            details.put("root", root.toString());
            if (!Files.isDirectory(root) || !Files.isReadable(root)) {
                details.put("rootError", "not a readable directory");
                up = false;
            }
        }
        details.put("backend", config.describeBackend());
        String problem = config.backend() instanceof Backend.Json json ? unreachable(json) : null;
        if (problem != null) {
            details.put("backendError", problem);
            up = false;
        }
        return new Probe(up, details);
    }

    /** Why the backend cannot be reached, or {@code null} when it accepts a connection. */
    private static String unreachable(Backend.Json json) {
        try {
            switch (json.transport()) {
                case "unix" -> {
                    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                        channel.connect(UnixDomainSocketAddress.of(json.unixSocket()));
                    }
                }
                case "tcp" -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(json.tcpHost(), json.tcpPort()),
                                (int) Math.min(Integer.MAX_VALUE, json.connectTimeout().toMillis()));
                    }
                }
                default -> {
                    // HTTP backends are asked per request; a probe request would be a question.
                }
            }
            return null;
        } catch (IOException e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
    }
}
