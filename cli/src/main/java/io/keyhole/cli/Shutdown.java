package io.keyhole.cli;

import java.io.PrintStream;

/**
 * Ends long-running commands on SIGTERM or Ctrl-C. The JVM reports a process ended by a signal
 * as failed (exit 128 + signal, 143 for SIGTERM) even when its shutdown hooks finished normally.
 * For a server, SIGTERM is the ordinary way to stop, so the hook ends the JVM with 0 itself once
 * cleanup succeeded, and with 1 when it did not.
 */
final class Shutdown {

    /** The status of an exit this program asked for; a signal-initiated shutdown leaves it unset. */
    private static volatile Integer requested;

    /** Cleanup work run once, on the way out. */
    @FunctionalInterface
    interface Cleanup {
        void run() throws Exception;
    }

    private Shutdown() {
    }

    /** Exits with {@code status}; a hook that is running or about to run keeps that status. */
    static void exit(int status) {
        requested = status;
        System.exit(status);
    }

    /**
     * Runs {@code cleanup} when the JVM is asked to stop, then ends it with 0 (or 1 when cleanup
     * threw, or the status passed to {@link #exit}).
     */
    static void onStop(String what, PrintStream out, PrintStream err, Cleanup cleanup) {
        Thread hook = new Thread(() -> {
            int status = 0;
            try {
                cleanup.run();
                out.println("keyhole: " + what + " stopped");
            } catch (Throwable e) {
                err.println("keyhole: " + what + " did not stop cleanly: " + e);
                status = 1;
            }
            out.flush();
            err.flush();
            Integer asked = requested;
            // halt, not exit: exit would block here, as the JVM is already shutting down.
            Runtime.getRuntime().halt(asked != null ? asked : status);
        }, "keyhole-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }
}
