package io.keyhole.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.keyhole.ConfigKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The configuration metadata IDEs complete {@code keyhole.*} properties from
 * ({@code META-INF/spring-configuration-metadata.json}) is made from the {@link ConfigKey} table
 * and the starter's own keys: this test makes it anew and compares. After a change of the table,
 * write the file with {@code -Dkeyhole.updateMetadata=true}.
 */
class ConfigurationMetadataTest {

    static final Path FILE = Path.of("src/main/resources/META-INF/spring-configuration-metadata.json");
    static final String SOURCE = KeyholeProperties.class.getName();
    /** A default that is a value one could write, rather than words about one. */
    static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9:./_-]+");

    @Test
    void theMetadataListsEveryKeyOfTheTable() throws Exception {
        String expected = render();
        if (Boolean.getBoolean("keyhole.updateMetadata")) {
            Files.writeString(FILE, expected, StandardCharsets.UTF_8);
        }
        assertEquals(expected, Files.readString(FILE, StandardCharsets.UTF_8),
                "the metadata no longer matches ConfigKey; rerun with -Dkeyhole.updateMetadata=true");
    }

    static String render() throws Exception {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("groups", List.of(entry("name", KeyholeProperties.PREFIX, "type", SOURCE, "sourceType", SOURCE,
                "description", "Keyhole: authorised file delivery. The keys of its text configuration.")));
        List<Object> properties = new ArrayList<>();
        properties.add(entry("name", "keyhole.enabled", "type", "java.lang.Boolean", "sourceType", SOURCE,
                "description", "Whether Keyhole is configured at all; false leaves it out and checks nothing.",
                "defaultValue", true));
        properties.add(entry("name", "keyhole.credential", "type", "java.lang.String", "sourceType", SOURCE,
                "description", "Who the caller is: jwt (a JWT checked with jwt-key, or nobody without it) or"
                        + " spring-security (Spring Security's current authentication).",
                "defaultValue", "jwt"));
        properties.add(entry("name", "keyhole.spring-security-claim", "type", "java.lang.String", "sourceType",
                SOURCE, "description", "With credential=spring-security: the claim of a JWT or OIDC authentication"
                        + " sent as the auth value; unset, the authentication's name is."));
        for (ConfigKey key : ConfigKey.values()) {
            Map<String, Object> p = entry("name", KeyholeProperties.PREFIX + "." + key.key(), "type",
                    "java.lang.String", "sourceType", SOURCE);
            String description = Character.toUpperCase(key.description().charAt(0)) + key.description().substring(1) + ".";
            if (LITERAL.matcher(key.defaultValue()).matches()) {
                p.put("description", description);
                p.put("defaultValue", key.defaultValue());
            } else {
                p.put("description", description + " Default: " + key.defaultValue() + ".");
            }
            properties.add(p);
        }
        root.put("properties", properties);
        root.put("hints", List.of(
                entry("name", "keyhole.credential", "values", List.of(entry("value", "jwt"), entry("value", "spring-security"))),
                entry("name", "keyhole.request-type", "values", List.of(entry("value", "json"), entry("value", "sql"))),
                entry("name", "keyhole.delivery", "values", List.of(entry("value", "stream"),
                        entry("value", "x-accel-redirect"), entry("value", "x-sendfile"))),
                entry("name", "keyhole.renderer", "values", List.of(entry("value", "auto"), entry("value", "stream"),
                        entry("value", "jetty"), entry("value", "tomcat")))));
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
    }

    private static Map<String, Object> entry(Object... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
