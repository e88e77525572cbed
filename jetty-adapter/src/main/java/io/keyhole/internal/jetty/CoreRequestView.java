package io.keyhole.internal.jetty;

import io.keyhole.NameValue;
import io.keyhole.RequestView;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.URIUtil;

/** A Jetty core request seen through the core's {@link RequestView}; reads lazily. */
public final class CoreRequestView implements RequestView {

    private final Request request;
    private final String path;

    /**
     * Reads the path Jetty routed the request by: its canonical path in the context (normalised,
     * path parameters removed, the context's own path matched and cut off), which keeps a few
     * characters percent-encoded ({@code %20}, {@code %25}, {@code %2F} …); decoding those once
     * gives the path as the servlet layer reports it. Jetty's parser has refused malformed
     * escapes by now, under every URI compliance.
     */
    public CoreRequestView(Request request) {
        this.request = request;
        this.path = URIUtil.decodePath(Request.getPathInContext(request));
    }

    @Override
    public String method() {
        return request.getMethod();
    }

    /** Decoded and normalised, as Jetty routed the request. */
    @Override
    public String path() {
        return path;
    }

    @Override
    public String query() {
        return request.getHttpURI().getQuery();
    }

    @Override
    public String remoteAddress() {
        return Request.getRemoteAddr(request);
    }

    @Override
    public List<String> values(String name) {
        return request.getHeaders().getValuesList(name);
    }

    @Override
    public String first(String name) {
        return request.getHeaders().get(name);
    }

    @Override
    public List<NameValue> headers() {
        List<NameValue> out = new ArrayList<>(request.getHeaders().size());
        for (HttpField field : request.getHeaders()) {
            out.add(new NameValue(field.getName(), field.getValue()));
        }
        return out;
    }

    @Override
    public String contextPath() {
        String context = Request.getContextPath(request);
        return context == null ? "" : context;
    }

    @Override
    public InputStream body() {
        return Content.Source.asInputStream(request);
    }

    @Override
    public List<NameValue> cookies() {
        List<HttpCookie> cookies = Request.getCookies(request);
        List<NameValue> out = new ArrayList<>(cookies.size());
        for (HttpCookie c : cookies) {
            out.add(new NameValue(c.getName(), c.getValue()));
        }
        return out;
    }
}
