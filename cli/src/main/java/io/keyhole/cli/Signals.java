package io.keyhole.cli;

import java.lang.reflect.Proxy;

/**
 * SIGHUP for {@code keyhole serve}, through {@code sun.misc.Signal} (module {@code jdk.unsupported},
 * present in every JDK from 17 on). It is reached by reflection: nothing else in the JDK handles
 * signals, and a JVM without it (or one started with {@code -Xrs}, which gives HUP no handler, or
 * under {@code nohup}, whose ignored HUP the JVM leaves ignored) still serves — only without
 * reloading on SIGHUP, which {@link #onHangup} then says.
 */
final class Signals {

    private Signals() {
    }

    /**
     * Runs {@code action} on each SIGHUP, on the JVM's signal thread.
     *
     * @return {@code null} when installed, else why not
     */
    static String onHangup(Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object hup = signal.getConstructor(String.class).newInstance("HUP");
            Object proxy = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handler},
                    (self, method, args) -> {
                        if (method.getName().equals("handle")) {
                            action.run();
                            return null;
                        }
                        return switch (method.getName()) {
                            case "hashCode" -> System.identityHashCode(self);
                            case "equals" -> self == args[0];
                            default -> "keyhole SIGHUP handler";
                        };
                    });
            Object before = signal.getMethod("handle", signal, handler).invoke(null, hup, proxy);
            if (before == handler.getField("SIG_IGN").get(null)) {
                // A SIGHUP ignored when the JVM started stays ignored: the JVM accepts the handler and never calls it.
                return "the process was started with SIGHUP ignored, as nohup does; start it without nohup,"
                        + " e.g. under a service manager";
            }
            return null;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : e;
            return cause.toString();
        }
    }
}
