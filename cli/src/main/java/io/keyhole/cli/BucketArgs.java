package io.keyhole.cli;

import io.keyhole.KeyholeConfig;
import io.keyhole.storage.StorageProvider;
import io.keyhole.storage.Storages;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * {@code put} and {@code rm} against the tree a {@code serve} configuration names, when it keeps
 * the tree in a bucket ({@code storage=s3}): the storage keys and {@code fs-depth} are read from
 * FILE, everything else in it is left alone.
 */
final class BucketArgs {

    private BucketArgs() {
    }

    /**
     * Starts the storage of the configuration at {@code file}.
     *
     * @param writes how new ids are made, or {@code null} when nothing is stored
     * @throws UsageException when the file cannot be read, names no bucket, or a storage key is bad
     */
    static Storages.Started start(String command, String file, StorageProvider.Writes writes) throws UsageException {
        Properties all = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            all.load(in);
        } catch (IOException e) {
            throw new UsageException(command + ": cannot read --config " + file + ": " + e.getMessage());
        }
        Map<String, String> storage = new LinkedHashMap<>();
        for (String key : all.stringPropertyNames()) {
            if (key.equals("storage") || key.startsWith("storage-") || key.startsWith("s3-") || key.equals("fs-depth")) {
                storage.put(key, all.getProperty(key).strip());
            }
        }
        if (!storage.containsKey("storage") || storage.get("storage").equals("local")) {
            throw new UsageException(command + ": --config " + file + " keeps the tree in fs-root; use --root and --depth");
        }
        try {
            KeyholeConfig config = KeyholeConfig.builder().properties(storage).authorizer(q -> {
                throw new IllegalStateException("nothing is authorised here");
            }).build();
            return Storages.start(config.storage(), config.tree(), writes);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UsageException(command + ": --config " + file + ": " + e.getMessage());
        }
    }
}
