package io.keyhole.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of one command: {@code --name value} or {@code --name=value}, some of them
 * repeatable. Anything else (a stray word, an unknown or repeated option) is a usage error that
 * names it.
 */
final class Args {

    private final String command;
    private final Map<String, List<String>> values;

    private Args(String command, Map<String, List<String>> values) {
        this.command = command;
        this.values = values;
    }

    /**
     * @param command    for messages, e.g. {@code token}
     * @param known      option names without dashes
     * @param repeatable those of {@code known} that may be given more than once
     */
    static Args parse(String command, List<String> args, Set<String> known, Set<String> repeatable)
            throws UsageException {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new UsageException(command + ": unexpected argument '" + arg + "'; options look like --name value");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!known.contains(name)) {
                throw new UsageException(command + ": unknown option --" + name + "; it takes "
                        + String.join(", ", known.stream().sorted().map(k -> "--" + k).toList()));
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new UsageException(command + ": --" + name + " needs a value");
                }
                value = args.get(++i);
            }
            List<String> list = values.computeIfAbsent(name, k -> new ArrayList<>());
            if (!list.isEmpty() && !repeatable.contains(name)) {
                throw new UsageException(command + ": --" + name + " was given twice");
            }
            list.add(value);
        }
        return new Args(command, values);
    }

    /** The option's value, or {@code null} when absent. */
    String get(String name) {
        List<String> list = values.get(name);
        return list == null ? null : list.get(0);
    }

    /** The option's value; its absence is a usage error. */
    String require(String name) throws UsageException {
        String value = get(name);
        if (value == null) {
            throw new UsageException(command + ": --" + name + " is required");
        }
        return value;
    }

    /** Every value of a repeatable option, in order. */
    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    /** A whole number in {@code min..max}, or {@code fallback} when absent. */
    int integer(String name, int fallback, int min, int max) throws UsageException {
        String value = get(name);
        if (value == null) {
            return fallback;
        }
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a whole number, was '" + value + "'");
        }
        if (n < min || n > max) {
            throw new UsageException(command + ": --" + name + " must be " + min + ".." + max + ", was " + n);
        }
        return n;
    }
}
