package io.keyhole.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.keyhole.Disposition;
import io.keyhole.StoredMetadata;
import io.keyhole.storage.StorageProvider;
import io.keyhole.storage.Storages;
import io.keyhole.tree.FileIds;
import io.keyhole.tree.FileStore;
import io.keyhole.tree.HashedTree;
import io.keyhole.tree.Store;
import io.keyhole.tree.Upload;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code keyhole put FILE... --root DIR --depth N}: stores files in the tree and prints, for
 * each, one JSON line with its id and metadata under the wire field names; with
 * {@code --sql-table} the output is a SQL script instead, each JSON line kept as a comment above
 * its INSERT, ready to pipe into a mysql or mariadb client. {@code -} as FILE reads stdin.
 * {@code --config FILE} instead of the root stores into the bucket a {@code serve} configuration
 * names ({@code storage=s3}).
 */
final class PutCommand {

    static final Set<String> OPTIONS = Set.of("root", "depth", "config", "user", "name", "type", "disposition",
            "instance", "sql-table");

    /** Non-ASCII as \\u escapes: the line stays intact whatever the terminal's encoding. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .build();

    private PutCommand() {
    }

    static int run(List<String> argv, InputStream stdin, PrintStream out) throws UsageException, Failure {
        TreeArgs.Split split = TreeArgs.split(argv);
        Args args = Args.parse("put", split.options(), OPTIONS, Set.of());
        List<String> files = split.words();
        String config = args.get("config");
        HashedTree tree = config == null ? TreeArgs.tree(args, "put") : null;
        String user = args.get("user") == null ? "" : args.get("user");
        Upload template = template(args);
        String table = args.get("sql-table") == null ? null : table(args.get("sql-table"));
        String name = args.get("name");
        if (files.isEmpty()) {
            throw new UsageException("put: name at least one FILE to store (- for stdin)");
        }
        if (name != null && files.size() > 1) {
            throw new UsageException("put: --name applies to one FILE, but " + files.size() + " were given");
        }
        if (files.contains("-") && name == null) {
            throw new UsageException("put: - (stdin) needs --name, the file's original name");
        }
        // Everything is checked before the first file is stored, so bad input stores nothing.
        for (String file : files) {
            if (!file.equals("-") && !(Files.isRegularFile(Path.of(file)) && Files.isReadable(Path.of(file)))) {
                throw new UsageException("put: " + file + " is not a readable file");
            }
        }
        if (config != null) {
            if (args.get("root") != null || args.get("depth") != null) {
                throw new UsageException("put: --config names the tree; drop --root and --depth");
            }
            String instance = args.get("instance") != null ? args.get("instance") : FileIds.defaultInstance();
            try (Storages.Started bucket = BucketArgs.start("put", config,
                    new StorageProvider.Writes(Clock.systemUTC(), instance, Long.MAX_VALUE))) {
                return store(files, stdin, out, bucket.store(), user, template, table, name, args.get("user") != null);
            } catch (IOException e) {
                throw new Failure("closing the storage failed: " + e.getMessage());
            }
        }
        if (!Files.isDirectory(tree.root())) {
            throw new UsageException("put: --root " + tree.root() + " is not a directory; create the tree with:"
                    + " keyhole init --root " + tree.root() + " --depth " + tree.depth());
        }

        FileStore.Builder builder = FileStore.builder(tree);
        if (args.get("instance") != null) {
            builder.instance(args.get("instance"));
        }
        return store(files, stdin, out, builder.build(), user, template, table, name, args.get("user") != null);
    }

    /** Stores each file and prints its line; stops at the first failure, saying what was stored before it. */
    private static int store(List<String> files, InputStream stdin, PrintStream out, Store store, String user,
                             Upload template, String table, String name, boolean withUser) throws Failure {
        int stored = 0;
        for (String file : files) {
            String filename = name != null ? name : Path.of(file).getFileName().toString();
            Upload upload = new Upload(filename, user, template.contentType(), template.disposition());
            StoredMetadata metadata;
            try (InputStream in = file.equals("-") ? null : Files.newInputStream(Path.of(file))) {
                metadata = store.store(in == null ? stdin : in, upload);
            } catch (IOException e) {
                throw new Failure("cannot store " + file + ": " + e + (stored == 0 ? ""
                        : "; the " + stored + " file" + (stored == 1 ? "" : "s") + " before it were stored (lines above)"));
            }
            stored++;
            Map<String, Object> row = row(metadata, user, withUser);
            String json = json(row);
            if (table == null) {
                out.println(json);
            } else {
                out.println("-- " + json);
                out.println(SqlLiterals.insert(table, row));
            }
            out.flush();
        }
        return 0;
    }

    /** The settings every file of the command shares, checked once up front. */
    private static Upload template(Args args) throws UsageException {
        Upload upload = Upload.of("file");
        if (args.get("type") != null) {
            try {
                upload = upload.withContentType(args.get("type"));
            } catch (IllegalArgumentException e) {
                throw new UsageException("put: --type: " + e.getMessage());
            }
        }
        if (args.get("disposition") != null) {
            try {
                upload = upload.withDisposition(Disposition.parse(args.get("disposition")));
            } catch (IllegalArgumentException e) {
                throw new UsageException("put: --disposition: " + e.getMessage());
            }
        }
        return upload;
    }

    private static String table(String text) throws UsageException {
        try {
            return SqlLiterals.tableName(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("put: --sql-table: " + e.getMessage());
        }
    }

    /**
     * The wire fields, in the order of the later module's INSERT; {@code auth_value} (the user)
     * only when {@code --user} was given, as the backend's default query matches on it.
     */
    static Map<String, Object> row(StoredMetadata metadata, String user, boolean withUser) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("file_id", metadata.id().value());
        if (withUser) {
            row.put("auth_value", user);
        }
        row.put("filename", metadata.filename());
        row.put("content_type", metadata.contentType());
        row.put("content_disposition", metadata.disposition().wireValue());
        row.put("etag", metadata.etag());
        row.put("length", metadata.size());
        row.put("upload_date", metadata.uploadDateSeconds());
        return row;
    }

    private static String json(Map<String, Object> row) {
        try {
            return JSON.writeValueAsString(row);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("strings and numbers always serialise", e);
        }
    }
}
