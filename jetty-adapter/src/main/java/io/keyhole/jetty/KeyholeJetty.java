package io.keyhole.jetty;

import io.keyhole.KeyholeConfig;
import io.keyhole.servlet.KeyholeFilter;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;

/** Registers Keyhole in an embedded Jetty 12 (ee10) servlet context. */
public final class KeyholeJetty {

    private KeyholeJetty() {
    }

    /**
     * Adds a {@link KeyholeFilter} for {@code config} in front of every request under the
     * config's mount.
     *
     * @return the holder, e.g. to name it
     */
    public static FilterHolder mount(ServletContextHandler context, KeyholeConfig config) {
        FilterHolder holder = new FilterHolder(new KeyholeFilter(config));
        holder.setName("keyhole " + config.mount());
        context.addFilter(holder, config.mount() + "*", EnumSet.of(DispatcherType.REQUEST));
        return holder;
    }
}
