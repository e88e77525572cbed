package io.keyhole.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code keyhole} command: {@code serve}, {@code init}, {@code put}, {@code rm},
 * {@code fsck}, {@code token}, {@code demo}, {@code help}. Exit codes: 0 done, 1 failed, 2 wrong usage or configuration.
 */
public final class Main {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    static final String USAGE_TEXT = """
            Usage: keyhole <command> [options]

            Commands:
              --version
                  Print the version.
              serve --config FILE
                  Serve authorised files as configured in FILE, a .properties file with the
                  configuration keys (fs-root, fs-depth, mount, unix-socket, jwt-key, jwt-field,
                  delivery, ...) and listen = host:port (default 127.0.0.1:8080; port 0 picks a
                  free port). With site-url, media-url, media-root and media-key instead, a
                  cross-domain media host for signed media URLs. Stops cleanly on SIGTERM or Ctrl-C,
                  letting requests in flight finish for up to shutdown-timeout (30s); SIGHUP reads
                  FILE again. admin-listen = host:port serves /metrics and /health; audit-log = PATH
                  appends one JSON line per request.
              init --root DIR [--depth N]
                  Create an empty hashed tree: every directory for depth N (1..5, default 4).
              init --config FILE
                  Ready the bucket a serve configuration keeps the tree in (storage=s3): check it
                  is reachable, readable and writable, mark it with fs-depth, and tell whether
                  the store honours If-None-Match (s3-claim=conditional needs it).
              put FILE... --root DIR --depth N [--user U] [--name NAME] [--type TYPE]
                      [--disposition inline|attachment] [--instance ID] [--sql-table TABLE]
                  Store files in the tree under new ids and print one JSON line per file: file_id,
                  filename, content_type, content_disposition, etag, length, upload_date (and
                  auth_value with --user). FILE - reads stdin (needs --name). With --sql-table,
                  print a SQL script instead: per file the JSON as a comment and an INSERT.
              rm ID... --root DIR --depth N
                  Remove files from the tree. Exit code 1 when one of them was not there.
              put FILE... --config FILE [options of put];  rm ID... --config FILE
                  The same against the bucket a serve configuration keeps the tree in
                  (storage=s3 and the s3-* keys; fs-depth).
              fsck --root DIR --depth N [--repair] [--meta]
                  List files that are no ids, ids in the wrong directory, temporary files
                  left by stores that died, and .meta files whose file is gone. --repair
                  removes those temporary and .meta files (only them). --meta also lists files
                  without their .meta (a tree served with request-type=internal).
                  Exit code 0 when nothing is wrong, 1 otherwise.
              fsck --config FILE [--repair]
                  The same for the bucket of a serve configuration: objects that are no ids or
                  at the wrong place, and multipart uploads abandoned for over 24 hours, which
                  --repair aborts (only them).
              token (--key KEY | --key-file FILE) --claim NAME=VALUE [--claim ...] [--ttl 1h] [--alg HS256]
                  Print a signed JWT for testing. The key is read as the server reads jwt-key;
                  NAME is usually the server's jwt-field. --ttl takes s, m, h or d.
              demo [--port N] [--backend internal|socket]
                  Run a self-contained demo on 127.0.0.1 (port 8080, or a free one if taken)
                  with sample files, their owners in .meta files beside them and uploads on
                  (internal), or a sample backend on a Unix socket (socket), and print curl
                  commands to try.
              help
                  Show this text.

            Exit codes: 0 done, 1 failed, 2 wrong usage or configuration.
            """;

    /**
     * The handler announces itself at INFO when it starts; the commands print their own ready line
     * instead. Held here because java.util.logging keeps loggers, and so their levels, only weakly.
     */
    private static final Logger HANDLER_LOG = Logger.getLogger("io.keyhole.jetty.KeyholeHandler");

    private Main() {
    }

    /** This build's version, e.g. {@code 0.1.0}, from the jar's resources. */
    static String version() {
        java.util.Properties p = new java.util.Properties();
        try (java.io.InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (java.io.IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }

    public static void main(String[] args) {
        // One line per record; the JDK's default format spreads each over two.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT %4$s %3$s: %5$s%6$s%n");
        }
        HANDLER_LOG.setLevel(Level.WARNING);
        int status = run(args, System.out, System.err);
        System.out.flush();
        if (status != OK) {
            Shutdown.exit(status);
        }
    }

    /** Runs one command; returns its exit code. {@code serve} and {@code demo} return once stopped. */
    static int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0) {
            err.print(USAGE_TEXT);
            return USAGE;
        }
        List<String> args = Arrays.asList(argv).subList(1, argv.length);
        String command = argv[0];
        if (command.equals("--version") || command.equals("version")) {
            out.println("keyhole " + version());
            return OK;
        }
        if (command.equals("help") || command.equals("--help") || command.equals("-h")
                || args.contains("--help") || args.contains("-h")) {
            out.print(USAGE_TEXT);
            return OK;
        }
        try {
            return switch (command) {
                case "serve" -> ServeCommand.run(args, out, err);
                case "init" -> InitCommand.run(args, out);
                case "put" -> PutCommand.run(args, System.in, out);
                case "rm" -> RmCommand.run(args, out, err);
                case "fsck" -> FsckCommand.run(args, out);
                case "token" -> TokenCommand.run(args, out);
                case "demo" -> DemoCommand.run(args, out, err);
                default -> {
                    err.println("keyhole: unknown command '" + command + "'");
                    err.print(USAGE_TEXT);
                    yield USAGE;
                }
            };
        } catch (UsageException e) {
            err.println("keyhole: " + e.getMessage());
            return USAGE;
        } catch (Failure e) {
            err.println("keyhole: " + command + ": " + e.getMessage());
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("keyhole: " + command + ": interrupted");
            return FAILED;
        } catch (Exception e) {
            // Unexpected: say what it was without a stack trace; the message is meant to be enough.
            err.println("keyhole: " + command + " failed: " + e);
            return FAILED;
        }
    }
}
