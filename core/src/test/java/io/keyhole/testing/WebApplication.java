package io.keyhole.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * An unpacked web application, as a container unpacks a WAR: {@code KeyholeFilter} declared in
 * its {@code WEB-INF/web.xml} ({@link WebXml#keyholeFilter}), and Keyhole with its libraries
 * inside it, so that the application's own class loader loads them. Each library is given by one
 * of its classes: a jar is copied to {@code WEB-INF/lib}, a class directory (a module of this
 * build, before it is packaged) into {@code WEB-INF/classes}, its {@code META-INF/services} included.
 */
public final class WebApplication {

    private WebApplication() {
    }

    /**
     * Writes the application into {@code dir} (created if need be) and returns {@code dir}.
     *
     * @param settings  Keyhole's settings, the filter's init-params
     * @param libraries one class of each library the application bundles
     */
    public static Path write(Path dir, Map<String, String> settings, List<Class<?>> libraries) throws IOException {
        Path lib = Files.createDirectories(dir.resolve("WEB-INF/lib"));
        Path classes = Files.createDirectories(dir.resolve("WEB-INF/classes"));
        for (Class<?> type : libraries) {
            Path from = codeSource(type);
            if (Files.isDirectory(from)) {
                copyTree(from, classes);
            } else if (!Files.exists(lib.resolve(from.getFileName()))) {
                Files.copy(from, lib.resolve(from.getFileName()));
            }
        }
        Files.writeString(dir.resolve("WEB-INF/web.xml"), WebXml.keyholeFilter(settings), StandardCharsets.UTF_8);
        return dir;
    }

    private static Path codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("no file holds " + type.getName(), e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            files.filter(Files::isRegularFile).forEach(file -> {
                Path target = to.resolve(from.relativize(file).toString());
                try {
                    Files.createDirectories(target.getParent());
                    if (!Files.exists(target)) {
                        Files.copy(file, target);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
