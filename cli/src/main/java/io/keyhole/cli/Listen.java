package io.keyhole.cli;

/**
 * Where the server listens: {@code host:port}, {@code [ipv6]:port}; port 0 asks for any free port.
 *
 * @param host a name or an address literal (IPv6 without brackets)
 * @param port 0..65535
 */
record Listen(String host, int port) {

    /** What {@code serve} binds when the configuration says nothing. */
    static final Listen DEFAULT = new Listen("127.0.0.1", 8080);

    /** @throws IllegalArgumentException saying what a valid value looks like */
    static Listen parse(String text) {
        String t = text.trim();
        String host;
        String port;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0 || close + 1 >= t.length() || t.charAt(close + 1) != ':') {
                throw invalid(text);
            }
            host = t.substring(1, close);
            port = t.substring(close + 2);
        } else {
            int colon = t.lastIndexOf(':');
            if (colon < 0 || t.indexOf(':') != colon) {
                throw invalid(text);
            }
            host = t.substring(0, colon);
            port = t.substring(colon + 1);
        }
        if (host.isEmpty() || !port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
            throw invalid(text);
        }
        return new Listen(host, Integer.parseInt(port));
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("listen must be host:port, such as 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080"
                + " (port 0 picks a free port); was '" + text + "'");
    }

    /** The host as it goes into a URL: IPv6 literals in brackets. */
    String urlHost() {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    Listen withPort(int newPort) {
        return new Listen(host, newPort);
    }
}
