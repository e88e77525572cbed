package io.keyhole.servlet;

import io.keyhole.KeyholeConfig;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;

/**
 * Serves authorised files below a mount. Configure it with init-params (the keys of
 * {@link KeyholeConfig.Builder#KEYS}) in {@code web.xml}, or hand it a {@link KeyholeConfig}
 * built in code. Requests outside the mount go down the chain untouched.
 */
public final class KeyholeFilter implements Filter {

    /** For containers that instantiate the filter and call {@link #init} with init-params. */
    public KeyholeFilter() {
        throw new UnsupportedOperationException("pending");
    }

    /** For code that builds the configuration itself (Spring, embedded containers). */
    public KeyholeFilter(KeyholeConfig config) {
        throw new UnsupportedOperationException("pending");
    }

    @Override
    public void init(FilterConfig filterConfig) throws ServletException {
        throw new UnsupportedOperationException("pending");
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        throw new UnsupportedOperationException("pending");
    }
}
