package io.keyhole.cli;

/** The command line or a configuration file asks for something that cannot be done: exit code 2. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;


    UsageException(String message) {
        super(message);
    }
}
