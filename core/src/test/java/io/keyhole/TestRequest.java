package io.keyhole;

import java.util.ArrayList;
import java.util.List;

/** A request for tests of the core alone: method, path, headers, cookies. */
record TestRequest(String method, String path, String query, List<NameValue> headers, List<NameValue> cookies)
        implements RequestView {

    static TestRequest get(String path, String... headerLines) {
        List<NameValue> headers = new ArrayList<>();
        for (String line : headerLines) {
            int colon = line.indexOf(':');
            headers.add(new NameValue(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
        }
        return new TestRequest("GET", path, null, headers, List.of());
    }

    TestRequest withMethod(String m) {
        return new TestRequest(m, path, query, headers, cookies);
    }

    @Override
    public List<String> values(String name) {
        return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(NameValue::value).toList();
    }
}
