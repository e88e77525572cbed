package io.keyhole.examples.backend;

import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.Authorizer;
import io.keyhole.FileId;
import io.keyhole.backend.JsonSocketServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

/**
 * A complete authorisation backend, meant to be copied: it answers Keyhole's JSON questions on
 * a Unix socket from a table that says who owns each file.
 *
 * <ul>
 *   <li>no auth value (the request carried no credential): 401</li>
 *   <li>an id not in the table: 404</li>
 *   <li>the owner asks: 200 with the file's name, type, disposition, ETag and upload date</li>
 *   <li>anybody else asks: 403</li>
 * </ul>
 *
 * <p>The auth value is what Keyhole took from the request's JWT ({@code jwt-field}, here the
 * user id). A real backend would look the id up in its database instead of a table.
 *
 * <p>Run it with the socket to listen on and a table of files (see {@link #readTable}):
 * <pre>
 * java -cp keyhole-examples.jar:keyhole-core.jar:... io.keyhole.examples.backend.SampleBackend \
 *     /run/keyhole/auth.sock examples/backend/files.tsv
 * </pre>
 */
public final class SampleBackend implements Authorizer {

    /**
     * What the backend knows about one stored file.
     *
     * @param owner       the user id allowed to read it
     * @param filename    the name users see (any Unicode text)
     * @param contentType its media type
     * @param attachment  {@code true} to have browsers download it, {@code false} to show it inline
     * @param etag        its entity tag
     * @param uploadDate  when it was uploaded, Unix time in seconds (becomes Last-Modified)
     */
    public record StoredFileInfo(String owner, String filename, String contentType, boolean attachment,
                                 String etag, long uploadDate) {
        public StoredFileInfo {
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(filename, "filename");
            Objects.requireNonNull(contentType, "contentType");
            Objects.requireNonNull(etag, "etag");
        }
    }

    private final Map<String, StoredFileInfo> files;

    /** @param files file id → what is known about the file */
    public SampleBackend(Map<String, StoredFileInfo> files) {
        this.files = Map.copyOf(files);
    }

    @Override
    public AuthResponse authorize(AuthRequest request) {
        String user = request.authValue();
        if (user == null || user.isEmpty()) {
            return denial(401, "no credential");
        }
        StoredFileInfo file = files.get(request.fileId().value());
        if (file == null) {
            return denial(404, "unknown file id");
        }
        if (!file.owner().equals(user)) {
            // The reason goes to Keyhole's log, never to the client.
            return denial(403, "user " + user + " does not own this file");
        }
        return new AuthResponse(200, file.filename(), file.contentType(),
                file.attachment() ? "attachment" : "inline", file.etag(), null, file.uploadDate(), null);
    }

    private static AuthResponse denial(int status, String reason) {
        return new AuthResponse(status, null, null, null, null, null, null, reason);
    }

    /**
     * Reads a table of files: one file per line, seven tab-separated columns
     * {@code id owner content-type disposition etag upload-date filename}, where disposition is
     * {@code inline} or {@code attachment} and upload-date is Unix time in seconds. Empty lines
     * and lines starting with {@code #} are skipped.
     *
     * @throws IllegalArgumentException naming the line that is malformed
     */
    public static Map<String, StoredFileInfo> readTable(Path table) throws IOException {
        Map<String, StoredFileInfo> files = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(table, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String where = table + ":" + (i + 1);
            String[] c = line.split("\t", -1);
            if (c.length != 7) {
                throw new IllegalArgumentException(where + ": expected 7 tab-separated columns, found " + c.length);
            }
            if (!FileId.isValid(c[0])) {
                throw new IllegalArgumentException(where + ": '" + c[0] + "' is not a file id (lowercase hex)");
            }
            boolean attachment = switch (c[3]) {
                case "attachment" -> true;
                case "inline" -> false;
                default -> throw new IllegalArgumentException(where + ": disposition must be inline or attachment, was '"
                        + c[3] + "'");
            };
            long uploadDate;
            try {
                uploadDate = Long.parseLong(c[5]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": upload-date must be Unix seconds, was '" + c[5] + "'");
            }
            if (files.put(c[0], new StoredFileInfo(c[1], c[6], c[2], attachment, c[4], uploadDate)) != null) {
                throw new IllegalArgumentException(where + ": file id " + c[0] + " is listed twice");
            }
        }
        return files;
    }

    /** Starts serving {@code table}'s files on {@code socket}; close the result to stop. */
    public static JsonSocketServer start(Path socket, Path table) throws IOException {
        return JsonSocketServer.start(socket, new SampleBackend(readTable(table)));
    }

    /** {@code SampleBackend <socket> <table.tsv>}: serves until the process is stopped. */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: SampleBackend <socket-path> <files.tsv>");
            System.exit(2);
        }
        JsonSocketServer server = start(Path.of(args[0]), Path.of(args[1]));
        // Ctrl-C or SIGTERM: close the server so that the socket file is removed.
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("answering Keyhole on " + server.socket());
        // The server runs on daemon threads; keep the JVM up until it is told to stop.
        new CountDownLatch(1).await();
    }
}
