package io.keyhole.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Freezes a module's public API: every public (or protected) top-level type its compiled classes
 * hold, by package, against the checked-in list {@code src/test/resources/public-api.txt}. A type
 * that appears or disappears fails the module's {@code PublicApiTest}, naming it; so does a
 * public type in an {@code internal} package that the list does not justify. Such types belong
 * to the list's second part, each followed by {@code —} and who needs it public.
 *
 * <p>After an intentional change, rewrite the lists of every module with one command, then
 * review and commit the diff:
 * <pre>{@code
 * ./mvnw -B -o -q verify -pl core,servlet,jetty-adapter,tomcat-adapter,cli -am \
 *     -Dtest=PublicApiTest -Dsurefire.failIfNoSpecifiedTests=false -Dkeyhole.updateApi=true
 * }</pre>
 * The rewrite keeps the reasons already written for internal types; a new one gets
 * {@value #UNJUSTIFIED}, which the next run fails on until it is replaced by a reason (or
 * the type made package-private).
 */
public final class PublicApi {

    /** The system property that makes the test rewrite the list instead of comparing. */
    public static final String UPDATE = "keyhole.updateApi";

    /** The command that rewrites every list. */
    public static final String UPDATE_COMMAND = "./mvnw -B -o -q verify -pl core,servlet,jetty-adapter,tomcat-adapter,cli"
            + " -am -Dtest=PublicApiTest -Dsurefire.failIfNoSpecifiedTests=false -Dkeyhole.updateApi=true";

    /** The reason written for an internal type that has none yet. */
    static final String UNJUSTIFIED = "TODO: who needs it public?";

    private static final String INTERNAL_HEADING = "## Not API: public only because code outside their package must reach"
            + " them";
    private static final String REASON = " — ";

    private PublicApi() {
    }

    /**
     * Compares (or, with {@code -Dkeyhole.updateApi=true}, rewrites) the list of the module whose
     * compiled classes hold {@code anchor}.
     *
     * @param artifactId the module, as named in messages and in the list's header
     */
    public static void check(String artifactId, Class<?> anchor) {
        Path classes = classesDirectory(anchor);
        Path file = classes.getParent().getParent().resolve("src/test/resources/public-api.txt");
        check(artifactId, publicTypes(classes, anchor.getClassLoader()), file, Boolean.getBoolean(UPDATE));
    }

    /** Compares {@code actual} with the list in {@code file}, after rewriting it when {@code update}. */
    static void check(String artifactId, Set<String> actual, Path file, boolean update) {
        Map<String, String> reasons = Files.exists(file) ? read(file).reasons : Map.of();
        if (update) {
            write(file, artifactId, actual, reasons);
        }
        if (!Files.exists(file)) {
            fail(artifactId + " has no " + file + "; create it with " + UPDATE_COMMAND);
        }
        Listed listed = read(file);
        List<String> problems = new ArrayList<>();
        Set<String> appeared = new TreeSet<>(actual);
        appeared.removeAll(listed.types);
        Set<String> disappeared = new TreeSet<>(listed.types);
        disappeared.removeAll(actual);
        if (!appeared.isEmpty() || !disappeared.isEmpty()) {
            problems.add("the public API of " + artifactId + " changed:"
                    + (appeared.isEmpty() ? "" : "\n  appeared:    " + String.join(", ", appeared))
                    + (disappeared.isEmpty() ? "" : "\n  disappeared: " + String.join(", ", disappeared))
                    + "\nIf that is intended, rewrite " + file + " with\n  " + UPDATE_COMMAND
                    + "\nand commit it; otherwise make the new types package-private (or bring the old ones back).");
        }
        for (String type : listed.types) {
            boolean internal = internal(type);
            if (internal != listed.reasons.containsKey(type)) {
                problems.add(type + (internal ? " is in an internal package but listed above" : " is not internal but"
                        + " listed below") + " the heading '" + INTERNAL_HEADING + "' in " + file
                        + "; rewrite the file with " + UPDATE_COMMAND);
            }
        }
        List<String> unjustified = new ArrayList<>();
        listed.reasons.forEach((type, reason) -> {
            if (reason.isBlank() || reason.equals(UNJUSTIFIED)) {
                unjustified.add(type + " is public in an internal package: make it package-private, or write after the"
                        + " '—' in " + file + " who needs it public");
            }
        });
        if (update) {
            // the rewrite goes on to the other modules; the next run without the property fails on these
            unjustified.forEach(u -> System.err.println("PublicApi: " + u));
        } else {
            problems.addAll(unjustified);
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n\n", problems));
        }
    }

    /** The names of the public or protected top-level types compiled into {@code classes}. */
    static Set<String> publicTypes(Path classes, ClassLoader loader) {
        Set<String> types = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = classes.relativize(f).toString().replace(f.getFileSystem().getSeparator(), ".");
                if (!name.endsWith(".class") || name.contains("$") || name.endsWith("module-info.class")
                        || name.endsWith("package-info.class")) {
                    continue;
                }
                name = name.substring(0, name.length() - ".class".length());
                int modifiers = Class.forName(name, false, loader).getModifiers();
                if (Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers)) {
                    types.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("a compiled class cannot be loaded: " + e.getMessage(), e);
        }
        return types;
    }

    static boolean internal(String type) {
        return packageOf(type).contains("internal");
    }

    private static String packageOf(String type) {
        int dot = type.lastIndexOf('.');
        return dot < 0 ? "" : type.substring(0, dot);
    }

    private static Path classesDirectory(Class<?> anchor) {
        try {
            Path p = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isDirectory(p) || !p.getFileName().toString().equals("classes")) {
                throw new IllegalStateException(anchor + " was loaded from " + p + ", not from a module's target/classes;"
                        + " run the test from the module's build");
            }
            return p;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a list file says: the types, and for internal ones the reason given. */
    record Listed(Set<String> types, Map<String, String> reasons) {
    }

    static Listed read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> types = new TreeSet<>();
        Map<String, String> reasons = new TreeMap<>();
        boolean belowHeading = false;
        String pkg = null;
        for (String line : lines) {
            if (line.startsWith(INTERNAL_HEADING)) {
                belowHeading = true;
            } else if (line.isBlank() || line.startsWith("#")) {
                continue;
            } else if (!Character.isWhitespace(line.charAt(0))) {
                pkg = line.trim();
            } else {
                String entry = line.trim();
                int r = entry.indexOf(REASON.trim());
                String simple = (r < 0 ? entry : entry.substring(0, r)).trim();
                String type = pkg == null || pkg.isEmpty() ? simple : pkg + "." + simple;
                types.add(type);
                if (belowHeading) {
                    reasons.put(type, r < 0 ? "" : entry.substring(r + 1).trim());
                }
            }
        }
        return new Listed(types, reasons);
    }

    private static void write(Path file, String artifactId, Set<String> types, Map<String, String> reasons) {
        StringBuilder out = new StringBuilder();
        out.append("# The public API of ").append(artifactId).append(": every public top-level type, by package.\n")
                .append("# PublicApiTest fails when a type appears or disappears. After an intentional change rewrite\n")
                .append("# this file (the reasons below are kept) and review the diff:\n")
                .append("#   ").append(UPDATE_COMMAND).append('\n');
        Comparator<String> byPackage = Comparator.comparing(PublicApi::packageOf).thenComparing(Comparator.naturalOrder());
        appendPackages(out, types.stream().filter(t -> !internal(t)).sorted(byPackage).toList(), null);
        List<String> internal = types.stream().filter(PublicApi::internal).sorted(byPackage).toList();
        if (!internal.isEmpty()) {
            out.append('\n').append(INTERNAL_HEADING).append('\n')
                    .append("# Internal packages are not API and change without notice. Each type here says, after\n")
                    .append("# the dash, who needs it public (another module, another package, a library that loads\n")
                    .append("# it by name); otherwise it must be package-private.\n");
            appendPackages(out, internal, reasons);
        }
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void appendPackages(StringBuilder out, List<String> types, Map<String, String> reasons) {
        String pkg = null;
        for (String type : types) {
            String p = packageOf(type);
            if (!p.equals(pkg)) {
                out.append('\n').append(p).append('\n');
                pkg = p;
            }
            out.append("    ").append(type.substring(p.isEmpty() ? 0 : p.length() + 1));
            if (reasons != null) {
                String reason = reasons.getOrDefault(type, "");
                out.append(REASON).append(reason.isBlank() ? UNJUSTIFIED : reason);
            }
            out.append('\n');
        }
    }
}
