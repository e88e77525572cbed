package io.keyhole.cli;

/** A command could not do its work for a reason outside the command line: exit code 1. */
final class Failure extends Exception {
    private static final long serialVersionUID = 1L;


    Failure(String message) {
        super(message);
    }
}
