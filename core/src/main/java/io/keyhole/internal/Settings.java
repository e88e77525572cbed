package io.keyhole.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading text settings (init-params, {@code .properties} files) the same way everywhere. Every
 * failure is an {@link IllegalArgumentException} that names the key and shows what is accepted.
 */
public final class Settings {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

    private Settings() {
    }

    /** {@code yes/no}, {@code on/off} or {@code true/false}. */
    public static boolean yesNo(String key, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "yes", "on", "true" -> true;
            case "no", "off", "false" -> false;
            default -> throw new IllegalArgumentException(key + " must be yes or no, was '" + value + "'");
        };
    }

    /**
     * The text settings with keys and values trimmed and blank values dropped (they count as
     * unset); an unknown key is refused, naming the known ones, so a typo never silently
     * disables a check.
     *
     * @param what how the settings are called in the message, e.g. {@code configuration key}
     */
    public static Map<String, String> known(Map<String, String> properties, Set<String> keys, String what) {
        Map<String, String> p = new LinkedHashMap<>();
        properties.forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                p.put(k.trim(), v.trim());
            }
        });
        for (String key : p.keySet()) {
            if (!keys.contains(key)) {
                throw new IllegalArgumentException("unknown " + what + " '" + key + "'; known: "
                        + String.join(", ", keys.stream().sorted().toList()) + didYouMean(key, keys));
            }
        }
        return p;
    }

    /**
     * The end of an unknown-key message: {@code ; did you mean 'fs-root'?} when a known key is
     * {@linkplain #closest close}, else nothing.
     */
    public static String didYouMean(String unknown, Collection<String> known) {
        return closest(unknown, known).map(k -> "; did you mean '" + k + "'?").orElse("");
    }

    /**
     * The known key a misspelt one most likely meant: the nearest within two edits (a letter
     * added, dropped, changed, or two neighbours swapped), the first in sorted order on a tie.
     */
    public static Optional<String> closest(String unknown, Collection<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : new TreeSet<>(known)) {
            int d = distance(unknown.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Optimal string alignment distance: Levenshtein, with a swap of neighbours counting as one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** A whole number. */
    public static int integer(String key, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, was '" + value + "'");
        }
    }

    /** One of {@code allowed}, any case, returned as spelt there. */
    public static String oneOf(String key, String value, String... allowed) {
        for (String a : allowed) {
            if (a.equalsIgnoreCase(value.trim())) {
                return a;
            }
        }
        throw new IllegalArgumentException(key + " must be one of " + String.join(", ", allowed)
                + "; was '" + value + "'");
    }

    /** A comma-separated list, the spaces around each comma dropped. */
    public static List<String> list(String value) {
        return List.of(value.split("\\s*,\\s*"));
    }

    /** A header or cookie name (an RFC 9110 token). */
    public static String token(String key, String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(key + " must not be blank");
        }
        String n = name.trim();
        if (!n.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
            throw new IllegalArgumentException(key + ": '" + n + "' is not a valid header or cookie name");
        }
        return n;
    }

    /** nginx-style durations: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}; a bare number is seconds. */
    public static Duration duration(String key, String value) {
        Matcher m = DURATION.matcher(value.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(key + " must be a duration such as 500ms, 5s, 2m or 1h; was '"
                    + value + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    /**
     * An inline secret, {@code file:/path} to read it from a file (surrounding whitespace, such as
     * a trailing newline, dropped) or {@code env:NAME} to take it from the environment, as UTF-8
     * bytes. The secret itself never appears in a message.
     */
    public static byte[] secret(String key, String value) {
        return secretText(key, value).getBytes(StandardCharsets.UTF_8);
    }

    /** As {@link #secret}, the text itself. */
    public static String secretText(String key, String value) {
        if (value.startsWith("file:")) {
            Path file = Path.of(value.substring("file:".length()));
            try {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException(key + ": cannot read the key file " + file + ": " + e, e);
            }
        }
        if (value.startsWith("env:")) {
            String name = value.substring("env:".length());
            String secret = System.getenv(name);
            if (secret == null) {
                throw new IllegalArgumentException(key + ": the environment variable " + name + " is not set");
            }
            return secret;
        }
        return value;
    }

    /**
     * An absolute URL path used as a prefix, e.g. {@code /protected/}: a {@code /} is added at
     * the end when missing.
     */
    public static String pathPrefix(String key, String value) {
        String p = value == null ? "" : value.trim();
        if (!p.startsWith("/") || p.contains("..") || p.contains("\\") || p.contains("//") || p.indexOf('?') >= 0
                || p.indexOf('#') >= 0 || p.indexOf('%') >= 0 || p.chars().anyMatch(c -> c < 0x21 || c >= 0x7f)) {
            throw new IllegalArgumentException(key + " must be an absolute URL path such as /media/, was '" + p + "'");
        }
        return p.endsWith("/") ? p : p + "/";
    }
}
