package io.keyhole.tomcat;

import io.keyhole.KeyholeConfig;
import io.keyhole.servlet.KeyholeFilter;
import org.apache.catalina.Context;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/** Registers Keyhole in an embedded Tomcat (10.1 or 11) context. */
public final class KeyholeTomcat {

    private KeyholeTomcat() {
    }

    /**
     * Adds a {@link KeyholeFilter} for {@code config} in front of every request under the
     * config's mount. Tomcat runs filters only for requests that map to a servlet, so the
     * context needs one mapped to {@code /} (every web application has a default servlet).
     *
     * @return the filter's name in the context
     */
    public static String mount(Context context, KeyholeConfig config) {
        String name = "keyhole " + config.mount();
        FilterDef def = new FilterDef();
        def.setFilterName(name);
        def.setFilter(new KeyholeFilter(config));
        def.setFilterClass(KeyholeFilter.class.getName());
        context.addFilterDef(def);
        FilterMap map = new FilterMap();
        map.setFilterName(name);
        map.addURLPattern(config.mount() + "*");
        context.addFilterMap(map);
        return name;
    }
}
