package io.keyhole.examples.spring;

import io.keyhole.ConfigKey;
import io.keyhole.KeyholeConfig;
import io.keyhole.servlet.KeyholeFilter;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Registers Keyhole in a Spring Boot 3 application. Copy this class into the application and
 * put the settings into {@code application.properties} with a {@code keyhole.} prefix:
 *
 * <pre>
 * keyhole.fs-root=/var/lib/keyhole/files
 * keyhole.mount=/files/
 * keyhole.unix-socket=/run/keyhole/auth.sock
 * keyhole.jwt-key=file:/etc/keyhole/jwt.key
 * keyhole.jwt-field=uid
 * </pre>
 *
 * The keys are those of {@link ConfigKey}; a bad value stops the application at start with a
 * message naming the key.
 */
@Configuration(proxyBeanMethods = false)
public class KeyholeConfiguration {

    /** Prefix of Keyhole's keys among the application's properties. */
    public static final String PREFIX = "keyhole.";

    /**
     * Ahead of Spring Security's filter chain (order -100): file requests carry their own token
     * and are authorised by Keyhole's backend, so the application's own security rules should not
     * see them first.
     */
    public static final int ORDER = -110;

    /** The configuration, from the application's {@code keyhole.*} properties. */
    @Bean
    public KeyholeConfig keyholeConfig(Environment environment) {
        Map<String, String> settings = new HashMap<>();
        for (String key : ConfigKey.names()) {
            String value = environment.getProperty(PREFIX + key);
            if (value != null) {
                settings.put(key, value);
            }
        }
        return KeyholeConfig.fromProperties(settings);
    }

    /**
     * The filter, mapped to the mount only, so that other requests never pass through it. The
     * servlet container destroys it when the application stops (Spring Boot stops its embedded
     * server as the context closes), and the filter then closes the connection pool or transport
     * Keyhole started.
     */
    @Bean
    public FilterRegistrationBean<KeyholeFilter> keyholeFilter(KeyholeConfig config) {
        FilterRegistrationBean<KeyholeFilter> registration = new FilterRegistrationBean<>(new KeyholeFilter(config));
        registration.setName("keyhole");
        registration.addUrlPatterns(config.mount() + "*");
        registration.setOrder(ORDER);
        return registration;
    }
}
