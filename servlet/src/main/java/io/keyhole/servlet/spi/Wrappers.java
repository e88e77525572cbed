package io.keyhole.servlet.spi;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;

/**
 * What a zero-copy {@link Renderer} needs to know of the wrappers other filters put around the
 * request and the response (Spring Security wraps both on every request): the container's own
 * objects below them, and whether one of them wants to see the body. A renderer that sends the
 * body below the wrappers must stream instead when one does; every other wrapper it may pass by.
 */
public final class Wrappers {

    private static final String COMMIT_WATCHER = "org.springframework.security.web.util.OnCommittedResponseWrapper";

    private Wrappers() {
    }

    /** The request below every {@link ServletRequestWrapper}: the container's own. */
    public static ServletRequest innermost(ServletRequest request) {
        ServletRequest r = request;
        while (r instanceof ServletRequestWrapper wrapper) {
            r = wrapper.getRequest();
        }
        return r;
    }

    /** The response below every {@link ServletResponseWrapper}: the container's own. */
    public static ServletResponse innermost(ServletResponse response) {
        ServletResponse r = response;
        while (r instanceof ServletResponseWrapper wrapper) {
            r = wrapper.getResponse();
        }
        return r;
    }

    /**
     * The outermost wrapper around {@code response} that writes or watches the body itself, or
     * {@code null} when none does. Such a wrapper overrides the body's way out,
     * {@link ServletResponse#getOutputStream()} or {@link ServletResponse#getWriter()}, as a
     * compressing or caching wrapper does. Spring Security's {@code OnCommittedResponseWrapper}s
     * override both only to notice the commit, and add their headers then; they count as leaving
     * the body alone, for a renderer that commits through them ({@link ServletResponse#flushBuffer()})
     * before it sends the body, or after the filter chain has returned.
     */
    public static ServletResponseWrapper bodyWatcher(ServletResponse response) {
        for (ServletResponse r = response; r instanceof ServletResponseWrapper wrapper; r = wrapper.getResponse()) {
            if (seesTheBody(wrapper.getClass())) {
                return wrapper;
            }
        }
        return null;
    }

    private static boolean seesTheBody(Class<?> wrapper) {
        for (Class<?> c = wrapper; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(COMMIT_WATCHER)) {
                return false;
            }
        }
        try {
            return wrapper.getMethod("getOutputStream").getDeclaringClass() != ServletResponseWrapper.class
                    || wrapper.getMethod("getWriter").getDeclaringClass() != ServletResponseWrapper.class;
        } catch (NoSuchMethodException e) {
            return true;
        }
    }
}
