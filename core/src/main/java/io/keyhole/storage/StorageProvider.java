package io.keyhole.storage;

import io.keyhole.tree.Store;
import java.time.Clock;

/**
 * A storage other than the local tree, found by {@link java.util.ServiceLoader}: a module lists
 * its provider in {@code META-INF/services/io.keyhole.storage.StorageProvider}, and
 * {@code storage=<name>} picks it. The core depends on no storage library this way; users of
 * the local tree carry none.
 */
public interface StorageProvider {

    /** The value of {@code storage} that picks this provider, e.g. {@code s3}. */
    String name();

    /**
     * Starts the storage {@code settings} describe. Nothing is asked of the remote store yet:
     * each request reaches it after its grant.
     *
     * @param settings the storage settings; the provider checks its options and names the key of a
     *                 bad one. {@link StorageSettings#openCache()} on asks it to keep what it opened for
     *                 later requests, for that long at most; a provider that keeps nothing refuses
     *                 it, naming {@code open-cache-valid}
     * @param depth    the tree's directory levels: an id {@code abcd...} is kept at {@code a/b/c/d/abcd...} for 4
     * @param writes   how uploads are stored, or {@code null} when the mount is read-only
     * @param clock    what {@code open-cache-valid} is measured by
     * @return a storage the caller closes; one that also implements {@link Store} when {@code writes} is given
     * @throws IllegalArgumentException naming the key when an option is missing, bad or not supported
     */
    Storage start(StorageSettings settings, int depth, Writes writes, Clock clock);

    /**
     * How a storage that takes uploads names and limits them.
     *
     * @param clock    the clock for ids and upload dates
     * @param instance this instance's name, part of every new id
     * @param maxSize  the largest file accepted, in bytes
     */
    record Writes(Clock clock, String instance, long maxSize) {
    }
}
