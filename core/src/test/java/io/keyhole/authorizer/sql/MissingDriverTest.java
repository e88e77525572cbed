package io.keyhole.authorizer.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MariaDB driver is an optional dependency: an application that configures a SQL backend
 * without it is stopped at start with the dependency to add, and one that does not is not
 * touched. Run in a child JVM whose class path lacks the driver.
 */
class MissingDriverTest {

    @TempDir
    Path dir;

    @Test
    void withoutTheDriverTheStartNamesTheDependencyToAdd() throws Exception {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("mariadb-java-client"))
                .collect(Collectors.joining(File.pathSeparator));
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, MissingDriverTest.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(3, child.exitValue(), output);
        assertTrue(output.contains("request-type=sql needs the MariaDB JDBC driver")
                && output.contains("org.mariadb.jdbc:mariadb-java-client"), output);
        assertTrue(output.contains("socket backend started without the driver"), output);
    }

    /** In the child: a socket backend starts, a SQL backend fails with the message, printed; exit 3. */
    public static void main(String[] args) throws Exception {
        Path root = Files.createDirectories(Path.of(args[0], "tree"));
        try (Keyhole socket = new Keyhole(KeyholeConfig.fromProperties(Map.of("fs-root", root.toString(),
                "fs-depth", "2", "unix-socket", root.resolve("auth.sock").toString())))) {
            System.out.println("socket backend started without the driver: " + socket.config().describeBackend());
        }
        try {
            new Keyhole(KeyholeConfig.fromProperties(Map.of("fs-root", root.toString(), "fs-depth", "2",
                    "request-type", "sql", "transport-type", "mysql", "sql-dsn", "127.0.0.1:3306:u:p:db",
                    "sql-query", "SELECT * FROM cdn WHERE file_id = '%s' AND auth_value = '%s'"))).close();
            System.out.println("started without the driver");
            System.exit(1);
        } catch (IllegalStateException | IllegalArgumentException e) {
            System.out.println(e.getMessage());
            System.exit(3);
        }
    }
}
