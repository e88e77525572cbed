package io.keyhole.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code keyhole token}: mints a JWT for trying a server out. The key is read exactly as the
 * server reads {@code jwt-key}: {@code --key} is the secret's text, {@code --key-file} a file
 * whose text (surrounding whitespace dropped) is the secret, like {@code jwt-key = file:/path}.
 */
final class TokenCommand {

    static final Duration DEFAULT_TTL = Duration.ofHours(1);
    private static final Pattern TTL = Pattern.compile("(\\d{1,9})([smhd]?)");

    private TokenCommand() {
    }

    static int run(List<String> argv, PrintStream out) throws UsageException {
        Args args = Args.parse("token", argv, Set.of("key", "key-file", "claim", "ttl", "alg"), Set.of("claim"));
        byte[] key = key(args);
        String algorithm = args.get("alg") == null ? "HS256" : args.get("alg").toUpperCase(Locale.ROOT);
        if (!Set.of("HS256", "HS384", "HS512").contains(algorithm)) {
            throw new UsageException("token: --alg must be HS256, HS384 or HS512, was '" + args.get("alg") + "'");
        }
        if (key.length < Tokens.minKeyBytes(algorithm)) {
            throw new UsageException("token: the key has " + key.length + " bytes; " + algorithm + " needs at least "
                    + Tokens.minKeyBytes(algorithm) + " (use the same key as the server's jwt-key)");
        }
        Map<String, String> claims = claims(args.all("claim"));
        Duration ttl = ttl(args.get("ttl"));
        out.println(Tokens.mint(key, algorithm, claims, ttl, Instant.now()));
        return 0;
    }

    private static byte[] key(Args args) throws UsageException {
        String inline = args.get("key");
        String file = args.get("key-file");
        if ((inline == null) == (file == null)) {
            throw new UsageException("token: give exactly one of --key KEY and --key-file FILE");
        }
        if (inline != null) {
            return inline.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException("token: cannot read --key-file " + file + ": " + e.getMessage());
        }
    }

    private static Map<String, String> claims(List<String> specs) throws UsageException {
        if (specs.isEmpty()) {
            throw new UsageException("token: --claim NAME=VALUE is required, e.g. --claim uid=alice"
                    + " (NAME is the server's jwt-field)");
        }
        Map<String, String> claims = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("token: --claim must be NAME=VALUE, was '" + spec + "'");
            }
            String name = spec.substring(0, eq);
            if (Tokens.TIME_CLAIMS.contains(name)) {
                throw new UsageException("token: --claim " + name + " is set from --ttl; leave it out");
            }
            if (claims.put(name, spec.substring(eq + 1)) != null) {
                throw new UsageException("token: claim '" + name + "' was given twice");
            }
        }
        return claims;
    }

    static Duration ttl(String text) throws UsageException {
        if (text == null) {
            return DEFAULT_TTL;
        }
        Matcher m = TTL.matcher(text.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new UsageException("token: --ttl must be a positive duration such as 90s, 15m, 1h or 7d; was '"
                    + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
