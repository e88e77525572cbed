package io.keyhole.cli;

import io.keyhole.FileId;
import io.keyhole.KeyholeConfig;
import io.keyhole.backend.JsonSocketServer;
import io.keyhole.tree.HashedTree;
import io.keyhole.tree.MetaFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code keyhole demo}: everything on one machine with nothing to set up. A temporary tree with
 * three samples, a fresh JWT key, the server on 127.0.0.1, and curl commands to try it. By default
 * ({@code --backend internal}) each sample's owner and metadata sit beside it in a {@code .meta}
 * file and uploads are on: no backend process at all. {@code --backend socket} asks an
 * authorisation backend on a real Unix socket instead. Stops on Ctrl-C and removes what it made.
 */
final class DemoCommand {

    static final int DEFAULT_PORT = 8080;
    static final String MOUNT = "/files/";
    static final String CLAIM = "uid";
    static final Duration TOKEN_TTL = Duration.ofHours(1);
    /** Two levels (272 directories) keep the demo quick to make and to remove. */
    private static final int DEPTH = 2;

    private DemoCommand() {
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        Args args = Args.parse("demo", argv, Set.of("port", "backend"), Set.of());
        int port = args.integer("port", DEFAULT_PORT, 0, 65535);
        String backend = args.get("backend") == null ? "internal" : args.get("backend");
        if (!backend.equals("internal") && !backend.equals("socket")) {
            throw new UsageException("demo: --backend must be internal or socket, was '" + backend + "'");
        }
        boolean internal = backend.equals("internal");
        System.setProperty("java.awt.headless", "true");

        Path dir = Files.createTempDirectory("keyhole-demo-");
        List<AutoCloseable> opened = new ArrayList<>();
        Demo demo;
        try {
            demo = start(dir, port, internal, opened, err);
        } catch (Exception | Error e) {
            try {
                cleanUp(opened, dir);
            } catch (Exception cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        Shutdown.onStop("demo", out, err, () -> cleanUp(opened, dir));
        print(demo, out);
        out.flush();
        demo.server().join();
        return 0;
    }

    private record Demo(KeyholeConfig config, FileServer server, List<DemoFiles.Sample> samples, byte[] key) {
    }

    private static Demo start(Path dir, int port, boolean internal, List<AutoCloseable> opened, PrintStream err)
            throws Exception {
        HashedTree tree = new HashedTree(dir.resolve("tree"), DEPTH);
        tree.create();
        List<DemoFiles.Sample> samples = DemoFiles.samples();
        long uploadDate = Instant.now().getEpochSecond();
        MetaFiles meta = new MetaFiles(tree);
        for (DemoFiles.Sample sample : samples) {
            FileId id = FileId.parse(sample.id());
            Files.write(tree.pathOf(id), sample.bytes());
            if (internal) {
                meta.write(id, DemoBackend.metadata(sample, uploadDate));
            }
        }

        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        KeyholeConfig.Builder builder = KeyholeConfig.builder()
                .fsRoot(tree.root())
                .fsDepth(DEPTH)
                .mount(MOUNT)
                .jwtKey(key)
                .jwtField(CLAIM);
        if (internal) {
            builder.requestType("internal").readOnly(false);
        } else {
            Path socket = dir.resolve("auth.sock");
            JsonSocketServer backend = JsonSocketServer.start(socket, new DemoBackend(samples, uploadDate));
            opened.add(backend);
            builder.unixSocket(socket);
        }
        KeyholeConfig config = builder.build();

        FileServer server;
        try {
            server = FileServer.start(config, new Listen("127.0.0.1", port));
        } catch (Exception e) {
            if (port == 0 || !ServeCommand.bindFailed(e)) {
                throw new Failure("cannot listen on 127.0.0.1:" + port + ": " + ServeCommand.reason(e));
            }
            err.println("keyhole: port " + port + " is taken (" + ServeCommand.reason(e) + "); using a free port instead");
            server = FileServer.start(config, new Listen("127.0.0.1", 0));
        }
        // The server stops before the backend it asks.
        opened.add(0, server::stop);
        return new Demo(config, server, samples, key);
    }

    private static void print(Demo demo, PrintStream out) {
        Instant now = Instant.now();
        String alice = Tokens.mint(demo.key(), "HS256", Map.of(CLAIM, DemoFiles.OWNER), TOKEN_TTL, now);
        String bob = Tokens.mint(demo.key(), "HS256", Map.of(CLAIM, "bob"), TOKEN_TTL, now);
        DemoFiles.Sample image = demo.samples().get(0);
        DemoFiles.Sample document = demo.samples().get(1);
        DemoFiles.Sample clip = demo.samples().get(2);
        String base = demo.server().uri().toString();

        out.println(ServeCommand.readyLine(demo.config(), demo.server()));
        out.println();
        out.println("Sample files, all owned by " + DemoFiles.OWNER + ":");
        for (DemoFiles.Sample s : demo.samples()) {
            out.printf("  %s%s  %-16s %-10s %s%n", base, s.id(), s.contentType(), s.disposition(), s.filename());
        }
        out.println();
        out.println("# alice gets her document (200, saved as document.pdf; note Content-Disposition):");
        out.println(curl(alice, null, "document.pdf", base + document.id()));
        out.println();
        out.println("# bob may not have alice's image (403):");
        out.println(curl(bob, null, "/dev/null", base + image.id()));
        out.println();
        out.println("# the first kilobyte of alice's clip (206, Content-Range):");
        out.println(curl(alice, "bytes=0-1023", "clip-start.mp4", base + clip.id()));
        out.println();
        if (!demo.config().uploads().readOnly()) {
            out.println("# alice may upload a file of her own (201, its id in Location), and delete it again:");
            out.println("#   curl -sS -H 'Authorization: Bearer " + alice + "' -F d=@FILE '" + base + "'");
            out.println("#   curl -sS -X DELETE -H 'Authorization: Bearer " + alice + "' '" + base + "<id>'");
            out.println();
        }
        out.println("The tokens are valid for " + TOKEN_TTL.toHours() + " hour. Press Ctrl-C to stop;"
                + " the temporary files are removed.");
    }

    private static String curl(String token, String range, String output, String url) {
        StringBuilder c = new StringBuilder("curl -sS -D - -o ").append(output);
        if (range != null) {
            c.append(" -H 'Range: ").append(range).append('\'');
        }
        c.append(" -H 'Authorization: Bearer ").append(token).append("' '").append(url).append('\'');
        return c.toString();
    }

    /** Closes everything opened, in order, then removes {@code dir}; tries each step even when one fails. */
    private static void cleanUp(List<AutoCloseable> opened, Path dir) throws Exception {
        Exception first = null;
        List<AutoCloseable> steps = new ArrayList<>(opened);
        steps.add(() -> deleteTree(dir));
        for (AutoCloseable step : steps) {
            try {
                step.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
