package io.keyhole.spring.boot;

import io.keyhole.Authorizer;
import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import io.keyhole.observe.Answered;
import io.keyhole.observe.Asked;
import io.keyhole.observe.KeyholeListener;
import io.keyhole.servlet.KeyholeFilter;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Keyhole in a Spring Boot servlet application, from its {@code keyhole.*} properties (see
 * {@link KeyholeProperties}): the engine, closed with the context; its filter on the mount, ahead
 * of the application's own filters; an {@link Authorizer} bean, when the application has one,
 * instead of a socket backend; Micrometer meters and an Actuator health contributor when those
 * are on the class path. {@code keyhole.enabled=false} leaves all of it out.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(KeyholeFilter.class)
@ConditionalOnProperty(prefix = KeyholeProperties.PREFIX, name = KeyholeProperties.ENABLED, havingValue = "true",
        matchIfMissing = true)
public class KeyholeAutoConfiguration {

    /**
     * The filter's place without {@code credential=spring-security}: right after Spring's own
     * observation filter (so the request is still measured), before every other filter, Spring
     * Security's included: file requests carry their own credential.
     */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

    /** Spring Security's filter chain's place unless {@code spring.security.filter.order} moves it. */
    private static final int SECURITY_ORDER = -100;

    /** The properties, checked: an unknown key or a bad value stops the start here. */
    @Bean
    @ConditionalOnMissingBean
    public KeyholeProperties keyholeProperties(Environment environment) {
        try {
            return KeyholeProperties.read(environment);
        } catch (IllegalArgumentException e) {
            throw new KeyholeConfigurationException(e.getMessage(), e);
        }
    }

    /**
     * The configuration: the properties, the application's {@link Authorizer} bean if it has one,
     * every {@link KeyholeListener} bean, and the signed-in user with {@code credential=spring-security}.
     */
    @Bean
    @ConditionalOnMissingBean
    public KeyholeConfig keyholeConfig(KeyholeProperties properties, ObjectProvider<Authorizer> authorizer,
                                       ObjectProvider<KeyholeListener> listeners) {
        try {
            KeyholeConfig.Builder builder = KeyholeConfig.builder().properties(properties.text());
            authorizer.ifAvailable(builder::authorizer);
            List<KeyholeListener> all = listeners.orderedStream().toList();
            if (!all.isEmpty()) {
                builder.listener(all.size() == 1 ? all.get(0) : new Listeners(all));
            }
            if (properties.springSecurity()) {
                if (!ClassUtils.isPresent("org.springframework.security.core.context.SecurityContextHolder",
                        KeyholeAutoConfiguration.class.getClassLoader())) {
                    throw new IllegalArgumentException(KeyholeProperties.PREFIX + "." + KeyholeProperties.CREDENTIAL
                            + "=spring-security needs Spring Security: add org.springframework.boot:spring-boot-starter-security");
                }
                builder.signedInCaller(new SpringSecurityCaller(properties.claim()));
            }
            return builder.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new KeyholeConfigurationException(e.getMessage(), e);
        }
    }

    /** The engine: started here, closed when the context closes. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Keyhole keyhole(KeyholeConfig config) {
        return new Keyhole(config);
    }

    /** The filter, on the mount only. */
    @Bean
    public FilterRegistrationBean<ObservedFilter> keyholeFilter(Keyhole keyhole, KeyholeProperties properties,
                                                                Environment environment) {
        KeyholeConfig config = keyhole.config();
        String pattern = config.mount() + (config.media() != null ? "**" : "{id}");
        FilterRegistrationBean<ObservedFilter> registration =
                new FilterRegistrationBean<>(new ObservedFilter(new KeyholeFilter(keyhole), pattern));
        registration.setName("keyhole");
        registration.addUrlPatterns(config.mount() + "*");
        registration.setOrder(properties.springSecurity()
                // behind the security chain, which signs the user in
                ? environment.getProperty("spring.security.filter.order", Integer.class, SECURITY_ORDER) + 1
                : ORDER);
        return registration;
    }

    /** Micrometer meters, when Micrometer is on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class Metrics {

        @Bean
        @ConditionalOnMissingBean
        KeyholeMetrics keyholeMetrics() {
            return new KeyholeMetrics();
        }
    }

    /** The {@code keyhole} health contributor on Spring Boot 3.5. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = KeyholeHealth.BOOT3 + ".HealthIndicator")
    static class Boot3Health {

        @Bean
        @ConditionalOnMissingBean(name = "keyholeHealthIndicator")
        Object keyholeHealthIndicator(Keyhole keyhole) {
            return KeyholeHealth.indicator(KeyholeHealth.BOOT3, keyhole);
        }
    }

    /** The {@code keyhole} health contributor on Spring Boot 4.0. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = KeyholeHealth.BOOT4 + ".HealthIndicator")
    static class Boot4Health {

        @Bean
        @ConditionalOnMissingBean(name = "keyholeHealthIndicator")
        Object keyholeHealthIndicator(Keyhole keyhole) {
            return KeyholeHealth.indicator(KeyholeHealth.BOOT4, keyhole);
        }
    }

    /** Several listeners as one, each told in turn. */
    private record Listeners(List<KeyholeListener> all) implements KeyholeListener {

        @Override
        public void answered(Answered event) {
            all.forEach(l -> l.answered(event));
        }

        @Override
        public void asked(Asked event) {
            all.forEach(l -> l.asked(event));
        }

        @Override
        public void cacheLookup(boolean hit) {
            all.forEach(l -> l.cacheLookup(hit));
        }
    }
}
