package io.keyhole.testing;

import java.util.Map;

/** Deployment descriptors for tests and benchmarks that deploy Keyhole as a web application. */
public final class WebXml {

    private WebXml() {
    }

    /**
     * A {@code web.xml} declaring {@code KeyholeFilter} with {@code settings} as its init-params,
     * mapped to the setting {@code mount} (every path below it).
     */
    public static String keyholeFilter(Map<String, String> settings) {
        StringBuilder params = new StringBuilder();
        settings.forEach((name, value) -> params.append("      <init-param><param-name>").append(escape(name))
                .append("</param-name><param-value>").append(escape(value)).append("</param-value></init-param>\n"));
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
                  <filter>
                    <filter-name>keyhole</filter-name>
                    <filter-class>io.keyhole.servlet.KeyholeFilter</filter-class>
                %s  </filter>
                  <filter-mapping><filter-name>keyhole</filter-name><url-pattern>%s*</url-pattern></filter-mapping>
                </web-app>
                """.formatted(params, escape(settings.get("mount")));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
