package io.keyhole.cli;

/** The command line or a configuration file asks for something that cannot be done: exit code 2. */
final class UsageException extends Exception {

    UsageException(String message) {
        super(message);
    }
}
