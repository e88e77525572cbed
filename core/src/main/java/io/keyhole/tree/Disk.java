package io.keyhole.tree;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/** Making directory changes durable. */
final class Disk {

    /**
     * Windows cannot open a directory as a file; NTFS journals its directory changes instead, so
     * there is nothing to do there.
     */
    private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    private Disk() {
    }

    /**
     * Flushes a directory, so that a file created, renamed or removed in it stays so after a
     * power cut: an fsync of the file alone does not cover its name.
     */
    static void syncDirectory(Path dir) throws IOException {
        if (WINDOWS && dir.getFileSystem() == FileSystems.getDefault()) {
            return;
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (UnsupportedOperationException e) {
            // A file system provider that cannot open directories (an in-memory one) has no disk to sync.
            return;
        }
        try (channel) {
            channel.force(true);
        }
    }
}
