package io.keyhole.spring.boot;

import io.keyhole.Keyhole;
import io.keyhole.observe.Health;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * The {@code keyhole} health contributor: {@link Keyhole#health()}, which connects to the backend
 * and opens the storage's root, as an Actuator health indicator: UP or DOWN with one detail per
 * part ({@code backend}, {@code storage}), never a secret.
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
                    Health probe = keyhole.health();
                    Object b = (probe.up() ? up : down).invoke(null);
                    for (Map.Entry<String, String> d : probe.details().entrySet()) {
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
}
