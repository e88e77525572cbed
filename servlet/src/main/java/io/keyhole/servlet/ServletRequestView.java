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

    ServletRequestView(HttpServletRequest request) {
        this.request = request;
    }

    @Override
    public String method() {
        return request.getMethod();
    }

    /** The raw request path below the context: still percent-encoded, as the client sent it. */
    @Override
    public String path() {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        return context.isEmpty() || !uri.startsWith(context) ? uri : uri.substring(context.length());
    }

    @Override
    public String query() {
        return request.getQueryString();
    }

    @Override
    public List<String> values(String name) {
        Enumeration<String> values = request.getHeaders(name);
        return values == null ? List.of() : Collections.list(values);
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
