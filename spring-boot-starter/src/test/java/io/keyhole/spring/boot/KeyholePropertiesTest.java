package io.keyhole.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** Relaxed names for the same keys, and every unknown name refused with the nearest known one. */
class KeyholePropertiesTest {

    private static StandardEnvironment environment(Map<String, Object> properties, Map<String, Object> variables) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        env.getPropertySources().addLast(new MapPropertySource("application.properties", properties));
        env.getPropertySources().addLast(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
        return env;
    }

    @Test
    void relaxedNamesReachTheTextKeys() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("keyhole.fsRoot", "/srv/files");
        props.put("keyhole.jwt_field", "uid");
        props.put("keyhole.json-extra-headers[0]", "X-Tenant");
        props.put("keyhole.json-extra-headers[1]", "X-Trace");
        props.put("keyhole.fs-depth", 2);
        KeyholeProperties p = KeyholeProperties.read(environment(props, Map.of(
                "KEYHOLE_UNIXSOCKET", "/run/auth.sock", "KEYHOLE_JWT_KEY", "file:/etc/keyhole/jwt.key")));
        assertEquals(Map.of("fs-root", "/srv/files", "jwt-field", "uid", "json-extra-headers", "X-Tenant,X-Trace",
                "fs-depth", "2", "unix-socket", "/run/auth.sock", "jwt-key", "file:/etc/keyhole/jwt.key"), p.text());
        assertEquals("jwt", p.credential());
        assertFalse(p.springSecurity());
        assertNull(p.claim());
    }

    @Test
    void aMisspeltKeyIsRefusedWithTheNearestOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyholeProperties.read(
                environment(Map.of("keyhole.fs-root", "/srv", "keyhole.jwt-feild", "uid"), Map.of())));
        assertTrue(e.getMessage().startsWith("unknown configuration key 'jwt-feild'"), e.getMessage());
        assertTrue(e.getMessage().endsWith("did you mean 'jwt-field'?"), e.getMessage());
        IllegalArgumentException camel = assertThrows(IllegalArgumentException.class, () -> KeyholeProperties.read(
                environment(Map.of("keyhole.unixSockt", "/run/auth.sock"), Map.of())));
        assertTrue(camel.getMessage().contains("did you mean 'unix-socket'?"), camel.getMessage());
        IllegalArgumentException nested = assertThrows(IllegalArgumentException.class, () -> KeyholeProperties.read(
                environment(Map.of("keyhole.media.url", "https://media.example"), Map.of())));
        assertTrue(nested.getMessage().contains("did you mean 'media-url'?"), nested.getMessage());
    }

    @Test
    void anUnknownEnvironmentVariableIsOnlyWarnedAbout() {
        // other programs (a test harness, a sidecar) may set KEYHOLE_ variables of their own
        KeyholeProperties p = KeyholeProperties.read(environment(Map.of("keyhole.fs-root", "/srv"),
                Map.of("KEYHOLE_REQUIRE_NGINX", "1", "KEYHOLE_JWT_FEILD", "uid")));
        assertEquals(Map.of("fs-root", "/srv"), p.text());
    }

    @Test
    void theStartersOwnKeys() {
        KeyholeProperties p = KeyholeProperties.read(environment(Map.of("keyhole.credential", "spring-security",
                "keyhole.springSecurityClaim", "uid", "keyhole.enabled", "true"), Map.of()));
        assertTrue(p.springSecurity());
        assertEquals("uid", p.claim());
        assertEquals(Map.of(), p.text());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> KeyholeProperties.read(
                environment(Map.of("keyhole.credential", "session"), Map.of())));
        assertEquals("keyhole.credential must be one of jwt, spring-security; was 'session'", bad.getMessage());
        IllegalArgumentException lonely = assertThrows(IllegalArgumentException.class, () -> KeyholeProperties.read(
                environment(Map.of("keyhole.spring-security-claim", "uid"), Map.of())));
        assertEquals("keyhole.spring-security-claim needs keyhole.credential=spring-security", lonely.getMessage());
    }
}
