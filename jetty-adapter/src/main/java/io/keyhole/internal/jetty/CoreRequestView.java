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

/** A Jetty core request seen through the core's {@link RequestView}; reads lazily. */
public final class CoreRequestView implements RequestView {

    private final Request request;

    public CoreRequestView(Request request) {
        this.request = request;
    }

    @Override
    public String method() {
        return request.getMethod();
    }

    /** The raw path below the context: still percent-encoded, as the client sent it. */
    @Override
    public String path() {
        String path = request.getHttpURI().getPath();
        String context = Request.getContextPath(request);
        return context == null || context.isEmpty() || !path.startsWith(context) ? path : path.substring(context.length());
    }

    @Override
    public String query() {
        return request.getHttpURI().getQuery();
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
