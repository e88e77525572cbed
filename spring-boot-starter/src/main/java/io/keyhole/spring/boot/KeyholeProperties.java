package io.keyhole.spring.boot;

import io.keyhole.internal.Logs;
import io.keyhole.ConfigKey;
import io.keyhole.internal.Settings;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The application's {@code keyhole.*} properties: the keys of the text configuration
 * ({@link ConfigKey}) under the prefix {@code keyhole.}, read with Spring Boot's relaxed binding
 * ({@code keyhole.fs-root}, {@code keyhole.fsRoot}, {@code KEYHOLE_FSROOT} and
 * {@code KEYHOLE_FS_ROOT} are one key), plus three keys only the starter reads:
 * {@code enabled}, {@code credential} and {@code spring-security-claim}.
 *
 * <p>Every name under {@code keyhole.} must be one of these: an unknown one stops the start with
 * the text configuration's message, which names the nearest key. Environment variables are the
 * exception: other programs share their names, so an unknown {@code KEYHOLE_…} variable is
 * logged as a warning with the same message and otherwise ignored.
 *
 * @param text        the text configuration, key to value, as {@link ConfigKey} spells the keys
 * @param credential  {@code jwt} (the default: a JWT when {@code jwt-key} is set) or {@code spring-security}
 * @param claim       with {@code spring-security}: the claim of a JWT or OIDC authentication that is the
 *                    auth value; {@code null} for the authentication's name
 */
public record KeyholeProperties(Map<String, String> text, String credential, String claim) {

    private static final System.Logger LOG = Logs.of(KeyholeProperties.class);

    /** The prefix of Keyhole's properties. */
    public static final String PREFIX = "keyhole";

    /** {@code keyhole.enabled}: {@code false} leaves Keyhole out of the application. */
    public static final String ENABLED = "enabled";

    /** {@code keyhole.credential}: {@code jwt} (default) or {@code spring-security}. */
    public static final String CREDENTIAL = "credential";

    /** {@code keyhole.spring-security-claim}: the claim that is the auth value with {@code credential=spring-security}. */
    public static final String CLAIM = "spring-security-claim";

    /** The starter's own keys, beside those of {@link ConfigKey}. */
    public static final Set<String> STARTER_KEYS = Collections.unmodifiableSet(new LinkedHashSet<>(
            List.of(ENABLED, CREDENTIAL, CLAIM)));

    public KeyholeProperties {
        text = Collections.unmodifiableMap(new LinkedHashMap<>(text));
    }

    /** Whether the caller is Spring Security's current authentication. */
    public boolean springSecurity() {
        return credential.equals("spring-security");
    }

    /**
     * Reads and checks the properties.
     *
     * @throws IllegalArgumentException naming an unknown key (and the nearest known one) or a bad value
     */
    public static KeyholeProperties read(Environment environment) {
        Set<String> known = new LinkedHashSet<>(ConfigKey.names());
        known.addAll(STARTER_KEYS);
        Map<String, String> byUniform = new LinkedHashMap<>();
        for (String key : known) {
            byUniform.put(uniform(key), key);
        }
        List<Given> unknown = given(environment).stream()
                .filter(name -> !name.bindable() || !byUniform.containsKey(uniform(name.key()))).distinct().toList();
        // the text configuration's own check, and so its message
        refuse(unknown.stream().filter(name -> !name.variable()).toList(), known);
        try {
            refuse(unknown.stream().filter(Given::variable).toList(), known);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "ignoring an environment variable that begins with KEYHOLE_: {0}", e.getMessage());
        }
        Binder binder = Binder.get(environment);
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : known) {
            value(binder, key).ifPresent(v -> values.put(key, v));
        }
        String credential = Settings.oneOf(PREFIX + "." + CREDENTIAL, values.getOrDefault(CREDENTIAL, "jwt"),
                "jwt", "spring-security");
        String claim = values.get(CLAIM);
        if (claim != null && !credential.equals("spring-security")) {
            throw new IllegalArgumentException(PREFIX + "." + CLAIM + " needs " + PREFIX + "." + CREDENTIAL
                    + "=spring-security");
        }
        Map<String, String> text = new LinkedHashMap<>(values);
        text.keySet().removeAll(STARTER_KEYS);
        return new KeyholeProperties(text, credential, claim);
    }

    /**
     * A name given under {@code keyhole.}, without the prefix: each element in its dashed form,
     * joined by {@code .} ({@code keyhole.jwtFeild} reads {@code jwtfeild}, {@code keyhole.media.url}
     * {@code media.url}), or for an environment variable by {@code -} ({@code KEYHOLE_JWT_FEILD}
     * reads {@code jwt-feild}). List indexes ({@code [0]}) are left out.
     *
     * @param bindable whether Boot binds it to a key of one element: a single element, or any
     *                 number from an environment variable, whose underscores may stand for dashes
     * @param variable whether it is an environment variable
     */
    private record Given(String key, boolean bindable, boolean variable) {
    }

    private static void refuse(List<Given> unknown, Set<String> known) {
        Map<String, String> named = new LinkedHashMap<>();
        unknown.forEach(name -> named.put(name.key(), "?"));
        Settings.known(named, known, "configuration key");
    }

    private static List<Given> given(Environment environment) {
        ConfigurationPropertyName prefix = ConfigurationPropertyName.of(PREFIX);
        List<Given> names = new ArrayList<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (source instanceof IterableConfigurationPropertySource iterable) {
                boolean variables = source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource;
                iterable.stream().filter(prefix::isAncestorOf).forEach(name -> names.add(below(prefix, name, variables)));
            }
        }
        return names;
    }

    private static Given below(ConfigurationPropertyName prefix, ConfigurationPropertyName name, boolean variable) {
        List<String> elements = new ArrayList<>();
        for (int i = prefix.getNumberOfElements(); i < name.getNumberOfElements(); i++) {
            if (!name.isNumericIndex(i)) {
                elements.add(name.getElement(i, ConfigurationPropertyName.Form.DASHED));
            }
        }
        return new Given(String.join(variable ? "-" : ".", elements), variable || elements.size() == 1, variable);
    }

    /** One key's value: text, or a list joined by commas as the text configuration writes lists. */
    private static Optional<String> value(Binder binder, String key) {
        String name = PREFIX + "." + key;
        Optional<String> text = Optional.ofNullable(binder.bind(name, Bindable.of(String.class)).orElse(null));
        if (text.isPresent()) {
            return text.map(String::trim);
        }
        return Optional.ofNullable(binder.bind(name, Bindable.listOf(String.class)).orElse(null))
                .map(list -> String.join(",", list));
    }

    /** Letters and digits only, in lower case: how relaxed binding compares names. */
    private static String uniform(String name) {
        StringBuilder u = new StringBuilder(name.length());
        for (char c : name.toCharArray()) {
            if (Character.isLetterOrDigit(c)) {
                u.append(Character.toLowerCase(c));
            }
        }
        return u.toString();
    }
}
