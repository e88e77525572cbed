package io.keyhole.spring.boot;

import io.keyhole.servlet.KeyholeFilter;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * Keyhole's filter as Spring sees it: before the request is served, the observation Spring
 * records for it ({@code http.server.requests} in Actuator) learns the route, so file requests
 * are counted under the mount's pattern (e.g. {@code /files/{id}}) rather than as
 * {@code UNKNOWN}. Neither the request nor the response is wrapped, so the containers'
 * zero-copy paths stay open.
 */
final class ObservedFilter implements Filter {

    /** The request attribute Spring MVC sets to the pattern it matched; other instrumentation reads it too. */
    static final String BEST_MATCHING_PATTERN = "org.springframework.web.servlet.HandlerMapping.bestMatchingPattern";

    private final KeyholeFilter keyhole;
    private final String pattern;

    ObservedFilter(KeyholeFilter keyhole, String pattern) {
        this.keyhole = keyhole;
        this.pattern = pattern;
    }

    @Override
    public void init(FilterConfig filterConfig) throws ServletException {
        keyhole.init(filterConfig);
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request instanceof HttpServletRequest http) {
            // Requests Keyhole passes on reach Spring MVC, which sets its own pattern.
            ServerHttpObservationFilter.findObservationContext(http).ifPresent(c -> c.setPathPattern(pattern));
            http.setAttribute(BEST_MATCHING_PATTERN, pattern);
        }
        keyhole.doFilter(request, response, chain);
    }

    @Override
    public void destroy() {
        keyhole.destroy();
    }
}
