package io.keyhole.cli;

/** A command could not do its work for a reason outside the command line: exit code 1. */
final class Failure extends Exception {

    Failure(String message) {
        super(message);
    }
}
