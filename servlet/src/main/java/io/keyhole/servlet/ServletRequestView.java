package io.keyhole.servlet;

import io.keyhole.NameValue;
import io.keyhole.RequestView;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/** A servlet request seen through the core's {@link RequestView}; reads lazily, copies nothing up front. */
final class ServletRequestView implements RequestView {

    private final HttpServletRequest request;
    private final String path;

    /** The request with the path the container mapped it by ({@link #pathInContext}). */
    ServletRequestView(HttpServletRequest request) {
        this(request, pathInContext(request));
    }

    /** The request with a path below the context that the caller read from the container itself. */
    ServletRequestView(HttpServletRequest request, String path) {
        this.request = request;
        this.path = path;
    }

    /**
     * The servlet path and the path info: the path below the context that the container decoded,
     * normalised and chose the filters and the servlet by (Servlet 6.0 §3.5.2, §12.1). The raw
     * request URI is no substitute: {@code /app/fil%65s/…} and {@code /app/files;x/…} are mapped
     * to {@code /files/*} but do not start with {@code /files/}.
     */
    static String pathInContext(HttpServletRequest request) {
        String servletPath = request.getServletPath();
        String pathInfo = request.getPathInfo();
        if (pathInfo == null) {
            return servletPath == null ? "" : servletPath;
        }
        return servletPath == null || servletPath.isEmpty() ? pathInfo : servletPath + pathInfo;
    }

    @Override
    public String method() {
        return request.getMethod();
    }

    /** Decoded and normalised, as the container mapped it. */
    @Override
    public String path() {
        return path;
    }

    @Override
    public String query() {
        return request.getQueryString();
    }

    @Override
    public String remoteAddress() {
        return request.getRemoteAddr();
    }

    @Override
    public List<String> values(String name) {
        Enumeration<String> values = request.getHeaders(name);
        if (values == null || !values.hasMoreElements()) {
            // most fields a request is asked for are absent: no list for them
            return List.of();
        }
        String one = values.nextElement();
        if (!values.hasMoreElements()) {
            return one == null ? Collections.singletonList(null) : List.of(one);
        }
        List<String> all = new ArrayList<>();
        all.add(one);
        while (values.hasMoreElements()) {
            all.add(values.nextElement());
        }
        return all;
    }

    @Override
    public String first(String name) {
        return request.getHeader(name);
    }

    @Override
    public List<NameValue> headers() {
        List<NameValue> out = new ArrayList<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            for (String value : values(name)) {
                out.add(new NameValue(name, value));
            }
        }
        return out;
    }

    @Override
    public InputStream body() throws IOException {
        return request.getInputStream();
    }

    @Override
    public String contextPath() {
        return request.getContextPath();
    }

    @Override
    public List<NameValue> cookies() {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return List.of();
        }
        List<NameValue> out = new ArrayList<>(cookies.length);
        for (Cookie c : cookies) {
            out.add(new NameValue(c.getName(), c.getValue()));
        }
        return out;
    }
}
